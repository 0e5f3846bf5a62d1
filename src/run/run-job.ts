// Runs a job end to end on an output directory: validates options, plans tasks, skips the finished
// ones (completion markers), runs the rest (optionally one --task-index slice of them), and commits
// the dataset once every task is done. Re-running the same command after a crash resumes it.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, rename, rm } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import {
  commitDataset,
  isCommitted,
  readMarkers,
  readStatsFile,
  removeCommitted,
  type StatsFile,
} from '../dataset/commit.js';
import { weftSchemaMetadata } from '../dataset/dataset-sink.js';
import type { DatasetLayout } from '../dataset/layouts/layout.js';
import { WeftError } from '../errors.js';
import { loadJob } from '../jobs/index.js';
import { type Logger, silentLogger } from '../pipeline/logger.js';
import { parseOptions } from '../pipeline/options.js';
import { WEFT_VERSION } from '../version.js';
import type { JobDefinition, JobPhase, TaskSpec } from './job.js';
import { LeaseHolder } from './lease.js';
import { executeLocally, type ProgressEvent, type TaskOutcome } from './local-executor.js';
import { phaseDirResolver, type TaskAssignment } from './run-task.js';
import { type RunInfo, taskId, WORKSPACE_DIR, Workspace } from './workspace.js';

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
   * Array mode with phases: at a phase barrier, run the phase's tasks that no live process has
   * claimed (slices not started yet, or lost with their machine), then wait for the rest (true); or
   * return with `waitingAt` set so the slice can be run again later (false, the default). Waiting
   * cannot deadlock a throttled array: the slices that run take on the work of those that do not.
   */
  waitAtBarrier?: boolean;
  log?: Logger;
  signal?: AbortSignal;
  /** How long a silent process on another host keeps its claims (default WEFT_LEASE_MS or 2 min). */
  leaseMs?: number;
  onProgress?: (event: ProgressEvent) => void;
  /** Called once tasks are planned: the tasks of this slice (all, without one), and how many remain to run. */
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

/** The shared folder of heartbeat files of the processes working on `outDir`. */
export function holdersDir(outDir: string): string {
  return join(outDir, WORKSPACE_DIR, 'holders');
}

function claimPath(workspace: Workspace, index: number): string {
  return join(workspace.root, 'claims', taskId(index));
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
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

function interrupted(what: string, outDir: string): WeftError {
  return new WeftError(
    'E_INTERRUPTED',
    `interrupted ${what}; re-run the same command to resume (finished tasks are kept)`,
    {
      data: { path: outDir },
    },
  );
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
async function runTaskSet(args: TaskSetArgs): Promise<{ ran: number; skipped: number }> {
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

export interface PreparedRun {
  job: JobDefinition;
  options: unknown;
  fingerprint: string;
  // biome-ignore lint/suspicious/noExplicitAny: the layout's record type is the job's business
  layout: DatasetLayout<any>;
  workspace: Workspace;
  tasks: TaskSpec[];
  /** Set when the output directory already holds exactly this dataset. */
  complete?: StatsFile;
}

/**
 * Validates options, checks the output directory (a finished dataset of the same run, an unfinished
 * run to resume, or something else to refuse or --overwrite), plans the tasks and records the run
 * in `.weft/run.json`. Shared by runJob, array slices and queue submission.
 */
export async function prepareRun(
  jobOrName: JobDefinition | string,
  rawOptions: unknown,
  run: { outDir: string; overwrite?: boolean; log?: Logger },
): Promise<PreparedRun> {
  const log = run.log ?? silentLogger;
  const job = typeof jobOrName === 'string' ? await loadJob(jobOrName) : jobOrName;
  const options = parseOptions(`${job.name} options`, job.options, rawOptions ?? {});
  const fingerprint = fingerprintOf(job.name, options);
  const layout = job.layout(options);
  const workspace = new Workspace(run.outDir);
  const base = { job, options, fingerprint, layout, workspace };

  if (isCommitted(run.outDir)) {
    const stats = await readStatsFile(run.outDir);
    if (!run.overwrite && stats?.fingerprint === fingerprint) {
      log.info(`${run.outDir} already holds this dataset; nothing to do`);
      return { ...base, tasks: [], complete: stats };
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
  return { ...base, tasks };
}

export async function runJob(
  jobOrName: JobDefinition | string,
  rawOptions: unknown,
  run: RunJobOptions,
): Promise<RunSummary> {
  const started = performance.now();
  const log = run.log ?? silentLogger;
  const prepared = await prepareRun(jobOrName, rawOptions, run);
  const { job, options, layout, workspace, tasks } = prepared;
  if (prepared.complete) {
    return summaryFromStats(run.outDir, job.name, prepared.complete, {
      alreadyComplete: true,
      wallMs: performance.now() - started,
    });
  }
  const maxShardBytes = run.maxShardBytes ?? 500_000_000;
  const workers = Math.max(1, run.workers ?? availableParallelism());
  const slice = { taskIndex: run.taskIndex ?? 0, taskCount: run.taskCount ?? 1 };
  const holder = await new LeaseHolder(holdersDir(run.outDir), run.leaseMs).start();
  try {
    const common = { job, options, tasks, run, log, workers, slice, maxShardBytes, holder };
    let ran = 0;
    for (const phase of job.phases ?? []) {
      const phaseWorkspace = workspace.phase(phase.name);
      if (phaseWorkspace.isReduced()) continue;
      // The barrier: with waitAtBarrier, this returns only once all of the phase's tasks are done.
      const counts = await runTaskSet({
        ...common,
        workspace: phaseWorkspace,
        phase: phase.name,
        help: run.waitAtBarrier === true,
      });
      ran += counts.ran;
      if ((await phaseWorkspace.completedTaskIds()).size < tasks.length) {
        // Array mode without waiting: other slices are still running this phase.
        log.info(`phase ${phase.name}: this slice is done; run it again once the other slices are done`);
        return {
          outDir: run.outDir,
          job: job.name,
          committed: false,
          alreadyComplete: false,
          tasks: { total: tasks.length, ran, skipped: 0, failed: 0 },
          failures: [],
          wallMs: performance.now() - started,
          waitingAt: phase.name,
        };
      }
      await reducePhase(phaseWorkspace, phase, options, {
        log,
        holder,
        outDir: run.outDir,
        ...(run.signal ? { signal: run.signal } : {}),
      });
    }
    const counts = await runTaskSet({ ...common, workspace });
    ran += counts.ran;
    const summaryBase = {
      outDir: run.outDir,
      job: job.name,
      alreadyComplete: false,
      tasks: { total: tasks.length, ran, skipped: counts.skipped, failed: 0 },
      failures: [],
    };

    const allDone = (await workspace.completedTaskIds()).size >= tasks.length;
    if (!allDone || run.commit === false) {
      return { ...summaryBase, committed: false, wallMs: performance.now() - started };
    }
    const lock = join(workspace.root, 'commit.lock');
    if (!(await holder.tryAcquire(lock))) {
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
      if (workspace.exists()) await holder.release(lock);
    }
  } finally {
    await holder.stop();
  }
}

export interface CommitRunOptions {
  maxShardBytes?: number;
  log?: Logger;
  signal?: AbortSignal;
  leaseMs?: number;
}

/**
 * `weft commit DIR`: assembles a dataset whose tasks were run separately (array jobs, queue workers).
 * If another process is committing it right now, waits for that one instead of racing it.
 */
export async function commitRun(outDir: string, options: CommitRunOptions = {}): Promise<StatsFile> {
  const log = options.log ?? silentLogger;
  const workspace = new Workspace(outDir);
  const committedStats = async () => {
    const stats = isCommitted(outDir) ? await readStatsFile(outDir) : undefined;
    if (stats) return stats;
    throw new WeftError('E_INPUT', `${outDir} holds no weft run to commit`, { data: { path: outDir } });
  };
  if (!workspace.exists()) return committedStats();
  let run: RunInfo;
  try {
    run = await workspace.readRunInfo();
    // Fails early, naming the unfinished tasks, before taking any lock.
    await readMarkers(workspace, run);
  } catch (error) {
    // Another process finished the commit (and removed .weft) while we looked.
    if (!workspace.exists() && isCommitted(outDir)) return committedStats();
    throw error;
  }
  const job = await loadJob(run.job);
  const layout = job.layout(parseOptions(`${job.name} options`, job.options, run.options));
  const holder = await new LeaseHolder(holdersDir(outDir), options.leaseMs).start();
  const lock = join(workspace.root, 'commit.lock');
  let waiting = false;
  try {
    for (;;) {
      if (!workspace.exists()) return committedStats();
      if (options.signal?.aborted) throw interrupted('while waiting for another commit', outDir);
      if (await holder.tryAcquire(lock)) break;
      if (!waiting) {
        const owner = await holder.liveOwner(lock);
        log.info(
          `${outDir} is being committed by ${owner ? `${owner.host} pid ${owner.pid}` : 'another process'}; waiting`,
        );
      }
      waiting = true;
      await sleep(500, options.signal);
    }
    try {
      if (!workspace.exists()) return committedStats();
      return await commitDataset(workspace, {
        features: layout.features,
        maxShardBytes: options.maxShardBytes ?? 500_000_000,
        metadata: weftSchemaMetadata(layout.name),
        description: job.description,
      });
    } finally {
      if (workspace.exists()) await holder.release(lock);
    }
  } finally {
    await holder.stop();
  }
}
