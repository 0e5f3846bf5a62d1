// robots.txt, fetched once per origin and kept for the run (RFC 9309): 2xx is parsed; 4xx means no
// rules; 5xx means "assume complete disallow"; an unreachable host fails its URLs with the network
// reason (dns, connect…), which says more than a blanket robots refusal would.
import { createRequire } from 'node:module';
import { FetchFailure } from './fetch-error.js';
import type { HttpClient } from './http-client.js';

export interface RobotsVerdict {
  allowed: boolean;
  /** Crawl-delay for our token (or *), in ms. */
  crawlDelayMs?: number;
}

interface Robot {
  isAllowed(url: string, ua?: string): boolean | undefined;
  getCrawlDelay(ua?: string): number | undefined;
}
// robots-parser is CommonJS whose typings declare an ES default export; require() gets the function.
const robotsParser = createRequire(import.meta.url)('robots-parser') as (url: string, text: string) => Robot;

type Rules = { kind: 'rules'; robot: Robot } | { kind: 'allow-all' } | { kind: 'deny-all' };

export class RobotsCache {
  private readonly byOrigin = new Map<string, Promise<Rules | FetchFailure>>();
  fetched = 0;

  constructor(
    private readonly client: HttpClient,
    private readonly userAgentToken: string,
    private readonly options: { maxBytes: number; signal?: AbortSignal },
  ) {}

  async check(url: URL): Promise<RobotsVerdict> {
    let pending = this.byOrigin.get(url.origin);
    if (!pending) {
      pending = this.load(url.origin);
      this.byOrigin.set(url.origin, pending);
    }
    const rules = await pending;
    if (rules instanceof FetchFailure) throw rules;
    if (rules.kind === 'allow-all') return { allowed: true };
    if (rules.kind === 'deny-all') return { allowed: false };
    const allowed = rules.robot.isAllowed(url.href, this.userAgentToken) !== false;
    const delay = rules.robot.getCrawlDelay(this.userAgentToken);
    return delay !== undefined && Number.isFinite(delay)
      ? { allowed, crawlDelayMs: Math.max(0, delay * 1000) }
      : { allowed };
  }

  private async load(origin: string): Promise<Rules | FetchFailure> {
    const robotsUrl = `${origin}/robots.txt`;
    let url = robotsUrl;
    this.fetched += 1;
    // Follow a few redirects (RFC 9309 says at least five), each through the guarded connector.
    for (let hop = 0; hop <= 5; hop++) {
      try {
        const response = await this.client.get(url, {
          maxBytes: this.options.maxBytes,
          accept: 'text/plain,*/*;q=0.5',
          acceptEncoding: 'gzip, deflate, br',
          ...(this.options.signal ? { signal: this.options.signal } : {}),
        });
        if (response.status >= 300 && response.status < 400) {
          const location = response.headers.location;
          if (typeof location !== 'string') return { kind: 'allow-all' };
          url = new URL(location, url).href;
          continue;
        }
        return { kind: 'rules', robot: robotsParser(robotsUrl, response.body.toString('utf8')) };
      } catch (error) {
        if (!(error instanceof FetchFailure)) throw error;
        if (error.reason === 'http_4xx') return { kind: 'allow-all' };
        if (error.reason === 'too_large') return { kind: 'allow-all' };
        if (error.reason === 'http_5xx' || error.reason === 'http_429') return { kind: 'deny-all' };
        return error;
      }
    }
    return { kind: 'allow-all' };
  }
}
