// The HTTP side of the VLM scorer: many chat-completion requests in flight over a keep-alive pool
// (undici), a per-attempt timeout, retries with jittered exponential backoff on network errors, 408,
// 429 and 5xx, and a circuit breaker shared by all requests of this process.
import { Pool } from 'undici';
import { describeError, WeftError } from '../../errors.js';
import type { StageStats } from '../../pipeline/stats.js';
import { CircuitBreaker } from '../circuit-breaker.js';

export interface VlmClientOptions {
  /** Base URL of the server (http://host:8000 or http://host:8000/v1). */
  endpoint: string;
  concurrency: number;
  timeoutMs: number;
  retries: number;
  retryBaseMs: number;
  breakerThreshold: number;
  onServerDown: 'stop' | 'unscored';
  apiKey?: string;
}

/** A score read from a response, or why there is none (and whether asking again may help). */
export type Reply =
  | { ok: true; score: number }
  | { ok: false; reason: string; message: string; retryable: boolean; retryAfterMs?: number };

const MAX_BACKOFF_MS = 20_000;

/** Chat-completions path for an endpoint given with or without `/v1`. */
export function chatCompletionsUrl(endpoint: string): URL {
  const base = endpoint.endsWith('/') ? endpoint : `${endpoint}/`;
  const url = new URL(base);
  const path = url.pathname.replace(/\/+$/, '');
  url.pathname = path.endsWith('/v1') ? `${path}/chat/completions` : `${path}/v1/chat/completions`;
  return url;
}

class Semaphore {
  private active = 0;
  private readonly waiting: { resolve: () => void; reject: (e: unknown) => void }[] = [];
  readonly limit: number;
  constructor(limit: number) {
    this.limit = limit;
  }
  acquire(signal: AbortSignal): Promise<void> {
    if (signal.aborted) return Promise.reject(signal.reason);
    if (this.active < this.limit) {
      this.active += 1;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const waiter = {
        resolve: () => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        },
        reject,
      };
      const onAbort = () => {
        const at = this.waiting.indexOf(waiter);
        if (at >= 0) this.waiting.splice(at, 1);
        reject(signal.reason);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(waiter);
    });
  }
  release(): void {
    const next = this.waiting.shift();
    if (next) next.resolve();
    else this.active -= 1;
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

export class VlmClient {
  readonly url: URL;
  readonly options: VlmClientOptions;
  readonly breaker: CircuitBreaker;
  private readonly pool: Pool;
  private readonly slots: Semaphore;

  constructor(options: VlmClientOptions) {
    this.options = options;
    this.url = chatCompletionsUrl(options.endpoint);
    this.pool = new Pool(this.url.origin, {
      connections: options.concurrency,
      // The per-attempt AbortSignal is the deadline; these only stop undici's own defaults (300 s) interfering.
      headersTimeout: options.timeoutMs + 1000,
      bodyTimeout: options.timeoutMs + 1000,
      keepAliveTimeout: 30_000,
    });
    this.slots = new Semaphore(options.concurrency);
    this.breaker = new CircuitBreaker({
      threshold: options.breakerThreshold,
      mode: options.onServerDown === 'stop' ? 'stop' : 'probe',
      probeAfterMs: 30_000,
    });
  }

  /** The run-stopping error once the breaker is open in `stop` mode. */
  unavailableError(): WeftError {
    return new WeftError(
      'E_SERVICE',
      `model server ${this.url.href} failed ${this.breaker.consecutiveFailures} samples in a row, each after up to ${this.options.retries} retries (last: ${this.breaker.lastFailure ?? 'unknown'}); stopping. Unfinished tasks wrote nothing: fix the server and re-run the same command to resume, or pass --on-server-down unscored to write samples without scores`,
      { data: { endpoint: this.url.href, lastFailure: this.breaker.lastFailure } },
    );
  }

  /**
   * Posts one request body with retries. Resolves with the parsed reply or the final failure;
   * rejects only with E_SERVICE (breaker open in `stop` mode) or when the run is aborted.
   */
  async post(
    body: string,
    signal: AbortSignal,
    stats: StageStats,
    parse: (json: unknown) => Reply,
  ): Promise<Reply> {
    const stopped = AbortSignal.any([signal, this.breaker.signal]);
    try {
      await this.slots.acquire(stopped);
    } catch (error) {
      throw this.stopReason(signal, error);
    }
    try {
      let last: Reply = { ok: false, reason: 'not_sent', message: 'not sent', retryable: false };
      for (let attempt = 0; attempt <= this.options.retries; attempt++) {
        const gate = this.breaker.allow();
        if (gate === 'no') {
          if (this.options.onServerDown === 'stop') throw this.unavailableError();
          return {
            ok: false,
            reason: 'server_unavailable',
            message: 'circuit breaker open',
            retryable: false,
          };
        }
        if (attempt > 0) stats.count('requests.retried');
        try {
          last = await this.attempt(body, stopped, stats, parse);
        } catch (error) {
          throw this.stopReason(signal, error);
        }
        if (last.ok) {
          this.breaker.success();
          return last;
        }
        if (!last.retryable || gate === 'probe' || attempt === this.options.retries) break;
        const backoff = Math.min(MAX_BACKOFF_MS, this.options.retryBaseMs * 2 ** attempt);
        const jittered = backoff / 2 + Math.random() * (backoff / 2);
        try {
          await sleep(Math.min(MAX_BACKOFF_MS, Math.max(jittered, last.retryAfterMs ?? 0)), stopped);
        } catch (error) {
          throw this.stopReason(signal, error);
        }
      }
      if (!last.ok) {
        stats.count(`requests.failed.${last.reason}`);
        this.breaker.failure(`${last.reason}: ${last.message}`);
        if (this.breaker.isOpen && this.options.onServerDown === 'stop') throw this.unavailableError();
      }
      return last;
    } finally {
      this.slots.release();
    }
  }

  private stopReason(signal: AbortSignal, error: unknown): unknown {
    if (signal.aborted) return error;
    return this.unavailableError();
  }

  private async attempt(
    body: string,
    stopped: AbortSignal,
    stats: StageStats,
    parse: (json: unknown) => Reply,
  ): Promise<Reply> {
    const deadline = AbortSignal.timeout(this.options.timeoutMs);
    const start = performance.now();
    stats.count('requests');
    try {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (this.options.apiKey) headers.authorization = `Bearer ${this.options.apiKey}`;
      const response = await this.pool.request({
        path: `${this.url.pathname}${this.url.search}`,
        method: 'POST',
        headers,
        body,
        signal: AbortSignal.any([stopped, deadline]),
      });
      const text = await response.body.text();
      stats.observe('request_ms', performance.now() - start);
      const status = response.statusCode;
      if (status !== 200) {
        const retryable = status === 408 || status === 429 || status >= 500;
        // An overloaded server may say when to come back (seconds); honoured up to the backoff cap.
        const retryAfterS = Number(response.headers['retry-after']);
        return {
          ok: false,
          reason: retryable ? `http_${status}` : 'rejected_by_server',
          message: `HTTP ${status}: ${text.slice(0, 200)}`,
          retryable,
          ...(Number.isFinite(retryAfterS) && retryAfterS > 0 ? { retryAfterMs: retryAfterS * 1000 } : {}),
        };
      }
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        // A torn or garbled body can be a proxy hiccup: worth one more try.
        return {
          ok: false,
          reason: 'malformed_response',
          message: `response is not JSON: ${JSON.stringify(text.slice(0, 80))}`,
          retryable: true,
        };
      }
      return parse(json);
    } catch (error) {
      if (stopped.aborted) throw error;
      const timedOut = deadline.aborted;
      return {
        ok: false,
        reason: timedOut ? 'timeout' : 'connection_failed',
        message: timedOut ? `no complete response within ${this.options.timeoutMs} ms` : describeError(error),
        retryable: true,
      };
    }
  }

  async close(): Promise<void> {
    await this.pool.close();
  }
}
