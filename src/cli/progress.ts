// Progress for long runs: a redrawn bar on a terminal, plain log lines otherwise (CI logs, files).
import type { LogLine } from '../pipeline/logger.js';
import { formatLogLine } from '../pipeline/logger.js';
import type { ProgressEvent } from '../run/local-executor.js';

export interface ProgressOptions {
  stream: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  label: string;
  quiet?: boolean;
  logFormat?: 'text' | 'json';
}

function formatDuration(ms: number): string {
  const s = Math.floor(ms / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

export class ProgressReporter {
  private readonly options: ProgressOptions;
  private readonly isTty: boolean;
  private readonly started = performance.now();
  private total = 0;
  private done = 0;
  private failed = 0;
  private records = 0;
  private lineShown = false;
  private lastDraw = 0;
  private lastPlainLog = 0;

  constructor(options: ProgressOptions) {
    this.options = options;
    this.isTty = options.stream.isTTY === true && options.logFormat !== 'json' && !options.quiet;
  }

  /** Log lines pass through here so the progress bar is cleared first and redrawn after. */
  writeLog = (line: LogLine): void => {
    if (this.options.quiet && line.level !== 'error' && line.level !== 'warn') return;
    this.clear();
    this.options.stream.write(`${formatLogLine(line, this.options.logFormat ?? 'text')}\n`);
    this.draw(true);
  };

  planned(plan: { total: number; toRun: number; alreadyDone: number }): void {
    this.total = plan.total;
    this.done = plan.alreadyDone;
    this.draw(true);
  }

  onProgress = (event: ProgressEvent): void => {
    if (this.options.logFormat === 'json' && !this.options.quiet) this.logTask(event);
    // Phase tasks are reported in JSON logs only; the bar and counts are the run's main tasks.
    if (event.phase) return;
    if (event.type === 'records') this.records += event.count;
    else if (event.type === 'task-done') this.done += 1;
    else if (event.type === 'task-failed') this.failed += 1;
    if (
      !this.isTty &&
      this.options.logFormat !== 'json' &&
      event.type === 'task-done' &&
      !this.options.quiet
    ) {
      const now = performance.now();
      // Plain mode: one line per finished task, but at most one every 2 s for runs with many tasks.
      if (now - this.lastPlainLog > 2000 || this.done + this.failed === this.total) {
        this.lastPlainLog = now;
        this.options.stream.write(
          `[weft] ${this.options.label}: ${this.done}/${this.total} tasks done, ${this.records} records (${formatDuration(now - this.started)})\n`,
        );
      }
    }
    this.draw(event.type !== 'records');
  };

  /** JSON logs: one line per finished or failed task, with its id, phase and counts (log collectors). */
  private logTask(event: ProgressEvent): void {
    if (event.type !== 'task-done' && event.type !== 'task-failed') return;
    const done = event.phase ? undefined : this.done + (event.type === 'task-done' ? 1 : 0);
    const fields = {
      task: event.id,
      label: event.label,
      ...(event.phase ? { phase: event.phase } : {}),
      ...(event.type === 'task-failed' ? { error: event.message } : event.phase ? {} : { rows: event.rows }),
      ...(done !== undefined ? { done, total: this.total } : {}),
      elapsedMs: Math.round(performance.now() - this.started),
    };
    const line: LogLine = {
      level: event.type === 'task-done' ? 'info' : 'error',
      message: event.type === 'task-done' ? `task ${event.id} done` : `task ${event.id} failed`,
      fields,
      time: new Date().toISOString(),
    };
    this.options.stream.write(`${formatLogLine(line, 'json')}\n`);
  }

  finish(): void {
    this.clear();
  }

  private clear(): void {
    if (this.isTty && this.lineShown) {
      this.options.stream.write('\r\x1b[2K');
      this.lineShown = false;
    }
  }

  private draw(force: boolean): void {
    if (!this.isTty || this.total === 0) return;
    const now = performance.now();
    if (!force && now - this.lastDraw < 100) return;
    this.lastDraw = now;
    const width = 24;
    const filled = Math.round((this.done / this.total) * width);
    const elapsed = now - this.started;
    const rate = elapsed > 0 ? Math.round((this.records / elapsed) * 1000) : 0;
    const failed = this.failed > 0 ? ` · ${this.failed} failed` : '';
    const line = `${this.options.label} ▕${'█'.repeat(filled)}${'░'.repeat(width - filled)}▏ ${this.done}/${this.total} tasks · ${this.records} records · ${rate}/s · ${formatDuration(elapsed)}${failed}`;
    const columns = this.options.stream.columns ?? 120;
    this.options.stream.write(`\r\x1b[2K${line.slice(0, columns - 1)}`);
    this.lineShown = true;
  }
}
