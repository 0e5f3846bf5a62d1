// `weft schedule`: recurring runs of a pipeline (nightly re-crawls) as BullMQ job schedulers. Each
// firing is a `fire` job that a worker turns into a new run writing into OUT/<UTC time stamp>/, the
// first step (e.g. the crawl) followed by its downstream steps.
import { Queue } from 'bullmq';
import { WeftError } from '../errors.js';
import type { FireJobData } from './flows.js';
import { type PipelineSpec, resolveRun } from './pipeline-spec.js';
import { bullConnection, openRedis, type QueueTarget } from './redis.js';
import { checkRunOptions } from './stages.js';

export interface ScheduleInfo {
  id: string;
  cron?: string;
  tz?: string;
  everyMs?: number;
  /** Next firing (ISO time). */
  next?: string;
  fired: number;
  pipeline?: string;
  out?: string;
  steps?: string[];
  allowOverlap?: boolean;
}

export interface ScheduleOptions {
  cron: string;
  tz?: string;
  /** Scheduler id (default: the pipeline's name); scheduling the same id again replaces it. */
  id?: string;
  /** Start a run even while the previous one is still running (default: that firing is skipped). */
  allowOverlap?: boolean;
}

async function withQueue<T>(target: QueueTarget, fn: (queue: Queue<FireJobData>) => Promise<T>): Promise<T> {
  // openRedis fails fast with E_SERVICE; BullMQ's own connection would retry forever.
  (await openRedis(target)).disconnect();
  const queue = new Queue<FireJobData>(target.queue, { connection: bullConnection(target) });
  try {
    return await fn(queue);
  } finally {
    await queue.close();
  }
}

export async function addSchedule(
  target: QueueTarget,
  spec: PipelineSpec,
  options: ScheduleOptions,
): Promise<ScheduleInfo> {
  // Checked now, with the variables of a run firing now: a typo fails here, not at 3 am.
  await checkRunOptions(resolveRun(spec, { dated: true }));
  const id = options.id ?? spec.name;
  return withQueue(target, async (queue) => {
    try {
      await queue.upsertJobScheduler(
        id,
        { pattern: options.cron, ...(options.tz ? { tz: options.tz } : {}) },
        {
          name: 'fire',
          data: {
            kind: 'fire',
            scheduleId: id,
            spec,
            ...(options.allowOverlap ? { allowOverlap: true } : {}),
          },
          opts: {
            attempts: spec.retry.attempts,
            backoff: { type: 'exponential', delay: spec.retry.backoffMs },
          },
        },
      );
    } catch (error) {
      throw new WeftError(
        'E_USAGE',
        `--cron ${JSON.stringify(options.cron)}${options.tz ? ` --tz ${options.tz}` : ''} is not a valid schedule: ${(error as Error).message}. Use 5 fields (min hour day month weekday, e.g. "0 3 * * *") or 6 with seconds first`,
        { cause: error },
      );
    }
    const info = (await listOn(queue)).find((s) => s.id === id);
    if (!info) throw new WeftError('E_SERVICE', `schedule ${id} was not stored in Redis`);
    return info;
  });
}

async function listOn(queue: Queue<FireJobData>): Promise<ScheduleInfo[]> {
  const schedulers = await queue.getJobSchedulers(0, -1, true);
  return schedulers.map((s) => {
    const spec = s.template?.data?.spec;
    const allowOverlap = s.template?.data?.allowOverlap === true;
    return {
      id: s.key,
      ...(s.pattern ? { cron: s.pattern } : {}),
      ...(s.tz ? { tz: s.tz } : {}),
      ...(s.every ? { everyMs: s.every } : {}),
      ...(s.next ? { next: new Date(s.next).toISOString() } : {}),
      fired: s.iterationCount ?? 0,
      ...(spec
        ? { pipeline: spec.name, out: spec.out, steps: spec.steps.map((st) => `${st.name} (${st.job})`) }
        : {}),
      ...(allowOverlap ? { allowOverlap } : {}),
    };
  });
}

export function listSchedules(target: QueueTarget): Promise<ScheduleInfo[]> {
  return withQueue(target, listOn);
}

export async function removeSchedule(target: QueueTarget, id: string): Promise<boolean> {
  return withQueue(target, (queue) => queue.removeJobScheduler(id));
}
