// One process's share of a task set: claims tasks (leases), runs them with the local executor, helps
// at phase barriers, and runs a phase's reduce exactly once across all processes on an output folder.
import { mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { WeftError } from '../errors.js';
import type { Logger } from '../pipeline/logger.js';
import type { JobDefinition, JobPhase, TaskSpec } from './job.js';
import type { LeaseHolder } from './lease.js';
import { executeLocally, type ProgressEvent, type TaskOutcome } from './local-executor.js';
import type { RunJobOptions } from './run-job.js';
import { phaseDirResolver, type TaskAssignment } from './run-task.js';
import { taskId, WORKSPACE_DIR, type Workspace } from './workspace.js';

/** The shared folder of heartbeat files of the processes working on `outDir`. */
export function holdersDir(outDir: string): string {
  return join(outDir, WORKSPACE_DIR, 'holders');
}

function claimPath(workspace: Workspace, index: number): string {
  return join(workspace.root, 'claims', taskId(index));
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

export function interrupted(what: string, outDir: string): WeftError {
  return new WeftError(
    'E_INTERRUPTED',
    `interrupted ${what}; re-run the same command to resume (finished tasks are kept)`,
    {
      data: { path: outDir },
    },
  );
}
export interface TaskSetArgs {
  job: JobDefinition;
  options: unknown;
  tasks: TaskSpec[];
  run: RunJobOptions;
  log: Logger;
  workers: number;
  slice: { taskIndex: number; taskCount: number };
  maxShardBytes: number;
  workspace: Workspace;
  holder: LeaseHolder;
  phase?: string;
  /**
   * At a phase barrier: once this slice's tasks are done, take on tasks nobody alive has claimed
   * (slices not started yet under a throttled array, or lost with their machine), then wait for
   * the rest. Without it the slice returns as soon as its own tasks are done.
   */
  help?: boolean;
}

function progressOf(
  onProgress: (event: ProgressEvent) => void,
  phase: string | undefined,
): (event: ProgressEvent) => void {
  return phase ? (event) => onProgress({ ...event, phase }) : onProgress;
}

/**
 * Runs this process's slice of a task set (a phase's tasks or the main ones), skipping finished tasks.
 * Each task is claimed first, so processes sharing an output folder never run one task twice at once.
 */
export async function runTaskSet(args: TaskSetArgs): Promise<{ ran: number; skipped: number }> {
  const { workspace, tasks, slice, run, holder, log } = args;
  await workspace.ensureDirs();
  await mkdir(join(workspace.root, 'claims'), { recursive: true });
  await workspace.removeStaleAttempts();
  const all = tasks.map((task, index) => ({ task, index }));
  const mine = all.filter(({ index }) => index % slice.taskCount === slice.taskIndex);
  const doneAtStart = await workspace.completedTaskIds();
  const toRun = mine.filter(({ index }) => !doneAtStart.has(taskId(index))).length;
  const what = args.phase ? `phase ${args.phase}` : 'tasks';
  // Progress counts this process's slice (all tasks when it is the only one).
  if (!args.phase) run.onPlanned?.({ total: mine.length, toRun, alreadyDone: mine.length - toRun });
  else if (toRun > 0) log.info(`phase ${args.phase}: running ${toRun} tasks`);
  if (mine.length > toRun)
    log.info(`${what}: resuming, ${mine.length - toRun} of ${mine.length} already done`);

  const assignment = ({ task, index }: { task: TaskSpec; index: number }): TaskAssignment => ({
    job: args.job.name,
    rawOptions: args.options,
    task,
    info: { index, count: tasks.length, id: taskId(index) },
    outDir: run.outDir,
    maxShardBytes: args.maxShardBytes,
    durable: run.durable ?? true,
    ...(args.phase ? { phase: args.phase } : {}),
  });
  let ran = 0;
  let candidates = mine;
  let lastWaitLog = 0;
  for (;;) {
    if (run.signal?.aborted) throw interrupted('', run.outDir);
    const done = await workspace.completedTaskIds();
    const pending = candidates.filter(({ index }) => !done.has(taskId(index)));
    // Own tasks are claimed all at once; others' a few at a time, so slices that start late still
    // find most of their own work.
    const limit = candidates === mine ? pending.length : args.workers;
    const claimed: typeof pending = [];
    for (const item of pending) {
      if (claimed.length >= limit) break;
      if (await holder.tryAcquire(claimPath(workspace, item.index))) claimed.push(item);
    }
    if (claimed.length > 0) {
      let outcomes: TaskOutcome[] = [];
      try {
        outcomes = await executeLocally(claimed.map(assignment), {
          workers: args.workers,
          log,
          ...(run.signal ? { signal: run.signal } : {}),
          ...(run.onProgress ? { onProgress: progressOf(run.onProgress, args.phase) } : {}),
        });
      } finally {
        // A finished task's marker outranks its claim; the others are given back for a retry.
        const finished = new Set(outcomes.filter((o) => o.ok).map((o) => o.id));
        for (const { index } of claimed) {
          if (!finished.has(taskId(index))) await holder.release(claimPath(workspace, index));
        }
      }
      if (run.signal?.aborted) throw interrupted('', run.outDir);
      const failures = outcomes.filter((o) => !o.ok);
      if (failures.length > 0) {
        const list = failures.map((f) => `${f.id} (${f.label}): ${f.error?.message}`).join('; ');
        throw new WeftError(
          'E_TASK_FAILED',
          `${failures.length} of ${tasks.length} ${what} failed: ${list}. Re-run to retry only those.`,
          { data: { path: run.outDir, failures } },
        );
      }
      ran += outcomes.length;
      continue;
    }
    if (!args.help) break;
    const missing = all.filter(({ index }) => !done.has(taskId(index)));
    if (missing.length === 0) break;
    if (candidates === mine) {
      candidates = all;
      continue;
    }
    const now = performance.now();
    if (now - lastWaitLog > 30_000) {
      lastWaitLog = now;
      const ids = missing.slice(0, 5).map(({ index }) => taskId(index));
      log.info(
        `${what}: waiting at the barrier for ${missing.length} task(s) running elsewhere (${ids.join(', ')}${missing.length > 5 ? ', …' : ''})`,
      );
    }
    await sleep(1000, run.signal);
  }
  return { ran, skipped: mine.length - toRun };
}

/**
 * Runs a phase's reduce once, in the process holding its lock; the others wait for the result. A
 * holder that dies mid-reduce loses the lock with its lease, and another process redoes the reduce.
 */
export async function reducePhase(
  workspace: Workspace,
  phase: JobPhase<unknown>,
  options: unknown,
  ctx: { log: Logger; holder: LeaseHolder; outDir: string; signal?: AbortSignal },
): Promise<void> {
  const lock = join(workspace.root, 'reduce.lock');
  let waiting = false;
  while (!workspace.isReduced()) {
    if (ctx.signal?.aborted) throw interrupted(`while waiting for phase ${phase.name}`, ctx.outDir);
    if (!(await ctx.holder.tryAcquire(lock))) {
      if (!waiting) ctx.log.info(`phase ${phase.name}: another process is reducing; waiting for it`);
      waiting = true;
      await sleep(500, ctx.signal);
      continue;
    }
    try {
      if (workspace.isReduced()) return;
      const dirs: string[] = [];
      for (const id of [...(await workspace.completedTaskIds())].sort()) {
        const marker = await workspace.readMarker(id);
        if (marker) dirs.push(join(workspace.attemptPath(marker.dir), 'out'));
      }
      const tmp = `${workspace.reducedDir}.tmp-${ctx.holder.owner.holder}`;
      await rm(tmp, { recursive: true, force: true });
      await mkdir(tmp, { recursive: true });
      ctx.log.info(`phase ${phase.name}: reducing ${dirs.length} task outputs`, { phase: phase.name });
      const filesDir = join(tmp, 'files');
      await mkdir(filesDir, { recursive: true });
      await phase.reduce(options, {
        log: ctx.log,
        taskDirs: dirs,
        outDir: tmp,
        filesDir,
        phaseDir: phaseDirResolver(ctx.outDir),
      });
      try {
        await rename(tmp, workspace.reducedDir);
      } catch (error) {
        // A process that took over a lock it thought stale finished first: its result stands.
        if (!workspace.isReduced()) throw error;
        await rm(tmp, { recursive: true, force: true });
      }
    } finally {
      await ctx.holder.release(lock);
    }
  }
}
