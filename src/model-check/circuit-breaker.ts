// Trips after N consecutive failed items so a dead or garbage-answering model server stops the run
// quickly (or, in `unscored` mode, stops being asked except for an occasional probe) instead of
// every remaining sample waiting through its own retries.
export interface CircuitBreakerOptions {
  /** Consecutive failed items (after their retries) that open the breaker. */
  threshold: number;
  /** `stop`: once open, stays open and aborts `signal`. `probe`: lets one request through every `probeAfterMs`. */
  mode: 'stop' | 'probe';
  probeAfterMs: number;
}

export class CircuitBreaker {
  private consecutive = 0;
  private openedAt: number | undefined;
  private probing = false;
  private readonly aborter = new AbortController();
  /** The failure that opened the breaker (for the error message). */
  lastFailure: string | undefined;
  readonly options: CircuitBreakerOptions;

  constructor(options: CircuitBreakerOptions) {
    this.options = options;
  }

  /** Aborted when the breaker opens in `stop` mode: waits and sleeps listen to it. */
  get signal(): AbortSignal {
    return this.aborter.signal;
  }

  get isOpen(): boolean {
    return this.openedAt !== undefined;
  }

  get consecutiveFailures(): number {
    return this.consecutive;
  }

  /** Whether a request may go out now; in probe mode an open breaker lets one probe through at a time. */
  allow(): 'yes' | 'probe' | 'no' {
    if (this.openedAt === undefined) return 'yes';
    if (this.options.mode === 'stop' || this.probing) return 'no';
    if (Date.now() - this.openedAt < this.options.probeAfterMs) return 'no';
    this.probing = true;
    return 'probe';
  }

  success(): void {
    this.consecutive = 0;
    this.openedAt = undefined;
    this.probing = false;
  }

  failure(description: string): void {
    this.consecutive += 1;
    this.lastFailure = description;
    if (this.probing) {
      this.probing = false;
      this.openedAt = Date.now();
      return;
    }
    if (this.openedAt === undefined && this.consecutive >= this.options.threshold) {
      this.openedAt = Date.now();
      if (this.options.mode === 'stop') this.aborter.abort(new Error(`circuit open: ${description}`));
    }
  }
}
