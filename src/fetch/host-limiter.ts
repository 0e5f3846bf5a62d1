// Per-host politeness: at most `concurrency` requests in flight to one host, request starts spaced by
// at least 1/rate (or the host's robots.txt Crawl-delay, if larger), and a pause when the host says
// 429/503 with Retry-After. The global concurrency is a separate knob (the stage's map width).

export interface HostLimiterOptions {
  /** Requests in flight to one host at once. */
  concurrency: number;
  /** Request starts per second to one host (0: unlimited). */
  requestsPerSecond: number;
}

interface HostState {
  active: number;
  lastStartMs: number;
  /** Extra spacing between starts from Crawl-delay. */
  delayMs: number;
  pausedUntilMs: number;
  waiters: { resolve: (release: () => void) => void; reject: (e: unknown) => void; signal?: AbortSignal }[];
  timer?: NodeJS.Timeout;
}

export class HostLimiter {
  private readonly hosts = new Map<string, HostState>();
  private readonly intervalMs: number;

  constructor(private readonly options: HostLimiterOptions) {
    this.intervalMs = options.requestsPerSecond > 0 ? 1000 / options.requestsPerSecond : 0;
  }

  private state(host: string): HostState {
    let s = this.hosts.get(host);
    if (!s) {
      s = { active: 0, lastStartMs: 0, delayMs: 0, pausedUntilMs: 0, waiters: [] };
      this.hosts.set(host, s);
    }
    return s;
  }

  /** Spacing between request starts to `host` from robots.txt Crawl-delay. */
  setCrawlDelay(host: string, delayMs: number): void {
    this.state(host).delayMs = Math.max(0, delayMs);
  }

  /** No new request starts to `host` before `untilMs` (epoch ms). */
  pause(host: string, untilMs: number): void {
    const s = this.state(host);
    s.pausedUntilMs = Math.max(s.pausedUntilMs, untilMs);
  }

  /** Waits for a slot on `host`; call the returned function when the request is over. */
  acquire(host: string, signal?: AbortSignal): Promise<() => void> {
    const s = this.state(host);
    return new Promise((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const waiter = { resolve, reject, ...(signal ? { signal } : {}) };
      s.waiters.push(waiter);
      signal?.addEventListener(
        'abort',
        () => {
          const i = s.waiters.indexOf(waiter);
          if (i >= 0) {
            s.waiters.splice(i, 1);
            reject(signal.reason);
          }
        },
        { once: true },
      );
      this.pump(host, s);
    });
  }

  private pump(host: string, s: HostState): void {
    while (s.waiters.length > 0 && s.active < this.options.concurrency) {
      const now = Date.now();
      const spacing = Math.max(this.intervalMs, s.delayMs);
      const readyAt = Math.max(s.lastStartMs + spacing, s.pausedUntilMs);
      if (readyAt > now) {
        if (!s.timer) {
          s.timer = setTimeout(() => {
            s.timer = undefined;
            this.pump(host, s);
          }, readyAt - now);
        }
        return;
      }
      const waiter = s.waiters.shift()!;
      s.active += 1;
      s.lastStartMs = now;
      let released = false;
      waiter.resolve(() => {
        if (released) return;
        released = true;
        s.active -= 1;
        this.pump(host, s);
      });
    }
  }
}
