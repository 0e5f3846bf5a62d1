// One error class for run-level trouble. Record-level trouble never throws: it becomes a counted drop reason.

/** Stable codes: scripts and tests match on these, never on messages. */
export const ERROR_CODES = {
  /** Bad command line: unknown option, missing argument. Exit code 2. */
  E_USAGE: 2,
  /** Bad configuration value or config file. Exit code 2. */
  E_CONFIG: 2,
  /** An input that cannot be read at all (missing file, not a dataset). */
  E_INPUT: 1,
  /** The output directory cannot be written, or holds something else. */
  E_OUTPUT: 1,
  /** A record that breaks its schema: a bug in a stage, not bad input. */
  E_INVALID_RECORD: 1,
  /** A task failed (its worker crashed or threw). */
  E_TASK_FAILED: 1,
  /** An external service (model server, Redis) cannot be used. */
  E_SERVICE: 1,
  /** The run was interrupted (SIGINT / SIGTERM). */
  E_INTERRUPTED: 1,
} as const;

export type WeftErrorCode = keyof typeof ERROR_CODES;

export class WeftError extends Error {
  override readonly name = 'WeftError';
  readonly code: WeftErrorCode;
  readonly data: Record<string, unknown>;

  constructor(
    code: WeftErrorCode,
    message: string,
    options: { data?: Record<string, unknown>; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.data = options.data ?? {};
  }

  /** Process exit code for this error: 2 for usage and config mistakes, 1 for run failures. */
  get exitCode(): number {
    return ERROR_CODES[this.code];
  }

  toJSON(): Record<string, unknown> {
    return { code: this.code, message: this.message, ...this.data };
  }
}

export function isWeftError(error: unknown): error is WeftError {
  return error instanceof WeftError;
}

/** A short one-line description of any thrown value, for logs and drop details. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
