// A pool of long-lived child processes for a queue worker: one operation per child at a time,
// children reused across jobs (a fork per job would cost more than the queue itself), a dead child
// replaced on the next job, and an operation cancelled by killing its child.
import { type ChildProcess, fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WeftError } from '../errors.js';
import type { Logger, LogLine } from '../pipeline/logger.js';
import type { TaskAssignment } from '../run/run-task.js';
import type { ResolvedRun } from './pipeline-spec.js';
import type { StageRef } from './stages.js';

export type ChildOp =
  | { kind: 'task'; assignment: TaskAssignment }
  | { kind: 'advance'; run: ResolvedRun; from: StageRef | undefined; overwriteSteps: number[] };

export type ChildReply =
  | { type: 'ready' }
  | { type: 'log'; id: number; line: LogLine }
  | { type: 'result'; id: number; ok: true; value: unknown }
  | { type: 'result'; id: number; ok: false; error: { code?: string; message: string } };

/** What a task operation reports back (also the BullMQ job's return value). */
export interface TaskOutcomeValue {
  rows: number;
  /** This attempt's output became the task's (false: another attempt had finished it). */
  published: boolean;
  alreadyDone: boolean;
  durationMs: number;
  stages: { name: string; in: number | null; out: number; dropped: Record<string, number> }[];
}

function childEntryPath(): string {
  const here = fileURLToPath(new URL('./queue-child.js', import.meta.url));
  if (existsSync(here)) return here;
  // Running from TypeScript sources (tests, benchmarks): the compiled child lives in dist/.
  const compiled = here.replace(`${sep}src${sep}`, `${sep}dist${sep}`);
  if (existsSync(compiled)) return compiled;
  throw new WeftError('E_TASK_FAILED', `queue child entry ${compiled} is missing: run "npm run build" first`);
}

interface Child {
  process: ChildProcess;
  ready: Promise<void>;
  busy: boolean;
}

export class ChildPool {
  private readonly entry = childEntryPath();
  private readonly idle: Child[] = [];
  private readonly all = new Set<Child>();
  private nextId = 1;
  private closed = false;

  private spawn(): Child {
    const proc = fork(this.entry, [], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      serialization: 'advanced',
    });
    const child: Child = {
      process: proc,
      busy: false,
      ready: new Promise((resolve, reject) => {
        const onMessage = (m: ChildReply) => {
          if (m.type !== 'ready') return;
          proc.off('message', onMessage);
          proc.off('exit', onExit);
          resolve();
        };
        const onExit = (code: number | null, signal: string | null) =>
          reject(
            new WeftError('E_TASK_FAILED', `worker child exited at start (${signal ?? `exit code ${code}`})`),
          );
        proc.on('message', onMessage);
        proc.once('exit', onExit);
      }),
    };
    proc.once('exit', () => {
      this.all.delete(child);
      const at = this.idle.indexOf(child);
      if (at >= 0) this.idle.splice(at, 1);
    });
    this.all.add(child);
    return child;
  }

  /** Runs one operation in a free child; `signal` kills the child and rejects with E_INTERRUPTED. */
  async run<T>(op: ChildOp, options: { log: Logger; signal?: AbortSignal }): Promise<T> {
    if (this.closed) throw new WeftError('E_INTERRUPTED', 'the worker is shutting down');
    const child = this.idle.pop() ?? this.spawn();
    child.busy = true;
    await child.ready;
    const id = this.nextId++;
    const proc = child.process;
    try {
      return await new Promise<T>((resolve, reject) => {
        const cleanup = () => {
          proc.off('message', onMessage);
          proc.off('exit', onExit);
          options.signal?.removeEventListener('abort', onAbort);
        };
        const onMessage = (m: ChildReply) => {
          if (m.type === 'log' && m.id === id) {
            options.log[m.line.level](m.line.message, m.line.fields);
          } else if (m.type === 'result' && m.id === id) {
            cleanup();
            if (m.ok) resolve(m.value as T);
            else reject(new WeftError((m.error.code as 'E_TASK_FAILED') ?? 'E_TASK_FAILED', m.error.message));
          }
        };
        const onExit = (code: number | null, signal: string | null) => {
          cleanup();
          reject(
            new WeftError(
              'E_TASK_FAILED',
              `worker child died (${signal ? `signal ${signal}` : `exit code ${code}`})`,
            ),
          );
        };
        const onAbort = () => {
          cleanup();
          this.kill(child);
          reject(new WeftError('E_INTERRUPTED', 'cancelled: the worker is shutting down'));
        };
        proc.on('message', onMessage);
        proc.once('exit', onExit);
        if (options.signal?.aborted) return onAbort();
        options.signal?.addEventListener('abort', onAbort, { once: true });
        proc.send({ type: 'op', id, op });
      });
    } finally {
      child.busy = false;
      if (this.all.has(child) && !this.closed && proc.exitCode === null && proc.signalCode === null) {
        this.idle.push(child);
      }
    }
  }

  private kill(child: Child): void {
    this.all.delete(child);
    child.process.kill('SIGTERM');
    // A child deep in native code may not stop at once; it must not outlive the cancel for long.
    setTimeout(() => child.process.kill('SIGKILL'), 2000).unref();
  }

  /** Stops every child (idle ones at once; busy ones are killed). */
  async close(): Promise<void> {
    this.closed = true;
    const exits = [...this.all].map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.process.exitCode !== null || child.process.signalCode !== null) return resolve();
          child.process.once('exit', () => resolve());
          if (child.process.connected) child.process.disconnect();
          setTimeout(() => child.process.kill('SIGKILL'), 2000).unref();
        }),
    );
    await Promise.all(exits);
  }
}
