// Runs tasks on this machine: in this process when one worker is asked for, otherwise in a pool of
// worker processes (one task at a time each, the whole pipeline per task; records never cross
// processes). A worker that dies fails only its task; the others go on.
import { type ChildProcess, fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeError, WeftError } from '../errors.js';
import type { Logger, LogLine } from '../pipeline/logger.js';
import { runTask, type TaskAssignment } from './run-task.js';

export interface TaskOutcome {
  id: string;
  label: string;
  ok: boolean;
  rows?: number;
  error?: { code?: string; message: string };
}

export type ProgressEvent = (
  | { type: 'task-start'; id: string; label: string }
  | { type: 'task-done'; id: string; label: string; rows: number }
  | { type: 'task-failed'; id: string; label: string; message: string }
  | { type: 'records'; count: number }
) & {
  /** Set for the tasks of a corpus-wide phase (they are not the run's main tasks). */
  phase?: string;
};

export interface ExecuteOptions {
  workers: number;
  log: Logger;
  signal?: AbortSignal;
  onProgress?: (event: ProgressEvent) => void;
}

/** Messages a worker process sends to its parent. */
export type WorkerMessage =
  | { type: 'ready' }
  | { type: 'log'; line: LogLine }
  | { type: 'records'; count: number }
  | { type: 'done'; id: string; rows: number }
  | { type: 'failed'; id: string; code?: string; message: string };

export function workerEntryPath(): string {
  const here = fileURLToPath(new URL('./task-worker.js', import.meta.url));
  if (existsSync(here)) return here;
  // Running from TypeScript sources (tests): the compiled worker lives in dist/.
  const compiled = here.replace(`${sep}src${sep}`, `${sep}dist${sep}`);
  if (existsSync(compiled)) return compiled;
  throw new WeftError('E_TASK_FAILED', `worker entry ${compiled} is missing: run "npm run build" first`);
}

async function runInProcess(assignments: TaskAssignment[], options: ExecuteOptions): Promise<TaskOutcome[]> {
  const outcomes: TaskOutcome[] = [];
  for (const assignment of assignments) {
    if (options.signal?.aborted) break;
    const { id } = assignment.info;
    const label = assignment.task.label;
    options.onProgress?.({ type: 'task-start', id, label });
    try {
      const env = {
        log: options.log,
        onRecord: () => options.onProgress?.({ type: 'records', count: 1 }),
        ...(options.signal ? { signal: options.signal } : {}),
      };
      const { marker } = await runTask(assignment, env);
      outcomes.push({ id, label, ok: true, rows: marker.rows });
      options.onProgress?.({ type: 'task-done', id, label, rows: marker.rows });
    } catch (error) {
      const message = describeError(error);
      const code = error instanceof WeftError ? error.code : undefined;
      outcomes.push({ id, label, ok: false, error: code ? { code, message } : { message } });
      options.onProgress?.({ type: 'task-failed', id, label, message });
      options.log.error(`task ${id} (${label}) failed: ${message}`, { task: id });
    }
  }
  return outcomes;
}

async function runInWorkers(assignments: TaskAssignment[], options: ExecuteOptions): Promise<TaskOutcome[]> {
  const entry = workerEntryPath();
  const queue = [...assignments];
  const outcomes: TaskOutcome[] = [];
  const children = new Set<ChildProcess>();
  const onAbort = () => {
    for (const child of children) child.kill('SIGTERM');
  };
  options.signal?.addEventListener('abort', onAbort, { once: true });

  const runWorker = () =>
    new Promise<void>((resolve) => {
      const child = fork(entry, [], {
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
        serialization: 'advanced',
      });
      children.add(child);
      let current: TaskAssignment | undefined;
      const next = () => {
        current = options.signal?.aborted ? undefined : queue.shift();
        if (!current) {
          child.disconnect();
          return;
        }
        options.onProgress?.({ type: 'task-start', id: current.info.id, label: current.task.label });
        child.send({ type: 'task', assignment: current });
      };
      const finish = (outcome: TaskOutcome) => {
        outcomes.push(outcome);
        if (outcome.ok) {
          options.onProgress?.({
            type: 'task-done',
            id: outcome.id,
            label: outcome.label,
            rows: outcome.rows ?? 0,
          });
        } else {
          options.onProgress?.({
            type: 'task-failed',
            id: outcome.id,
            label: outcome.label,
            message: outcome.error?.message ?? '',
          });
          options.log.error(`task ${outcome.id} (${outcome.label}) failed: ${outcome.error?.message}`, {
            task: outcome.id,
          });
        }
      };
      child.on('message', (message: WorkerMessage) => {
        switch (message.type) {
          case 'ready':
            next();
            break;
          case 'log':
            options.log[message.line.level](message.line.message, message.line.fields);
            break;
          case 'records':
            options.onProgress?.({ type: 'records', count: message.count });
            break;
          case 'done':
          case 'failed': {
            const label = current?.task.label ?? message.id;
            current = undefined;
            finish(
              message.type === 'done'
                ? { id: message.id, label, ok: true, rows: message.rows }
                : {
                    id: message.id,
                    label,
                    ok: false,
                    error: message.code
                      ? { code: message.code, message: message.message }
                      : { message: message.message },
                  },
            );
            next();
            break;
          }
        }
      });
      child.on('exit', (code, signal) => {
        children.delete(child);
        if (current) {
          const how = signal ? `signal ${signal}` : `exit code ${code}`;
          finish({
            id: current.info.id,
            label: current.task.label,
            ok: false,
            error: { code: 'E_TASK_FAILED', message: `worker process died (${how})` },
          });
          // The task that killed this worker is reported; the rest of the queue gets a fresh worker.
          if (queue.length > 0 && !options.signal?.aborted) {
            void runWorker().then(resolve);
            return;
          }
        }
        resolve();
      });
    });

  const poolSize = Math.min(options.workers, assignments.length);
  await Promise.all(Array.from({ length: poolSize }, () => runWorker()));
  options.signal?.removeEventListener('abort', onAbort);
  return outcomes;
}

export async function executeLocally(
  assignments: TaskAssignment[],
  options: ExecuteOptions,
): Promise<TaskOutcome[]> {
  if (assignments.length === 0) return [];
  if (options.workers <= 1 || assignments.length === 1) return runInProcess(assignments, options);
  return runInWorkers(assignments, options);
}
