// Options of the `crawl` job (what `weft crawl` builds from its flags).
import { z } from 'zod';
import { FetchOptions } from '../fetch/fetch-options.js';

export const CrawlOptions = z.strictObject({
  /** A text file of seed URLs, one a line ('#' starts a comment). */
  seeds: z.string().min(1),
  /** Link hops followed from the seeds, within the seed hosts (0: fetch the seeds only). */
  maxDepth: z.number().int().min(0).max(100).default(0),
  /** URLs queued per host at most, seeds included. */
  maxPagesPerHost: z.number().int().positive().default(1000),
  maxPageBytes: z.number().int().positive().default(10_000_000),
  /** Tasks the seed hosts are spread over (each host is crawled by exactly one task). */
  maxTasks: z.number().int().positive().max(10_000).default(16),
  /** A WARC file is closed and a new one started past this size. */
  maxWarcBytes: z.number().int().positive().default(1_000_000_000),
  /** X-Robots-Tag directives that keep a page out of the archive (logged as opted_out). */
  optOutDirectives: z.array(z.string()).default(['noai']),
  fetch: FetchOptions.prefault({}),
});
export type CrawlOptions = z.output<typeof CrawlOptions>;
