// How a stage becomes BullMQ jobs: one flow per stage, a `stage-end` parent (reduce a phase, or
// commit the step and go on) over one `task` child per unfinished task. BullMQ runs the parent only
// once every child has completed, which is the barrier. Job ids are derived from the run, step,
// stage and task, so enqueuing a stage twice (a redelivered stage end) adds nothing.
import type { FlowProducer } from 'bullmq';
import type { Logger } from '../pipeline/logger.js';
import type { TaskAssignment } from '../run/run-task.js';
import type { PipelineSpec, ResolvedRun } from './pipeline-spec.js';
import type { RunRegistry } from './registry.js';
import type { Advance, StagePlan, StageRef } from './stages.js';

export interface TaskJobData {
  kind: 'task';
  runId: string;
  step: number;
  stage: string;
  assignment: TaskAssignment;
}

export interface StageEndJobData {
  kind: 'stage-end';
  run: ResolvedRun;
  step: number;
  stage: string;
}

export interface FireJobData {
  kind: 'fire';
  scheduleId: string;
  spec: PipelineSpec;
  /** Start a run even while the schedule's previous run is still running. */
  allowOverlap?: boolean;
}

export type QueueJobData = TaskJobData | StageEndJobData | FireJobData;

export function stageJobPrefix(runId: string, ref: StageRef): string {
  return `${runId}/${ref.step}/${ref.stage}`;
}

function retryOptions(run: ResolvedRun) {
  return {
    attempts: run.retry.attempts,
    backoff: { type: 'exponential' as const, delay: run.retry.backoffMs },
  };
}

export async function enqueueStage(
  flow: FlowProducer,
  queue: string,
  run: ResolvedRun,
  plan: StagePlan,
  registry: RunRegistry,
): Promise<void> {
  await registry.recordStage(run.id, plan);
  const prefix = stageJobPrefix(run.id, plan);
  const retry = retryOptions(run);
  await flow.add({
    name: 'stage-end',
    queueName: queue,
    data: { kind: 'stage-end', run, step: plan.step, stage: plan.stage } satisfies StageEndJobData,
    opts: { jobId: `${prefix}/end`, ...retry },
    children: plan.assignments.map((assignment) => ({
      name: 'task',
      queueName: queue,
      data: {
        kind: 'task',
        runId: run.id,
        step: plan.step,
        stage: plan.stage,
        assignment,
      } satisfies TaskJobData,
      // A task that fails for good fails its stage end, and with it the run (instead of waiting forever).
      opts: { jobId: `${prefix}/${assignment.info.id}`, ...retry, failParentOnFailure: true },
    })),
  });
}

/** The steps a stage end may enter for the first time (those allowed to --overwrite their folder). */
export function stepsEnteredFrom(run: ResolvedRun, from: StageRef | undefined): number[] {
  if (!from) return [0];
  if (from.stage === 'tasks' && from.step + 1 < run.steps.length) return [from.step + 1];
  return [];
}

/** Records what `advance` did and enqueues what it found next (or marks the run done). */
export async function applyAdvance(
  result: Advance,
  ctx: { flow: FlowProducer; queue: string; run: ResolvedRun; registry: RunRegistry; log: Logger },
): Promise<void> {
  const { run, registry, log } = ctx;
  await registry.stepsCommitted(run.id, result.committed);
  for (const step of result.committed) {
    log.info(
      step.alreadyComplete
        ? `step ${step.name}: ${step.out} already holds this dataset`
        : `step ${step.name}: committed ${step.rows} rows in ${step.shards} shard(s) to ${step.out}`,
      { step: step.step, rows: step.rows, shards: step.shards, bytes: step.bytes, out: step.out },
    );
  }
  if (!result.next) {
    await registry.finish(run.id, 'done');
    log.info(`run ${run.id} finished`, { state: 'done' });
    return;
  }
  const next = result.next;
  await enqueueStage(ctx.flow, ctx.queue, run, next, registry);
  const stepName = run.steps[next.step]?.name;
  log.info(
    `step ${stepName}: ${next.phase ? `phase ${next.phase}` : 'tasks'}: enqueued ${next.assignments.length} of ${next.total} tasks (${next.alreadyDone} already done)`,
    { step: next.step, stage: next.stage, tasks: next.assignments.length, total: next.total },
  );
}
