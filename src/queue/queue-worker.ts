// `weft worker`: takes jobs from the BullMQ queue and runs them in child processes: tasks, stage ends
// (reduce, commit, prepare the next step) and schedule firings. Any number of workers on any number of
// machines share the queue; a killed worker's job goes back to the queue after the stall interval, and
// task output is published atomically, so a redone task never duplicates rows. SIGTERM drains: the
// current jobs finish, or after --shutdown-timeout are handed back to the queue for another worker.
import { availableParallelism, hostname } from 'node:os';
import { FlowProducer, type Job, Queue, UnrecoverableError, WaitingError, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { describeError, isWeftError } from '../errors.js';
import type { Logger } from '../pipeline/logger.js';
import { ChildPool, type TaskOutcomeValue } from './child-pool.js';
import {
  applyAdvance,
  type FireJobData,
  type QueueJobData,
  stepsEnteredFrom,
  type TaskJobData,
} from './flows.js';
import { type ResolvedRun, resolveRun, timeStamp } from './pipeline-spec.js';
import { bullConnection, openRedis, type QueueTarget, redactUrl } from './redis.js';
import { RunRegistry } from './registry.js';
import type { Advance, StageRef } from './stages.js';

export interface QueueWorkerOptions {
  target: QueueTarget;
  /** Jobs at a time, each in its own child process (default: available cores). */
  concurrency?: number;
  /** A job whose worker stops renewing its lock for this long is given to another worker (default 30 s). */
  stallTimeoutMs?: number;
  /** After SIGTERM, how long running jobs may take to finish before they are handed back (default 20 s). */
  shutdownTimeoutMs?: number;
  /** Exit once the queue has had nothing to do for this long (batch allocations, tests). */
  idleExitMs?: number;
  log: Logger;
  /** Aborted: drain (finish or hand back the current jobs) and exit. */
  signal: AbortSignal;
  /** Aborted: hand back the current jobs now. */
  releaseSignal?: AbortSignal;
}

export interface WorkerSummary {
  completed: number;
  failed: number;
  released: number;
}

/** When a schedule fired: from the repeat job's id (repeat:ID:MILLIS), else its creation time. */
function fireTime(job: Job): Date {
  const millis = Number(job.id?.split(':').at(-1));
  return new Date(Number.isFinite(millis) && millis > 0 ? millis : job.timestamp);
}

export async function runQueueWorker(options: QueueWorkerOptions): Promise<WorkerSummary> {
  const { target, log } = options;
  const concurrency = Math.max(1, options.concurrency ?? availableParallelism());
  const stallMs = options.stallTimeoutMs ?? 30_000;
  // Fails fast (E_SERVICE) when Redis cannot be reached at start; from then on, like BullMQ's own
  // connections, the worker rides out a Redis restart instead of giving up.
  (await openRedis(target)).disconnect();
  const redis = new Redis(target.url, {
    maxRetriesPerRequest: null,
    retryStrategy: (times) => Math.min(times * 500, 5000),
  });
  let lastRedisWarning = 0;
  redis.on('error', (error) => {
    if (Date.now() - lastRedisWarning < 10_000) return;
    lastRedisWarning = Date.now();
    log.warn(`Redis connection trouble (retrying): ${error.message}`);
  });
  const registry = new RunRegistry(redis, target.queue);
  const connection = bullConnection(target);
  const flow = new FlowProducer({ connection });
  const queue = new Queue(target.queue, { connection });
  const pool = new ChildPool();
  const release = new AbortController();
  const summary: WorkerSummary = { completed: 0, failed: 0, released: 0 };
  let active = 0;

  const advanceRun = async (run: ResolvedRun, from: StageRef | undefined, jobLog: Logger) => {
    const overwriteSteps = run.overwrite
      ? await registry.firstEntries(run.id, stepsEnteredFrom(run, from))
      : [];
    const result = await pool.run<Advance>(
      { kind: 'advance', run, from, overwriteSteps },
      { log: jobLog, signal: release.signal },
    );
    await applyAdvance(result, { flow, queue: target.queue, run, registry, log: jobLog });
    return {
      committed: result.committed.map((s) => ({ step: s.step, rows: s.rows })),
      next: result.next
        ? { step: result.next.step, stage: result.next.stage, tasks: result.next.assignments.length }
        : null,
    };
  };

  const runTaskJob = async (data: TaskJobData, jobLog: Logger) => {
    const { assignment } = data;
    jobLog.info(`task ${assignment.info.id} (${assignment.task.label}) started`);
    const started = performance.now();
    const value = await pool.run<TaskOutcomeValue>(
      { kind: 'task', assignment },
      { log: jobLog, signal: release.signal },
    );
    const wallMs = Math.round(performance.now() - started);
    await registry.taskDone(data.runId, data.step, data.stage, assignment.info.id);
    const dropped: Record<string, number> = {};
    for (const stage of value.stages)
      for (const [k, n] of Object.entries(stage.dropped)) dropped[k] = (dropped[k] ?? 0) + n;
    jobLog.info(
      value.alreadyDone
        ? `task ${assignment.info.id} was already done by another attempt`
        : `task ${assignment.info.id} done: ${value.rows} rows`,
      {
        label: assignment.task.label,
        rows: value.rows,
        durationMs: value.durationMs,
        wallMs,
        published: value.published,
        dropped,
      },
    );
    return value;
  };

  const processor = async (job: Job<QueueJobData>, token?: string): Promise<unknown> => {
    const data = job.data;
    // A firing's run id comes from the schedule and the fire time: a redelivered firing is the same run.
    const runId =
      data.kind === 'task'
        ? data.runId
        : data.kind === 'stage-end'
          ? data.run.id
          : `${data.spec.name}-${timeStamp(fireTime(job))}`;
    const jobLog = log.child({
      jobId: job.id,
      kind: data.kind,
      run: runId,
      ...(data.kind !== 'fire' ? { step: data.step, stage: data.stage } : { schedule: data.scheduleId }),
      ...(data.kind === 'task' ? { task: data.assignment.info.id } : {}),
      ...(data.kind === 'task' && data.assignment.phase ? { phase: data.assignment.phase } : {}),
      attempt: job.attemptsMade + 1,
      host: hostname(),
    });
    active += 1;
    try {
      if (data.kind === 'task') return await runTaskJob(data, jobLog);
      if (data.kind === 'stage-end') {
        return await advanceRun(data.run, { step: data.step, stage: data.stage }, jobLog);
      }
      if (!data.allowOverlap) {
        const previous = await registry.runningRunOfSchedule(data.scheduleId);
        if (previous && previous !== runId) {
          jobLog.warn(
            `schedule ${data.scheduleId} fired while its run ${previous} is still running: skipped`,
            {
              running: previous,
            },
          );
          return { skipped: true, running: previous };
        }
      }
      const run = resolveRun((data as FireJobData).spec, {
        now: fireTime(job),
        dated: true,
        scheduleId: data.scheduleId,
        runId,
      });
      if (!(await registry.getRun(run.id))) await registry.createRun(run);
      jobLog.info(`schedule ${data.scheduleId} fired: run ${run.id} into ${run.runDir}`, { run: run.id });
      return await advanceRun(run, undefined, jobLog);
    } catch (error) {
      if (release.signal.aborted && token) {
        // Shutting down: hand the job back without spending one of its attempts.
        await job.moveToWait(token);
        summary.released += 1;
        jobLog.warn('released: the worker is shutting down; another worker will take it');
        throw new WaitingError();
      }
      const message = describeError(error);
      const permanent = isWeftError(error) && (error.code === 'E_CONFIG' || error.code === 'E_USAGE');
      const final = permanent || job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      jobLog.error(`${data.kind} failed${final ? '' : ', will retry'}: ${message}`, {
        code: isWeftError(error) ? error.code : undefined,
        final,
      });
      // A firing that failed before its run was recorded has no run to mark.
      if (final && (data.kind !== 'fire' || (await registry.getRun(runId)))) {
        if (data.kind === 'task')
          await registry.taskFailed(runId, data.step, data.stage, data.assignment.info.id, message);
        const where =
          data.kind === 'task'
            ? `task ${data.assignment.info.id} (${data.assignment.task.label})`
            : data.kind;
        await registry.finish(runId, 'failed', `${where}: ${message}`);
      }
      throw permanent ? new UnrecoverableError(message) : error;
    } finally {
      active -= 1;
    }
  };

  const worker = new Worker<QueueJobData>(target.queue, processor, {
    connection,
    concurrency,
    autorun: false,
    lockDuration: stallMs,
    stalledInterval: stallMs,
    maxStalledCount: 2,
    removeOnComplete: { age: 7 * 24 * 3600 },
    removeOnFail: { age: 30 * 24 * 3600 },
  });
  worker.on('completed', () => {
    summary.completed += 1;
  });
  worker.on('failed', async (job, error) => {
    summary.failed += 1;
    // Jobs failed by BullMQ itself (stalled too often) never reached the catch above.
    if (job && /stalled/i.test(error.message)) {
      const data = job.data;
      const runId = data.kind === 'task' ? data.runId : data.kind === 'stage-end' ? data.run.id : undefined;
      log.error(`job ${job.id} failed: ${error.message}`, { jobId: job.id });
      if (!runId) return;
      if (data.kind === 'task') {
        await registry
          .taskFailed(runId, data.step, data.stage, data.assignment.info.id, error.message)
          .catch(() => {});
      }
      await registry.finish(runId, 'failed', `${job.id}: ${error.message}`).catch(() => {});
    }
  });
  worker.on('error', (error) => log.warn(`queue connection trouble: ${error.message}`));

  log.info(
    `worker ready on ${redactUrl(target.url)} queue ${target.queue}: ${concurrency} job(s) at a time, stall timeout ${stallMs} ms`,
    { host: hostname(), pid: process.pid, concurrency },
  );
  const running = worker.run();

  let closing: Promise<void> | undefined;
  const stop = (why: string) => {
    if (closing) return closing;
    log.info(`${why}: finishing ${active} running job(s), then exiting`, { active });
    const timer = setTimeout(() => {
      if (active > 0) log.warn(`shutdown timeout: handing ${active} running job(s) back to the queue`);
      release.abort();
    }, options.shutdownTimeoutMs ?? 20_000);
    timer.unref();
    closing = worker.close().finally(() => clearTimeout(timer));
    return closing;
  };
  options.signal.addEventListener('abort', () => void stop('stopping'), { once: true });
  options.releaseSignal?.addEventListener('abort', () => release.abort(), { once: true });
  if (options.signal.aborted) void stop('stopping');

  let idleSince = Date.now();
  const idleTimer = options.idleExitMs
    ? setInterval(async () => {
        const counts = await queue
          .getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'waiting-children')
          .catch(() => undefined);
        const pending = counts ? Object.values(counts).reduce((a, b) => a + b, 0) : 1;
        if (pending > 0 || active > 0) idleSince = Date.now();
        else if (Date.now() - idleSince >= options.idleExitMs!) void stop('idle');
      }, 500)
    : undefined;

  try {
    await running;
    if (closing) await closing;
  } finally {
    if (idleTimer) clearInterval(idleTimer);
    await pool.close();
    await flow.close();
    await queue.close();
    redis.disconnect();
  }
  log.info(
    `worker stopped: ${summary.completed} job(s) completed, ${summary.failed} failed attempt(s), ${summary.released} handed back`,
    {
      ...summary,
    },
  );
  return summary;
}
