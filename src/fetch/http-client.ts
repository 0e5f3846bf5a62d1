// One HTTP request with undici, bounded in every dimension: connect, response-headers and idle-body
// timeouts plus a total deadline (a slow drip cannot hold a slot forever), a byte cap checked against
// Content-Length and again while streaming (the body is cut the moment it is exceeded), and bounded
// decompression (a gzip bomb stops at the same cap). Connections are pooled and kept alive per origin.
import { STATUS_CODES } from 'node:http';
import { promisify } from 'node:util';
import { brotliDecompress, gunzip, inflate, inflateRaw } from 'node:zlib';
import { Agent } from 'undici';
import { parseFetchableUrl } from './address-policy.js';
import { classifyError, FetchFailure } from './fetch-error.js';
import { DnsCache, guardedConnector } from './guarded-connector.js';

export interface HttpClientOptions {
  userAgent: string;
  allowPrivateAddresses: boolean;
  allowedPrivateRanges: readonly string[];
  connectTimeoutMs: number;
  headersTimeoutMs: number;
  /** Longest silence between two body chunks. */
  bodyIdleTimeoutMs: number;
  /** Whole request, from the first byte sent to the last byte read. */
  totalTimeoutMs: number;
  /** Keep-alive connections per origin. */
  connectionsPerOrigin: number;
  dnsTtlMs: number;
}

export interface RequestOptions {
  maxBytes: number;
  accept?: string;
  /** Encodings we ask for; whatever the server sends anyway is still decoded within the cap. */
  acceptEncoding?: string;
  signal?: AbortSignal;
  /** Called once the headers are in, before the body is read: throw a FetchFailure to stop early. */
  checkHeaders?: (response: HttpHead) => void;
}

export interface HttpHead {
  url: string;
  status: number;
  headers: Record<string, string | string[] | undefined>;
}

export interface HttpResponse extends HttpHead {
  statusText: string;
  /** The body with any Content-Encoding removed. */
  body: Buffer;
  /** Bytes received on the wire (before decoding). */
  wireBytes: number;
  /** The Content-Encoding that was removed, if any. */
  contentEncoding?: string;
  requestHeaders: Record<string, string>;
}

const gunzipAsync = promisify(gunzip);
const inflateAsync = promisify(inflate);
const inflateRawAsync = promisify(inflateRaw);
const brotliAsync = promisify(brotliDecompress);

export function headerValue(headers: HttpHead['headers'], name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

/** Retry-After as milliseconds from now (delta-seconds or an HTTP date); undefined if absent or bad. */
export function parseRetryAfter(value: string | undefined, nowMs = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}

async function decode(body: Buffer, encoding: string, maxBytes: number): Promise<Buffer> {
  const options = { maxOutputLength: Math.max(1, maxBytes) };
  try {
    switch (encoding) {
      case 'gzip':
      case 'x-gzip':
        return await gunzipAsync(body, options);
      case 'deflate':
        // Servers send both zlib-wrapped and raw deflate under this name.
        return await inflateAsync(body, options).catch((error: NodeJS.ErrnoException) => {
          if (error.code === 'ERR_BUFFER_TOO_LARGE') throw error;
          return inflateRawAsync(body, options);
        });
      case 'br':
        return await brotliAsync(body, options);
      default:
        throw new FetchFailure('bad_encoding', `unsupported Content-Encoding "${encoding}"`);
    }
  } catch (error) {
    if (error instanceof FetchFailure) throw error;
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new FetchFailure('too_large', `body decompresses to more than ${maxBytes} bytes (${encoding})`);
    }
    throw new FetchFailure('bad_encoding', `cannot decode ${encoding} body: ${(error as Error).message}`);
  }
}

type Body = Awaited<ReturnType<Agent['request']>>['body'];

/** Stops reading a body; the error undici then emits on it must have a listener or the process dies. */
function discard(body: Body): void {
  body.on('error', () => {});
  body.destroy();
}

/** Reads away a small error/redirect body so the connection can be reused (bigger ones are cut). */
function drain(body: Body): void {
  body.on('error', () => {});
  body.dump({ limit: 64 * 1024 }).catch(() => {});
}

/**
 * Collects a body within `maxBytes` (cut the moment it is exceeded), from 'data' events: cheaper per
 * chunk than async iteration. Settles exactly once: on end, on error, or on a close without end.
 */
function readBody(body: Body, maxBytes: number, onBytes: (bytes: number) => void): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    let settled = false;
    const fail = (error: unknown) => {
      if (settled) return;
      settled = true;
      reject(error);
    };
    body.on('data', (chunk: Buffer) => {
      if (settled) return;
      total += chunk.byteLength;
      onBytes(total);
      if (total > maxBytes) {
        fail(new FetchFailure('too_large', `body exceeds ${maxBytes} bytes`));
        discard(body);
        return;
      }
      chunks.push(chunk);
    });
    body.once('end', () => {
      if (settled) return;
      settled = true;
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total));
    });
    body.once('error', fail);
    body.once('close', () => fail(new FetchFailure('network', 'connection closed before the body ended')));
  });
}

export class HttpClient {
  readonly dns: DnsCache;
  private readonly agent: Agent;

  constructor(readonly options: HttpClientOptions) {
    this.dns = new DnsCache({
      ttlMs: options.dnsTtlMs,
      negativeTtlMs: Math.min(options.dnsTtlMs, 60_000),
      timeoutMs: options.connectTimeoutMs,
      maxEntries: 100_000,
    });
    this.agent = new Agent({
      connect: guardedConnector({
        dns: this.dns,
        allowPrivateAddresses: options.allowPrivateAddresses,
        allowedPrivateRanges: options.allowedPrivateRanges,
        connectTimeoutMs: options.connectTimeoutMs,
      }),
      connections: options.connectionsPerOrigin,
      keepAliveTimeout: 10_000,
      keepAliveMaxTimeout: 60_000,
      headersTimeout: options.headersTimeoutMs,
      bodyTimeout: options.bodyIdleTimeoutMs,
    });
  }

  /** One GET, no redirects followed (3xx comes back as a response with an empty body). */
  async get(urlText: string, request: RequestOptions): Promise<HttpResponse> {
    const url = parseFetchableUrl(urlText);
    if (typeof url === 'string') throw new FetchFailure(url, `cannot fetch ${JSON.stringify(urlText)}`);
    // One controller and one timer, cleared when the request ends (cheaper per request than
    // AbortSignal.timeout/any, whose timers and listeners outlive the request).
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort(new Error(`total timeout ${this.options.totalTimeoutMs} ms`));
    }, this.options.totalTimeoutMs);
    const outer = request.signal;
    const onOuterAbort = () => controller.abort(outer?.reason);
    if (outer?.aborted) onOuterAbort();
    else outer?.addEventListener('abort', onOuterAbort, { once: true });
    const signal = controller.signal;
    const requestHeaders: Record<string, string> = {
      host: url.host,
      'user-agent': this.options.userAgent,
      accept: request.accept ?? '*/*',
      'accept-encoding': request.acceptEncoding ?? 'identity',
    };
    let wireBytes = 0;
    try {
      const response = await this.agent.request({
        origin: url.origin,
        path: `${url.pathname}${url.search}`,
        method: 'GET',
        headers: requestHeaders,
        signal,
      });
      const head: HttpHead = { url: url.href, status: response.statusCode, headers: response.headers };
      const finish = (body: Buffer): HttpResponse => ({
        ...head,
        statusText: STATUS_CODES[head.status] ?? '',
        body,
        wireBytes,
        requestHeaders,
      });
      if (head.status >= 300 && head.status < 400) {
        drain(response.body);
        return finish(Buffer.alloc(0));
      }
      if (head.status >= 400) {
        drain(response.body);
        const retryAfterMs = parseRetryAfter(headerValue(head.headers, 'retry-after'));
        const reason = head.status === 429 ? 'http_429' : head.status >= 500 ? 'http_5xx' : 'http_4xx';
        throw new FetchFailure(reason, `HTTP ${head.status} from ${url.href}`, {
          status: head.status,
          ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
        });
      }
      try {
        request.checkHeaders?.(head);
      } catch (error) {
        discard(response.body);
        throw error;
      }
      const declared = Number(headerValue(head.headers, 'content-length'));
      if (Number.isFinite(declared) && declared > request.maxBytes) {
        discard(response.body);
        throw new FetchFailure('too_large', `Content-Length ${declared} exceeds ${request.maxBytes} bytes`);
      }
      let body = await readBody(response.body, request.maxBytes, (bytes) => {
        wireBytes = bytes;
      });
      const encoding = headerValue(head.headers, 'content-encoding')?.trim().toLowerCase();
      if (encoding && encoding !== 'identity') {
        body = await decode(body, encoding, request.maxBytes);
        return { ...finish(body), contentEncoding: encoding };
      }
      return finish(body);
    } catch (error) {
      if (error instanceof FetchFailure) throw error;
      if (timedOut && !request.signal?.aborted) {
        throw new FetchFailure(
          'timeout',
          `${url.href}: no complete response within ${this.options.totalTimeoutMs} ms (${wireBytes} bytes read)`,
        );
      }
      throw classifyError(error);
    } finally {
      clearTimeout(timer);
      outer?.removeEventListener('abort', onOuterAbort);
    }
  }

  async close(): Promise<void> {
    await this.agent.close().catch(() => this.agent.destroy());
  }
}
