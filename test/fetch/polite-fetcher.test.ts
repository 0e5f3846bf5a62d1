import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { FetchFailure } from '../../src/fetch/fetch-error.js';
import { FetchOptions } from '../../src/fetch/fetch-options.js';
import { PoliteFetcher } from '../../src/fetch/polite-fetcher.js';
import { hostileRoutes } from '../helpers/hostile-routes.js';
import { startServer } from '../helpers/local-server.js';

const fetchers: PoliteFetcher[] = [];
afterEach(async () => {
  await Promise.all(fetchers.splice(0).map((f) => f.close()));
});

function fetcher(overrides: Record<string, unknown> = {}): PoliteFetcher {
  const options = FetchOptions.parse({
    allowedPrivateRanges: ['127.0.0.1/32'],
    connectTimeoutMs: 1000,
    headersTimeoutMs: 1000,
    bodyIdleTimeoutMs: 1000,
    totalTimeoutMs: 1500,
    retries: 1,
    retryBaseDelayMs: 50,
    perHostRequestsPerSecond: 0,
    ...overrides,
  });
  const f = new PoliteFetcher(options);
  fetchers.push(f);
  return f;
}

/** The failure reason and how long it took. */
async function failure(f: PoliteFetcher, url: string, maxBytes = 1_000_000) {
  const started = performance.now();
  try {
    await f.fetch(url, { maxBytes, optOutDirectives: ['noai', 'noimageai', 'noindex', 'noimageindex'] });
  } catch (error) {
    expect(error).toBeInstanceOf(FetchFailure);
    return { reason: (error as FetchFailure).reason, ms: performance.now() - started };
  }
  return { reason: 'none', ms: performance.now() - started };
}

describe('PoliteFetcher against hostile endpoints', () => {
  it('ends each pathological endpoint with its reason, within its timeout', async () => {
    const server = await startServer(hostileRoutes());
    const f = fetcher();
    const cases: [string, string, number][] = [
      ['/slow-drip', 'timeout', 1500],
      ['/never-ending', 'too_large', 1500],
      ['/huge-content-length', 'too_large', 500],
      ['/loop-a', 'too_many_redirects', 1000],
      ['/redirect-private', 'private_address', 1000],
      ['/gzip-bomb', 'too_large', 2000],
      ['/noai', 'opted_out', 500],
      ['/private/photo.jpg', 'robots_disallowed', 500],
      ['/always-503', 'http_5xx', 1500],
      ['/missing', 'http_4xx', 500],
    ];
    const results = await Promise.all(cases.map(([path]) => failure(f, `${server.url}${path}`)));
    cases.forEach(([path, reason, withinMs], i) => {
      expect({ path, reason: results[i]!.reason }).toEqual({ path, reason });
      // Retried ones (timeouts, 5xx) get one retry plus a short backoff on top of their timeout.
      expect(results[i]!.ms, path).toBeLessThan(withinMs * 2 + 500);
    });
    expect(server.hits.get('/private/photo.jpg') ?? 0).toBe(0);
    expect(server.hits.get('/secret') ?? 0).toBe(0);
    expect(server.hits.get('/robots.txt')).toBe(1);
    expect(server.hits.get('/always-503')).toBe(2);
  });

  it('honours Retry-After on 429 and pauses the host, then succeeds', async () => {
    const server = await startServer(hostileRoutes());
    const f = fetcher({ retries: 2, totalTimeoutMs: 5000 });
    const started = performance.now();
    const response = await f.fetch(`${server.url}/flaky-429`, { maxBytes: 1000 });
    expect(response.body.toString()).toBe('finally');
    expect(performance.now() - started).toBeGreaterThanOrEqual(950);
    expect(response.attempts).toBe(2);
    expect(f.counters.pauses).toBe(1);
    // A Retry-After beyond the cap ends the URL at once instead of waiting.
    const capped = fetcher({ maxRetryAfterMs: 500 });
    expect((await failure(capped, `${server.url}/always-429`)).reason).toBe('http_429');
    expect(server.hits.get('/always-429')).toBe(1);
  });

  it('refuses private and loopback addresses unless allowed, before connecting', async () => {
    const server = await startServer({
      '/': (_req, res) => {
        res.end('hello');
      },
    });
    const strict = fetcher({ allowedPrivateRanges: [] });
    expect((await failure(strict, `${server.url}/`)).reason).toBe('private_address');
    // A name that resolves to loopback is refused just the same (the check is after DNS).
    expect((await failure(strict, `http://localhost:${server.port}/`)).reason).toBe('private_address');
    expect(server.hits.get('/') ?? 0).toBe(0);
    expect((await failure(strict, 'ftp://example.com/x.jpg')).reason).toBe('unsupported_scheme');
    expect((await failure(strict, 'not a url')).reason).toBe('bad_url');
    const allowed = fetcher({ allowPrivateAddresses: true });
    expect((await allowed.fetch(`http://localhost:${server.port}/`, { maxBytes: 100 })).body.toString()).toBe(
      'hello',
    );
  });

  it('counts refused connections as connect failures', async () => {
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as { port: number };
        probe.close(() => resolve(port));
      });
    });
    expect((await failure(fetcher({ retries: 0 }), `http://127.0.0.1:${port}/x`)).reason).toBe('connect');
  });

  it('applies X-Robots-Tag only when unscoped or scoped to our token', async () => {
    const server = await startServer(hostileRoutes());
    const f = fetcher();
    const ok = await f.fetch(`${server.url}/noindex-other-bot`, {
      maxBytes: 100,
      optOutDirectives: ['noindex'],
    });
    expect(ok.body.toString()).toBe('fine for us');
  });

  it('keeps per-host concurrency and request rate, and obeys Crawl-delay', async () => {
    let active = 0;
    let maxActive = 0;
    const server = await startServer({
      '/robots.txt': (_req, res) => {
        res.end('User-agent: weft\nCrawl-delay: 0.25\n');
      },
      '*': async (_req, res) => {
        active += 1;
        maxActive = Math.max(maxActive, active);
        await new Promise((r) => setTimeout(r, 50));
        active -= 1;
        res.end('ok');
      },
    });
    const f = fetcher({ perHostConcurrency: 2, perHostRequestsPerSecond: 0, respectRobotsTxt: false });
    await Promise.all(Array.from({ length: 8 }, (_, i) => f.fetch(`${server.url}/c${i}`, { maxBytes: 10 })));
    expect(maxActive).toBe(2);

    const rated = fetcher({ perHostConcurrency: 8, perHostRequestsPerSecond: 10, respectRobotsTxt: false });
    let started = performance.now();
    await Promise.all(
      Array.from({ length: 6 }, (_, i) => rated.fetch(`${server.url}/r${i}`, { maxBytes: 10 })),
    );
    expect(performance.now() - started).toBeGreaterThanOrEqual(480);

    const delayed = fetcher({ perHostConcurrency: 8, perHostRequestsPerSecond: 0 });
    started = performance.now();
    await Promise.all(
      Array.from({ length: 4 }, (_, i) => delayed.fetch(`${server.url}/d${i}`, { maxBytes: 10 })),
    );
    expect(performance.now() - started).toBeGreaterThanOrEqual(740);
  });
});
