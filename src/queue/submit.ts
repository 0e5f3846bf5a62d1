// `weft submit`: validates a pipeline, prepares its first step here (so a bad option or a busy output
// folder is reported at once, not by a worker later), and enqueues the first stage's jobs. Workers
// take it from there, stage by stage and step by step.
import { FlowProducer } from 'bullmq';
import { WeftError } from '../errors.js';
import { type Logger, silentLogger } from '../pipeline/logger.js';
import { applyAdvance } from './flows.js';
import { type PipelineSpec, type ResolvedRun, resolveRun } from './pipeline-spec.js';
import { bullConnection, openRedis, type QueueTarget } from './redis.js';
import { RunRegistry } from './registry.js';
import { type Advance, advance, checkRunOptions } from './stages.js';

export interface SubmitOptions {
  target: QueueTarget;
  log?: Logger;
  /** Submit even if a running run writes into the same folders. */
  force?: boolean;
  runId?: string;
  now?: Date;
}

export interface SubmitResult {
  run: ResolvedRun;
  result: Advance;
}

export async function submitPipeline(spec: PipelineSpec, options: SubmitOptions): Promise<SubmitResult> {
  const log = options.log ?? silentLogger;
  const run = resolveRun(spec, {
    ...(options.now ? { now: options.now } : {}),
    ...(options.runId ? { runId: options.runId } : {}),
  });
  await checkRunOptions(run);
  const redis = await openRedis(options.target);
  try {
    const registry = new RunRegistry(redis, options.target.queue);
    if (!options.force) {
      const busy = await registry.runningRunsWriting(run.steps.map((s) => s.out));
      if (busy.length > 0) {
        throw new WeftError(
          'E_OUTPUT',
          `run ${busy[0]!.id} is still running and writes into ${busy[0]!.steps.map((s) => s.out).join(', ')}; wait for it (weft status), or pass --force`,
          { data: { run: busy[0]!.id } },
        );
      }
    }
    const overwriteSteps = run.overwrite ? [0] : [];
    const result = await advance(run, undefined, { log, overwriteSteps });
    await registry.createRun(run);
    if (run.overwrite) await registry.firstEntries(run.id, [0]);
    const flow = new FlowProducer({ connection: bullConnection(options.target) });
    try {
      await applyAdvance(result, { flow, queue: options.target.queue, run, registry, log });
    } finally {
      await flow.close();
    }
    return { run, result };
  } finally {
    redis.disconnect();
  }
}
