// Runs a job end to end on an output directory: validates options, plans tasks, skips the finished
// ones (completion markers), runs the rest (optionally one --task-index slice of them), and commits
// the dataset once every task is done. Re-running the same command after a crash resumes it.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import {
  commitDataset,
  isCommitted,
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
import type { JobDefinition, TaskSpec } from './job.js';
import { LeaseHolder } from './lease.js';
import type { ProgressEvent, TaskOutcome } from './local-executor.js';
import { holdersDir, reducePhase, runTaskSet } from './task-set.js';
import { WORKSPACE_DIR, Workspace } from './workspace.js';

export { type CommitRunOptions, commitRun } from './commit-run.js';
export { holdersDir, reducePhase } from './task-set.js';

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
