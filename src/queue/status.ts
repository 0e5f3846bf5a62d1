// `weft status`: progress of queued runs, per step and per phase, from weft's run records and the
// jobs BullMQ has active right now; needs only Redis, not the shared storage.
import { Queue } from 'bullmq';
import type { QueueJobData } from './flows.js';
import { bullConnection, openRedis, type QueueTarget } from './redis.js';
import { type RunRecord, RunRegistry, type RunStateName } from './registry.js';

export interface StageStatus {
  step: number;
  stepName: string;
  stage: string;
  phase?: string;
  total: number;
  /** Finished tasks: done before this run, plus done in it. */
  done: number;
  running: number;
  failed: number;
  failures: Record<string, string>;
}

export interface RunStatus {
  id: string;
  name: string;
  state: RunStateName;
  createdAt: string;
  finishedAt?: string;
  error?: string;
  runDir: string;
  scheduleId?: string;
  steps: { name: string; job: string; out: string; rows?: number; shards?: number; committed: boolean }[];
  stages: StageStatus[];
}

export interface QueueStatus {
  queue: string;
  workers: number;
  jobs: Record<string, number>;
  runs: RunStatus[];
}

function toRunStatus(record: RunRecord, running: Map<string, number>): RunStatus {
  const { run } = record;
  return {
    id: run.id,
    name: run.name,
    state: record.state,
    createdAt: run.createdAt,
    ...(record.finishedAt ? { finishedAt: record.finishedAt } : {}),
    ...(record.error ? { error: record.error } : {}),
    runDir: run.runDir,
    ...(run.scheduleId ? { scheduleId: run.scheduleId } : {}),
    steps: run.steps.map((s, i) => {
      const committed = record.steps.find((r) => r.step === i);
      return {
        name: s.name,
        job: s.job,
        out: s.out,
        committed: committed !== undefined,
        ...(committed ? { rows: committed.rows, shards: committed.shards } : {}),
      };
    }),
    stages: record.stages.map((s) => ({
      step: s.step,
      stepName: run.steps[s.step]?.name ?? String(s.step),
      stage: s.stage,
      ...(s.phase ? { phase: s.phase } : {}),
      total: s.total,
      done: Math.min(s.total, s.alreadyDone + s.done),
      running: running.get(`${run.id}/${s.step}/${s.stage}`) ?? 0,
      failed: Object.keys(s.failed).length,
      failures: s.failed,
    })),
  };
}

export async function queueStatus(
  target: QueueTarget,
  options: { runId?: string; limit?: number } = {},
): Promise<QueueStatus> {
  const redis = await openRedis(target);
  const queue = new Queue<QueueJobData>(target.queue, { connection: bullConnection(target) });
  try {
    const registry = new RunRegistry(redis, target.queue);
    const jobs = await queue.getJobCounts(
      'waiting',
      'active',
      'delayed',
      'prioritized',
      'waiting-children',
      'completed',
      'failed',
    );
    const workers = await queue.getWorkersCount().catch(() => -1);
    const running = new Map<string, number>();
    for (const job of await queue.getActive(0, 10_000)) {
      const data = job.data as QueueJobData | undefined;
      if (data?.kind !== 'task') continue;
      const key = `${data.runId}/${data.step}/${data.stage}`;
      running.set(key, (running.get(key) ?? 0) + 1);
    }
    const ids = options.runId ? [options.runId] : await registry.runIds(options.limit ?? 10);
    const runs: RunStatus[] = [];
    for (const id of ids) {
      const record = await registry.getRun(id);
      if (record) runs.push(toRunStatus(record, running));
    }
    return { queue: target.queue, workers, jobs, runs };
  } finally {
    await queue.close();
    redis.disconnect();
  }
}

function bar(done: number, total: number, width = 20): string {
  const filled = total === 0 ? width : Math.round((done / total) * width);
  return `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`;
}

/** The human view of `weft status`. */
export function formatStatus(status: QueueStatus): string {
  const j = status.jobs;
  const lines = [
    `queue ${status.queue}: ${status.workers >= 0 ? status.workers : '?'} worker connection(s); jobs: ${j.active ?? 0} active, ${(j.waiting ?? 0) + (j.prioritized ?? 0)} waiting, ${j.delayed ?? 0} delayed (retry backoff), ${j['waiting-children'] ?? 0} waiting for their tasks, ${j.failed ?? 0} failed`,
  ];
  if (status.runs.length === 0) lines.push('no runs');
  for (const run of status.runs) {
    const when = run.finishedAt ? `finished ${run.finishedAt}` : `submitted ${run.createdAt}`;
    lines.push(
      '',
      `run ${run.id}: ${run.state.toUpperCase()} (${when})${run.scheduleId ? ` from schedule ${run.scheduleId}` : ''}`,
    );
    if (run.error) lines.push(`  error: ${run.error}`);
    run.steps.forEach((step, i) => {
      const rows = step.committed ? `: ${step.rows} rows in ${step.shards} shard(s)` : '';
      lines.push(`  step ${step.name} (${step.job}) → ${step.out}${rows}`);
      for (const stage of run.stages.filter((s) => s.step === i)) {
        const label = stage.phase ? `phase ${stage.phase}` : 'tasks';
        const extra = [
          stage.running ? `${stage.running} running` : '',
          stage.failed ? `${stage.failed} failed` : '',
        ]
          .filter(Boolean)
          .join(', ');
        lines.push(
          `    ${label.padEnd(18)} ${bar(stage.done, stage.total)} ${stage.done}/${stage.total}${extra ? ` (${extra})` : ''}`,
        );
        for (const [task, message] of Object.entries(stage.failures).slice(0, 5))
          lines.push(`      task ${task}: ${message}`);
      }
    });
  }
  return `${lines.join('\n')}\n`;
}
