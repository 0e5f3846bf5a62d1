// One line of a crawl log: what was fetched (or why not) and where its WARC record is.
import { z } from 'zod';

export const CrawlLogEntry = z.object({
  kind: z.literal('crawl-log-entry'),
  url: z.string(),
  /** Link hops from a seed (0 for seeds). */
  depth: z.number().int().nonnegative(),
  /** ISO 8601 time of the fetch. */
  fetchedAt: z.string(),
  /** HTTP status, when a response came (redirects included). */
  status: z.number().int().optional(),
  contentType: z.string().optional(),
  /** Where redirects pointed. */
  location: z.string().optional(),
  /** Payload bytes stored (after Content-Encoding removal). */
  payloadBytes: z.number().int().nonnegative().optional(),
  /** `sha1:BASE32` as in WARC-Payload-Digest. */
  payloadDigest: z.string().optional(),
  /** The response record: file path relative to the dataset directory, gzip member offset and length. */
  warcFilename: z.string().optional(),
  warcRecordOffset: z.number().int().nonnegative().optional(),
  warcRecordLength: z.number().int().nonnegative().optional(),
  /** Failure reason (snake_case), when nothing was archived. */
  error: z.string().optional(),
  detail: z.string().optional(),
  /** Links found on the page and queued (within the seed hosts, depth and budget). */
  linksQueued: z.number().int().nonnegative().optional(),
});
export type CrawlLogEntry = z.infer<typeof CrawlLogEntry>;
