// Runs a job end to end on an output directory: validates options, plans tasks, skips the finished
// ones (completion markers), runs the rest (optionally one --task-index slice of them), and commits
// the dataset once every task is done. Re-running the same command after a crash resumes it.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { availableParallelism, hostname } from 'node:os';
import { join } from 'node:path';
import {
  commitDataset,
  isCommitted,
  readStatsFile,
  removeCommitted,
  type StatsFile,
} from '../dataset/commit.js';
import { weftSchemaMetadata } from '../dataset/dataset-sink.js';
import { WeftError } from '../errors.js';
import { loadJob } from '../jobs/index.js';
import { type Logger, silentLogger } from '../pipeline/logger.js';
import { parseOptions } from '../pipeline/options.js';
import { WEFT_VERSION } from '../version.js';
import type { JobDefinition, JobPhase, TaskSpec } from './job.js';
import { executeLocally, type ProgressEvent, type TaskOutcome } from './local-executor.js';
import { phaseDirResolver, type TaskAssignment } from './run-task.js';
import { taskId, WORKSPACE_DIR, Workspace } from './workspace.js';

export interface RunJobOptions {
  outDir: string;
  /** Worker processes (default: available cores). 1 runs tasks in this process. */
  workers?: number;
  /** Run only tasks with `index % taskCount === taskIndex` (array jobs). */
  taskIndex?: number;
  taskCount?: number;
  /** Replace a dataset or unfinished run with other options in `outDir`. */
  overwrite?: boolean;
  maxShardBytes?: number;
  /** fsync shards and markers (default true). */
  durable?: boolean;
  /** Commit when all tasks are done (default true). */
  commit?: boolean;
  /**
   * Array mode with phases: wait at a phase barrier until the other slices finish (true), or return
   * with `waitingAt` set so the slice can be run again later (false, the default). Waiting is only
   * safe when every slice runs at the same time; a throttled Slurm array would deadlock.
   */
  waitAtBarrier?: boolean;
  log?: Logger;
  signal?: AbortSignal;
  onProgress?: (event: ProgressEvent) => void;
  /** Called once tasks are planned: total tasks, and how many this process will run. */
  onPlanned?: (plan: { total: number; toRun: number; alreadyDone: number }) => void;
}

export interface RunSummary {
  outDir: string;
  job: string;
  /** True when the dataset is complete (committed now or by an earlier run). */
  committed: boolean;
  alreadyComplete: boolean;
  tasks: { total: number; ran: number; skipped: number; failed: number };
  rows?: number;
  bytes?: number;
  shards?: number;
  wallMs: number;
  stats?: StatsFile;
  failures: TaskOutcome[];
  /** Set when this slice stopped at a phase barrier that other slices have not reached yet. */
  waitingAt?: string;
}

export function fingerprintOf(job: string, options: unknown): string {
  return createHash('sha256').update(JSON.stringify({ job, options })).digest('hex');
}

async function assertUsableOutDir(outDir: string): Promise<void> {
  if (!existsSync(outDir)) return;
  const entries = (await readdir(outDir)).filter((name) => name !== WORKSPACE_DIR);
  if (entries.length > 0) {
    throw new WeftError(
      'E_OUTPUT',
      `output directory ${outDir} is not empty and holds no weft dataset (found ${entries.slice(0, 3).join(', ')}); choose another --out`,
      { data: { path: outDir } },
    );
  }
}

/** Takes a lock file, so that of several array tasks finishing together exactly one commits (or reduces). */
async function tryLock(workspace: Workspace, name: string): Promise<(() => Promise<void>) | undefined> {
  const lockFile = join(workspace.root, name);
  try {
    const handle = await open(lockFile, 'wx');
    await handle.writeFile(JSON.stringify({ host: hostname(), pid: process.pid }));
    await handle.close();
    return () => rm(lockFile, { force: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const holder = JSON.parse(await readFile(lockFile, 'utf8').catch(() => '{}')) as {
      host?: string;
      pid?: number;
    };
    let holderAlive = true;
    if (holder.host === hostname() && holder.pid) {
      try {
        process.kill(holder.pid, 0);
      } catch {
        holderAlive = false;
      }
    }
    if (holderAlive) return undefined;
    await rm(lockFile, { force: true });
    return tryLock(workspace, name);
  }
}

function summaryFromStats(
  outDir: string,
  job: string,
  stats: StatsFile | undefined,
  base: Partial<RunSummary>,
): RunSummary {
  return {
    outDir,
    job,
    committed: true,
    alreadyComplete: false,
    tasks: { total: stats?.tasks ?? 0, ran: 0, skipped: stats?.tasks ?? 0, failed: 0 },
    wallMs: 0,
    failures: [],
    ...(stats ? { rows: stats.rows, bytes: stats.bytes, shards: stats.shards, stats } : {}),
    ...base,
  };
}

interface TaskSetArgs {
  job: JobDefinition;
  options: unknown;
  tasks: TaskSpec[];
  run: RunJobOptions;
  log: Logger;
  workers: number;
  slice: { taskIndex: number; taskCount: number };
  maxShardBytes: number;
  workspace: Workspace;
  phase?: string;
}

/** Runs this process's slice of a task set (a phase's tasks or the main ones), skipping finished tasks. */
async function runTaskSet(args: TaskSetArgs): Promise<{ ran: number; skipped: number }> {
  const { workspace, tasks, slice, run } = args;
  await workspace.ensureDirs();
  await workspace.removeStaleAttempts();
  const done = await workspace.completedTaskIds();
  const mine = tasks
    .map((task, index) => ({ task, index }))
    .filter(({ index }) => index % slice.taskCount === slice.taskIndex);
  const toRun: TaskAssignment[] = mine
    .filter(({ index }) => !done.has(taskId(index)))
    .map(({ task, index }) => ({
      job: args.job.name,
      rawOptions: args.options,
      task,
      info: { index, count: tasks.length, id: taskId(index) },
      outDir: run.outDir,
      maxShardBytes: args.maxShardBytes,
      durable: run.durable ?? true,
      ...(args.phase ? { phase: args.phase } : {}),
    }));
  const what = args.phase ? `phase ${args.phase}` : 'tasks';
  if (!args.phase)
    run.onPlanned?.({ total: tasks.length, toRun: toRun.length, alreadyDone: tasks.length - toRun.length });
  else if (toRun.length > 0) args.log.info(`phase ${args.phase}: running ${toRun.length} tasks`);
  if (mine.length > toRun.length)
    args.log.info(`${what}: resuming, ${mine.length - toRun.length} of ${mine.length} already done`);
  const outcomes = await executeLocally(toRun, {
    workers: args.workers,
    log: args.log,
    ...(run.signal ? { signal: run.signal } : {}),
    ...(run.onProgress && !args.phase ? { onProgress: run.onProgress } : {}),
  });
  if (run.signal?.aborted) {
    throw new WeftError(
      'E_INTERRUPTED',
      'interrupted; re-run the same command to resume (finished tasks are kept)',
      {
        data: { path: run.outDir },
      },
    );
  }
  const failures = outcomes.filter((o) => !o.ok);
  if (failures.length > 0) {
    const list = failures.map((f) => `${f.id} (${f.label}): ${f.error?.message}`).join('; ');
    throw new WeftError(
      'E_TASK_FAILED',
      `${failures.length} of ${tasks.length} ${what} failed: ${list}. Re-run to retry only those.`,
      { data: { path: run.outDir, failures } },
    );
  }
  return { ran: outcomes.length, skipped: mine.length - toRun.length };
}

async function waitFor(condition: () => Promise<boolean>, run: RunJobOptions): Promise<void> {
  while (!(await condition())) {
    if (run.signal?.aborted)
      throw new WeftError('E_INTERRUPTED', 'interrupted while waiting for other tasks');
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/** Runs a phase's reduce once (the process holding the lock); the others wait for its result. */
async function reducePhase(
  workspace: Workspace,
  phase: JobPhase<unknown>,
  options: unknown,
  log: Logger,
  run: RunJobOptions,
): Promise<void> {
  if (workspace.isReduced()) return;
  const unlock = await tryLock(workspace, 'reduce.lock');
  if (!unlock) {
    await waitFor(async () => workspace.isReduced(), run);
    return;
  }
  try {
    if (workspace.isReduced()) return;
    const dirs: string[] = [];
    for (const id of [...(await workspace.completedTaskIds())].sort()) {
      const marker = await workspace.readMarker(id);
      if (marker) dirs.push(join(workspace.attemptPath(marker.dir), 'out'));
    }
    const tmp = `${workspace.reducedDir}.tmp-${process.pid}`;
    await rm(tmp, { recursive: true, force: true });
    await mkdir(tmp, { recursive: true });
    log.info(`phase ${phase.name}: reducing ${dirs.length} task outputs`);
    const filesDir = join(tmp, 'files');
    await mkdir(filesDir, { recursive: true });
    await phase.reduce(options, {
      log,
      taskDirs: dirs,
      outDir: tmp,
      filesDir,
      phaseDir: phaseDirResolver(run.outDir),
    });
    await rename(tmp, workspace.reducedDir);
  } finally {
    await unlock();
  }
}

export async function runJob(
  jobOrName: JobDefinition | string,
  rawOptions: unknown,
  run: RunJobOptions,
): Promise<RunSummary> {
  const started = performance.now();
  const log = run.log ?? silentLogger;
  const job = typeof jobOrName === 'string' ? await loadJob(jobOrName) : jobOrName;
  const options = parseOptions(`${job.name} options`, job.options, rawOptions ?? {});
  const fingerprint = fingerprintOf(job.name, options);
  const layout = job.layout(options);
  const maxShardBytes = run.maxShardBytes ?? 500_000_000;
  const workspace = new Workspace(run.outDir);

  if (isCommitted(run.outDir)) {
    const stats = await readStatsFile(run.outDir);
    if (!run.overwrite && stats?.fingerprint === fingerprint) {
      log.info(`${run.outDir} already holds this dataset; nothing to do`);
      return summaryFromStats(run.outDir, job.name, stats, {
        alreadyComplete: true,
        wallMs: performance.now() - started,
      });
    }
    if (!run.overwrite) {
      throw new WeftError(
        'E_OUTPUT',
        `${run.outDir} holds a dataset made by another run (${stats?.job ?? 'unknown job'} with other options); pass --overwrite to replace it`,
        { data: { path: run.outDir } },
      );
    }
    await removeCommitted(run.outDir);
    await workspace.remove();
  }
  if (workspace.exists()) {
    const existing = await workspace.readRunInfo();
    if (existing.fingerprint !== fingerprint) {
      if (!run.overwrite) {
        throw new WeftError(
          'E_OUTPUT',
          `${run.outDir} holds an unfinished run of "${existing.job}" with other options; re-run it with the same options to resume, or pass --overwrite`,
          { data: { path: run.outDir } },
        );
      }
      await workspace.remove();
    }
  }
  if (!workspace.exists()) await assertUsableOutDir(run.outDir);
  await mkdir(run.outDir, { recursive: true });

  const tasks = await job.planTasks(options, { log });
  if (workspace.exists()) {
    const existing = await workspace.readRunInfo();
    if (existing.taskCount !== tasks.length) {
      throw new WeftError(
        'E_INPUT',
        `the input changed since this run began (${existing.taskCount} tasks then, ${tasks.length} now); pass --overwrite to start over`,
        { data: { path: run.outDir } },
      );
    }
  } else {
    await workspace.create({
      job: job.name,
      options,
      fingerprint,
      taskCount: tasks.length,
      taskLabels: tasks.map((t) => t.label),
      layout: layout.name,
      phases: (job.phases ?? []).map((p) => p.name),
      weftVersion: WEFT_VERSION,
      createdAt: new Date().toISOString(),
    });
  }
  const workers = Math.max(1, run.workers ?? availableParallelism());
  const slice = { taskIndex: run.taskIndex ?? 0, taskCount: run.taskCount ?? 1 };
  const common = { job, options, tasks, run, log, workers, slice, maxShardBytes };
  let ran = 0;
  let skipped = 0;
  for (const phase of job.phases ?? []) {
    const phaseWorkspace = workspace.phase(phase.name);
    if (phaseWorkspace.isReduced()) continue;
    const counts = await runTaskSet({ ...common, workspace: phaseWorkspace, phase: phase.name });
    ran += counts.ran;
    if ((await phaseWorkspace.completedTaskIds()).size < tasks.length) {
      // Array mode: other slices are still running this phase.
      if (!run.waitAtBarrier) {
        log.info(`phase ${phase.name}: this slice is done; run it again once the other slices are done`);
        return {
          outDir: run.outDir,
          job: job.name,
          committed: false,
          alreadyComplete: false,
          tasks: { total: tasks.length, ran, skipped, failed: 0 },
          failures: [],
          wallMs: performance.now() - started,
          waitingAt: phase.name,
        };
      }
      log.info(`phase ${phase.name}: this slice is done; waiting for the other slices`);
      await waitFor(
        async () =>
          (await phaseWorkspace.completedTaskIds()).size >= tasks.length || phaseWorkspace.isReduced(),
        run,
      );
    }
    await reducePhase(phaseWorkspace, phase, options, log, run);
  }
  const counts = await runTaskSet({ ...common, workspace });
  ran += counts.ran;
  skipped += counts.skipped;
  const summaryBase = {
    outDir: run.outDir,
    job: job.name,
    alreadyComplete: false,
    tasks: { total: tasks.length, ran, skipped, failed: 0 },
    failures: [],
  };

  const allDone = (await workspace.completedTaskIds()).size >= tasks.length;
  if (!allDone || run.commit === false) {
    return { ...summaryBase, committed: false, wallMs: performance.now() - started };
  }
  const unlock = await tryLock(workspace, 'commit.lock');
  if (!unlock) {
    log.info('another process is committing this dataset');
    return { ...summaryBase, committed: false, wallMs: performance.now() - started };
  }
  try {
    const stats = await commitDataset(workspace, {
      features: layout.features,
      maxShardBytes,
      metadata: weftSchemaMetadata(layout.name),
      description: job.description,
    });
    return {
      ...summaryBase,
      committed: true,
      rows: stats.rows,
      bytes: stats.bytes,
      shards: stats.shards,
      stats,
      wallMs: performance.now() - started,
    };
  } finally {
    if (workspace.exists()) await unlock();
  }
}

/** `weft commit DIR`: assembles a dataset whose tasks were run separately (array jobs). */
export async function commitRun(
  outDir: string,
  options: { maxShardBytes?: number } = {},
): Promise<StatsFile> {
  const workspace = new Workspace(outDir);
  if (!workspace.exists()) {
    if (isCommitted(outDir)) {
      const stats = await readStatsFile(outDir);
      if (stats) return stats;
    }
    throw new WeftError('E_INPUT', `${outDir} holds no weft run to commit`, { data: { path: outDir } });
  }
  const run = await workspace.readRunInfo();
  const job = await loadJob(run.job);
  const layout = job.layout(parseOptions(`${job.name} options`, job.options, run.options));
  return commitDataset(workspace, {
    features: layout.features,
    maxShardBytes: options.maxShardBytes ?? 500_000_000,
    metadata: weftSchemaMetadata(layout.name),
    description: job.description,
  });
}
