// The fetcher `weft images` and `weft crawl` use: robots.txt (once per origin, with Crawl-delay), the
// per-host limiter, retries with exponential backoff and full jitter (Retry-After honoured and the host
// paused on 429/503), redirects followed by hand so each hop is re-checked (scheme, robots, address),
// and X-Robots-Tag opt-outs refused before the body is read.
import { setTimeout as sleep } from 'node:timers/promises';
import { parseFetchableUrl } from './address-policy.js';
import { classifyError, FetchFailure, type FetchFailureReason } from './fetch-error.js';
import type { FetchOptions } from './fetch-options.js';
import { HostLimiter } from './host-limiter.js';
import { HttpClient, type HttpResponse, headerValue } from './http-client.js';
import { optOutDirective } from './opt-out.js';
import { RobotsCache } from './robots-cache.js';

export interface FetchRequest {
  maxBytes: number;
  accept?: string;
  acceptEncoding?: string;
  /** X-Robots-Tag directives that refuse the response (opted_out). */
  optOutDirectives?: readonly string[];
  /** False: a 3xx comes back as the response (a crawler archives each hop). Default true. */
  followRedirects?: boolean;
}

export interface FetchedResponse extends HttpResponse {
  /** Every URL visited before the final one. */
  redirects: string[];
  attempts: number;
}

const RETRYABLE: ReadonlySet<FetchFailureReason> = new Set([
  'connect',
  'network',
  'timeout',
  'http_429',
  'http_5xx',
]);

export class PoliteFetcher {
  readonly client: HttpClient;
  readonly limiter: HostLimiter;
  readonly robots: RobotsCache;
  /** Counters for stats: requests sent, retries, hosts paused by 429/503. */
  readonly counters = { requests: 0, retries: 0, pauses: 0 };

  constructor(
    readonly options: FetchOptions,
    private readonly signal?: AbortSignal,
  ) {
    this.client = new HttpClient({
      userAgent: options.userAgent,
      allowPrivateAddresses: options.allowPrivateAddresses,
      allowedPrivateRanges: options.allowedPrivateRanges,
      connectTimeoutMs: options.connectTimeoutMs,
      headersTimeoutMs: options.headersTimeoutMs,
      bodyIdleTimeoutMs: options.bodyIdleTimeoutMs,
      totalTimeoutMs: options.totalTimeoutMs,
      connectionsPerOrigin: options.perHostConcurrency,
      dnsTtlMs: options.dnsTtlMs,
    });
    this.limiter = new HostLimiter({
      concurrency: options.perHostConcurrency,
      requestsPerSecond: options.perHostRequestsPerSecond,
    });
    this.robots = new RobotsCache(this.client, options.robotsToken, {
      maxBytes: 512 * 1024,
      ...(signal ? { signal } : {}),
    });
  }

  /** Fetches `url`, following redirects; throws a FetchFailure with the reason when it cannot. */
  async fetch(url: string, request: FetchRequest): Promise<FetchedResponse> {
    const redirects: string[] = [];
    let current = url;
    let attempts = 0;
    for (let hop = 0; ; hop++) {
      const parsed = parseFetchableUrl(current);
      if (typeof parsed === 'string')
        throw new FetchFailure(parsed, `cannot fetch ${JSON.stringify(current)}`);
      if (this.options.respectRobotsTxt) {
        const verdict = await this.robots.check(parsed);
        if (!verdict.allowed)
          throw new FetchFailure('robots_disallowed', `robots.txt disallows ${parsed.href}`);
        if (verdict.crawlDelayMs !== undefined)
          this.limiter.setCrawlDelay(
            parsed.host,
            Math.min(verdict.crawlDelayMs, this.options.maxCrawlDelayMs),
          );
      }
      const { response, tries } = await this.withRetries(parsed, request);
      attempts += tries;
      if (response.status < 300 || response.status >= 400 || request.followRedirects === false)
        return { ...response, redirects, attempts };
      const location = headerValue(response.headers, 'location');
      if (!location)
        throw new FetchFailure('http_3xx', `HTTP ${response.status} without Location`, {
          status: response.status,
        });
      if (hop >= this.options.maxRedirects) {
        throw new FetchFailure(
          'too_many_redirects',
          `more than ${this.options.maxRedirects} redirects from ${url}`,
        );
      }
      redirects.push(current);
      try {
        current = new URL(location, current).href;
      } catch {
        throw new FetchFailure('bad_url', `bad redirect Location ${JSON.stringify(location)}`);
      }
    }
  }

  private async withRetries(
    url: URL,
    request: FetchRequest,
  ): Promise<{ response: HttpResponse; tries: number }> {
    for (let attempt = 0; ; attempt++) {
      let failure: FetchFailure;
      const release = await this.limiter.acquire(url.host, this.signal);
      try {
        this.counters.requests += 1;
        const response = await this.client.get(url.href, {
          maxBytes: request.maxBytes,
          ...(request.accept ? { accept: request.accept } : {}),
          ...(request.acceptEncoding ? { acceptEncoding: request.acceptEncoding } : {}),
          ...(this.signal ? { signal: this.signal } : {}),
          checkHeaders: (head) => {
            const directive = optOutDirective(
              head.headers['x-robots-tag'],
              request.optOutDirectives ?? [],
              this.options.robotsToken,
            );
            if (directive) throw new FetchFailure('opted_out', `X-Robots-Tag: ${directive} on ${head.url}`);
          },
        });
        return { response, tries: attempt + 1 };
      } catch (error) {
        failure = classifyError(error);
      } finally {
        release();
      }
      if (!RETRYABLE.has(failure.reason) || attempt >= this.options.retries || this.signal?.aborted) {
        throw failure;
      }
      const backoffMs = Math.random() * this.options.retryBaseDelayMs * 2 ** attempt;
      const waitMs = failure.retryAfterMs ?? backoffMs;
      if (waitMs > this.options.maxRetryAfterMs) throw failure;
      if (failure.status === 429 || failure.status === 503) {
        // The host asked everyone to slow down, not just this URL.
        this.limiter.pause(url.host, Date.now() + waitMs);
        this.counters.pauses += 1;
      }
      this.counters.retries += 1;
      await sleep(waitMs, undefined, this.signal ? { signal: this.signal } : {});
    }
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}
