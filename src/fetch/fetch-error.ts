// The taxonomy of fetch failures. Every failed fetch ends as exactly one of these snake_case reasons,
// which become drop reasons in stats and the `reason` field of the failures file.

export const FETCH_FAILURE_REASONS = [
  'bad_url',
  'unsupported_scheme',
  'dns',
  'connect',
  'tls',
  'timeout',
  'http_3xx',
  'too_many_redirects',
  'http_429',
  'http_4xx',
  'http_5xx',
  'too_large',
  'bad_encoding',
  'private_address',
  'robots_disallowed',
  'opted_out',
  'network',
  'aborted',
] as const;

export type FetchFailureReason = (typeof FETCH_FAILURE_REASONS)[number];

/** A failed fetch: the reason, a one-line detail for logs and the failures file, and the HTTP status if any. */
export class FetchFailure extends Error {
  override readonly name = 'FetchFailure';
  readonly reason: FetchFailureReason;
  readonly status: number | undefined;
  /** Seconds the server asked us to wait (Retry-After), when it said. */
  readonly retryAfterMs: number | undefined;

  constructor(
    reason: FetchFailureReason,
    message: string,
    extra: { status?: number; retryAfterMs?: number; cause?: unknown } = {},
  ) {
    super(message, extra.cause === undefined ? undefined : { cause: extra.cause });
    this.reason = reason;
    this.status = extra.status;
    this.retryAfterMs = extra.retryAfterMs;
  }
}

const TIMEOUT_CODES = new Set([
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'ETIMEDOUT',
  'WEFT_TIMEOUT',
]);
const DNS_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_NONAME', 'ENODATA', 'WEFT_DNS']);
const CONNECT_CODES = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL']);

/** Maps whatever undici, node:net or node:dns threw to a FetchFailure. */
export function classifyError(error: unknown): FetchFailure {
  if (error instanceof FetchFailure) return error;
  const err = error as NodeJS.ErrnoException & { cause?: unknown };
  const code = err?.code ?? '';
  const message = err?.message ?? String(error);
  if (err?.name === 'AbortError' || code === 'UND_ERR_ABORTED' || code === 'ABORT_ERR')
    return new FetchFailure('aborted', message, { cause: error });
  if (TIMEOUT_CODES.has(code) || err?.name === 'TimeoutError')
    return new FetchFailure('timeout', message, { cause: error });
  if (DNS_CODES.has(code)) return new FetchFailure('dns', message, { cause: error });
  if (CONNECT_CODES.has(code)) return new FetchFailure('connect', message, { cause: error });
  if (code.startsWith('ERR_TLS') || code.startsWith('ERR_SSL') || /certificate|SSL|TLS/i.test(code))
    return new FetchFailure('tls', message, { cause: error });
  if (err?.cause && err.cause !== error) {
    const inner = classifyError(err.cause);
    if (inner.reason !== 'network') return inner;
  }
  return new FetchFailure('network', `${code ? `${code}: ` : ''}${message}`, { cause: error });
}

/** Failures worth another attempt later (the retry-failed default): the server or network may recover. */
export function isTransient(reason: string): boolean {
  return ['dns', 'connect', 'timeout', 'http_429', 'http_5xx', 'network', 'tls', 'aborted'].includes(reason);
}
