// The fetch options `weft images` and `weft crawl` share (zod: validated in the parent and each worker).
import { z } from 'zod';
import { WEFT_VERSION } from '../version.js';
import { DEFAULT_OPT_OUT_DIRECTIVES } from './opt-out.js';

export const DEFAULT_USER_AGENT = `weft/${WEFT_VERSION} (dataset builder; honours robots.txt and X-Robots-Tag noai)`;

export const FetchOptions = z.object({
  /** Sent as User-Agent. */
  userAgent: z.string().min(1).default(DEFAULT_USER_AGENT),
  /** The product token matched against robots.txt groups and scoped X-Robots-Tag directives. */
  robotsToken: z.string().min(1).default('weft'),
  /** Reach loopback/private/link-local addresses (local test servers only; never on the open web). */
  allowPrivateAddresses: z.boolean().default(false),
  /** Non-public ranges allowed one by one (CIDR, e.g. "127.0.0.1/32"): a local server, and nothing else. */
  allowedPrivateRanges: z.array(z.string()).default([]),
  connectTimeoutMs: z.number().int().positive().default(10_000),
  headersTimeoutMs: z.number().int().positive().default(15_000),
  bodyIdleTimeoutMs: z.number().int().positive().default(15_000),
  totalTimeoutMs: z.number().int().positive().default(60_000),
  maxRedirects: z.number().int().min(0).max(20).default(5),
  /** Extra attempts after network errors, timeouts, 429 and 5xx. */
  retries: z.number().int().min(0).max(10).default(2),
  /** Backoff before retry n is a random delay in [0, base·2^n] (full jitter), unless Retry-After says more. */
  retryBaseDelayMs: z.number().int().min(0).default(1_000),
  /** A Retry-After longer than this ends the URL's attempts instead of waiting. */
  maxRetryAfterMs: z.number().int().min(0).default(60_000),
  /** Requests in flight per task, all hosts together. */
  concurrency: z.number().int().positive().max(4096).default(64),
  /** Requests in flight to one host. */
  perHostConcurrency: z.number().int().positive().max(256).default(4),
  /** Request starts per second to one host (0: no limit). */
  perHostRequestsPerSecond: z.number().min(0).default(10),
  respectRobotsTxt: z.boolean().default(true),
  /** Crawl-delay values above this are capped to it. */
  maxCrawlDelayMs: z.number().int().min(0).default(30_000),
  dnsTtlMs: z.number().int().min(0).default(300_000),
});
export type FetchOptions = z.output<typeof FetchOptions>;

export const DEFAULT_IMAGE_OPT_OUTS = [...DEFAULT_OPT_OUT_DIRECTIVES];
