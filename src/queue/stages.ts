// The order of work in a queued run, decided from the shared output folders alone: each step is its
// job's phases (each a set of tasks, then one reduce) and then its main tasks (then one commit).
// `advance` does the work due at the end of a stage (reduce, commit) and finds the next stage that
// has tasks to enqueue, so a retried or duplicated stage end repeats nothing that is done.
import { isCommitted, readStatsFile } from '../dataset/commit.js';
import { WeftError } from '../errors.js';
import { loadJob } from '../jobs/index.js';
import { type Logger, silentLogger } from '../pipeline/logger.js';
import { parseOptions } from '../pipeline/options.js';
import type { JobDefinition, TaskSpec } from '../run/job.js';
import { LeaseHolder } from '../run/lease.js';
import { commitRun, fingerprintOf, holdersDir, prepareRun, reducePhase } from '../run/run-job.js';
import type { TaskAssignment } from '../run/run-task.js';
import { taskId, Workspace } from '../run/workspace.js';
import type { ResolvedRun } from './pipeline-spec.js';

/** `tasks` for a step's main tasks, `phase-NAME` for a corpus-wide phase. */
export type StageKey = string;
export const MAIN_STAGE: StageKey = 'tasks';

export function phaseStageKey(phase: string): StageKey {
  return `phase-${phase}`;
}

export function stageKeysOf(job: JobDefinition): StageKey[] {
  return [...(job.phases ?? []).map((p) => phaseStageKey(p.name)), MAIN_STAGE];
}

export interface StageRef {
  step: number;
  stage: StageKey;
}

export interface StagePlan extends StageRef {
  /** The phase's name, for a phase stage. */
  phase?: string;
  total: number;
  alreadyDone: number;
  /** The tasks still to run (the finished ones are skipped). */
  assignments: TaskAssignment[];
}

export interface StepResult {
  step: number;
  name: string;
  out: string;
  rows: number;
  shards: number;
  bytes: number;
  /** The folder already held this dataset before the run. */
  alreadyComplete: boolean;
}

export interface Advance {
  /** Steps whose dataset is complete as of this call. */
  committed: StepResult[];
  /** The next stage to enqueue; absent when the run is finished. */
  next?: StagePlan;
}

export interface AdvanceContext {
  log?: Logger;
  /** Steps that may replace what their output folder holds (each step's first entry only). */
  overwriteSteps?: readonly number[];
  leaseMs?: number;
}

interface OpenStep {
  job: JobDefinition;
  options: unknown;
  tasks: TaskSpec[];
  workspace: Workspace;
}

/** A step already under way: its job, options and tasks, checked against the run recorded in its folder. */
async function openStep(run: ResolvedRun, step: number, log: Logger): Promise<OpenStep> {
  const spec = run.steps[step]!;
  const job = await loadJob(spec.job);
  const options = parseOptions(`${job.name} options`, job.options, spec.options);
  const workspace = new Workspace(spec.out);
  const info = workspace.exists() ? await workspace.readRunInfo() : undefined;
  if (info?.fingerprint !== fingerprintOf(job.name, options)) {
    throw new WeftError(
      'E_OUTPUT',
      `${spec.out} no longer holds the unfinished run of step "${spec.name}" (another run replaced or removed it); submit the pipeline again`,
      { data: { path: spec.out, run: run.id } },
    );
  }
  const tasks = await job.planTasks(options, { log });
  return { job, options, tasks, workspace };
}

async function stagePlan(
  run: ResolvedRun,
  step: number,
  opened: OpenStep,
  stage: StageKey,
): Promise<StagePlan> {
  const phase =
    stage === MAIN_STAGE ? undefined : opened.job.phases?.find((p) => phaseStageKey(p.name) === stage);
  const workspace = phase ? opened.workspace.phase(phase.name) : opened.workspace;
  const done = await workspace.completedTaskIds();
  const spec = run.steps[step]!;
  const assignments: TaskAssignment[] = [];
  opened.tasks.forEach((task, index) => {
    if (done.has(taskId(index))) return;
    assignments.push({
      job: opened.job.name,
      rawOptions: spec.options,
      task,
      info: { index, count: opened.tasks.length, id: taskId(index) },
      outDir: spec.out,
      maxShardBytes: run.maxShardBytes,
      durable: true,
      ...(phase ? { phase: phase.name } : {}),
    });
  });
  return {
    step,
    stage,
    ...(phase ? { phase: phase.name } : {}),
    total: opened.tasks.length,
    alreadyDone: opened.tasks.length - assignments.length,
    assignments,
  };
}

/** The first stage of a step, from `from` on, that is not finished yet (the main stage always is). */
async function firstOpenStage(
  run: ResolvedRun,
  step: number,
  opened: OpenStep,
  fromIndex: number,
): Promise<StagePlan> {
  const keys = stageKeysOf(opened.job);
  for (let i = fromIndex; i < keys.length; i++) {
    const key = keys[i]!;
    const phase = opened.job.phases?.find((p) => phaseStageKey(p.name) === key);
    if (phase && opened.workspace.phase(phase.name).isReduced()) continue;
    return stagePlan(run, step, opened, key);
  }
  throw new Error('unreachable: the main stage is always open until committed');
}

async function committedResult(
  run: ResolvedRun,
  step: number,
  alreadyComplete: boolean,
): Promise<StepResult> {
  const spec = run.steps[step]!;
  const stats = await readStatsFile(spec.out);
  return {
    step,
    name: spec.name,
    out: spec.out,
    rows: stats?.rows ?? 0,
    shards: stats?.shards ?? 0,
    bytes: stats?.bytes ?? 0,
    alreadyComplete,
  };
}

/** Checks every step's job and options (before anything is enqueued or scheduled). */
export async function checkRunOptions(run: ResolvedRun): Promise<void> {
  for (const step of run.steps) {
    const job = await loadJob(step.job);
    parseOptions(`steps.${step.name} (${job.name}) options`, job.options, step.options);
  }
}

/**
 * From the end of stage `from` (or the start of the run): reduces a finished phase or commits a
 * finished step, then prepares steps as they come, until a stage with tasks (or a stage end still
 * to do) is found.
 */
export async function advance(
  run: ResolvedRun,
  from: StageRef | undefined,
  ctx: AdvanceContext = {},
): Promise<Advance> {
  const log = ctx.log ?? silentLogger;
  const overwrite = new Set(ctx.overwriteSteps ?? []);
  const committed: StepResult[] = [];
  let step = 0;
  if (from) {
    const spec = run.steps[from.step];
    if (!spec) throw new WeftError('E_CONFIG', `run ${run.id} has no step ${from.step}`);
    if (from.stage === MAIN_STAGE || (!new Workspace(spec.out).exists() && isCommitted(spec.out))) {
      // The step's tasks are done (or a late duplicate finds it committed): commit it, once.
      await commitRun(spec.out, {
        maxShardBytes: run.maxShardBytes,
        log,
        ...(ctx.leaseMs ? { leaseMs: ctx.leaseMs } : {}),
      });
      committed.push(await committedResult(run, from.step, false));
      step = from.step + 1;
    } else {
      const opened = await openStep(run, from.step, log);
      const keys = stageKeysOf(opened.job);
      const index = keys.indexOf(from.stage);
      const phase = opened.job.phases?.find((p) => phaseStageKey(p.name) === from.stage);
      if (index < 0 || !phase)
        throw new WeftError('E_CONFIG', `step ${spec.name} has no stage ${from.stage}`);
      const holder = await new LeaseHolder(holdersDir(spec.out), ctx.leaseMs).start();
      try {
        await reducePhase(opened.workspace.phase(phase.name), phase, opened.options, {
          log,
          holder,
          outDir: spec.out,
        });
      } finally {
        await holder.stop();
      }
      return { committed, next: await firstOpenStage(run, from.step, opened, index + 1) };
    }
  }
  for (; step < run.steps.length; step++) {
    const spec = run.steps[step]!;
    const prepared = await prepareRun(spec.job, spec.options, {
      outDir: spec.out,
      overwrite: overwrite.has(step),
      log,
    });
    if (prepared.complete) {
      committed.push(await committedResult(run, step, true));
      continue;
    }
    return { committed, next: await firstOpenStage(run, step, prepared, 0) };
  }
  return { committed };
}
