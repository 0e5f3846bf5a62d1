// weft's own records of queued runs in Redis, beside BullMQ's jobs: what each run is, its stages
// with their task totals, which tasks are done or failed (sets, so a redelivered job never counts
// twice), and the run's state. `weft status` reads only these and BullMQ's active jobs.
import type { Redis } from 'ioredis';
import type { ResolvedRun } from './pipeline-spec.js';
import { weftKeys } from './redis.js';
import type { StagePlan, StepResult } from './stages.js';

/** Finished runs' records are kept this long. */
const KEEP_FINISHED_S = 30 * 24 * 3600;

export type RunStateName = 'running' | 'done' | 'failed';

export interface StageRecord {
  step: number;
  stage: string;
  phase?: string;
  total: number;
  alreadyDone: number;
  enqueuedAt: string;
}

export interface RunRecord {
  run: ResolvedRun;
  state: RunStateName;
  finishedAt?: string;
  error?: string;
  stages: (StageRecord & { done: number; failed: Record<string, string> })[];
  steps: StepResult[];
}

export function stageId(step: number, stage: string): string {
  return `${step}/${stage}`;
}

export class RunRegistry {
  private readonly redis: Redis;
  private readonly keys: ReturnType<typeof weftKeys>;

  constructor(redis: Redis, queue: string) {
    this.redis = redis;
    this.keys = weftKeys(queue);
  }

  async createRun(run: ResolvedRun): Promise<void> {
    await this.redis
      .multi()
      .set(this.keys.run(run.id), JSON.stringify(run))
      .hset(this.keys.state(run.id), 'state', 'running')
      .zadd(this.keys.runs, Date.parse(run.createdAt), run.id)
      .exec();
  }

  /** Of these steps, those entered for the first time now (only a first entry may --overwrite). */
  async firstEntries(runId: string, steps: number[]): Promise<number[]> {
    const fresh: number[] = [];
    for (const step of steps) {
      const set = await this.redis.set(this.keys.entered(runId, step), '1', 'EX', KEEP_FINISHED_S, 'NX');
      if (set === 'OK') fresh.push(step);
    }
    return fresh;
  }

  async recordStage(runId: string, plan: StagePlan): Promise<void> {
    const record: StageRecord = {
      step: plan.step,
      stage: plan.stage,
      ...(plan.phase ? { phase: plan.phase } : {}),
      total: plan.total,
      alreadyDone: plan.alreadyDone,
      enqueuedAt: new Date().toISOString(),
    };
    // A redelivered stage end re-records its next stage: the first record (and its time) stands.
    await this.redis.hsetnx(this.keys.stages(runId), stageId(plan.step, plan.stage), JSON.stringify(record));
  }

  async taskDone(runId: string, step: number, stage: string, task: string): Promise<void> {
    const id = stageId(step, stage);
    await this.redis
      .multi()
      .sadd(this.keys.done(runId, id), task)
      .hdel(this.keys.failed(runId, id), task)
      .exec();
  }

  async taskFailed(runId: string, step: number, stage: string, task: string, message: string): Promise<void> {
    await this.redis.hset(this.keys.failed(runId, stageId(step, stage)), task, message.slice(0, 2000));
  }

  async stepsCommitted(runId: string, results: StepResult[]): Promise<void> {
    if (results.length === 0) return;
    const fields = results.flatMap((r) => [`step:${r.step}`, JSON.stringify(r)]);
    await this.redis.hset(this.keys.state(runId), ...fields);
  }

  async finish(runId: string, state: 'done' | 'failed', error?: string): Promise<void> {
    const fields = [
      'state',
      state,
      'finishedAt',
      new Date().toISOString(),
      ...(error ? ['error', error.slice(0, 2000)] : []),
    ];
    await this.redis.hset(this.keys.state(runId), ...fields);
    const stages = await this.redis.hkeys(this.keys.stages(runId));
    const keys = [
      this.keys.run(runId),
      this.keys.state(runId),
      this.keys.stages(runId),
      ...stages.flatMap((s) => [this.keys.done(runId, s), this.keys.failed(runId, s)]),
    ];
    const multi = this.redis.multi();
    for (const key of keys) multi.expire(key, KEEP_FINISHED_S);
    await multi.exec();
  }

  /** Newest first. */
  async runIds(limit: number): Promise<string[]> {
    return this.redis.zrevrange(this.keys.runs, 0, limit - 1);
  }

  async getRun(runId: string): Promise<RunRecord | undefined> {
    const raw = await this.redis.get(this.keys.run(runId));
    if (!raw) return undefined;
    const run = JSON.parse(raw) as ResolvedRun;
    const state = await this.redis.hgetall(this.keys.state(runId));
    const stageHash = await this.redis.hgetall(this.keys.stages(runId));
    const stages: RunRecord['stages'] = [];
    for (const [id, json] of Object.entries(stageHash)) {
      const record = JSON.parse(json) as StageRecord;
      const done = await this.redis.scard(this.keys.done(runId, id));
      const failed = await this.redis.hgetall(this.keys.failed(runId, id));
      stages.push({ ...record, done, failed });
    }
    stages.sort((a, b) => a.step - b.step || a.enqueuedAt.localeCompare(b.enqueuedAt));
    const steps = Object.entries(state)
      .filter(([k]) => k.startsWith('step:'))
      .map(([, v]) => JSON.parse(v) as StepResult)
      .sort((a, b) => a.step - b.step);
    return {
      run,
      state: (state.state as RunStateName | undefined) ?? 'running',
      ...(state.finishedAt ? { finishedAt: state.finishedAt } : {}),
      ...(state.error ? { error: state.error } : {}),
      stages,
      steps,
    };
  }

  /** The newest run fired by this schedule that is still running, if any. */
  async runningRunOfSchedule(scheduleId: string): Promise<string | undefined> {
    for (const id of await this.runIds(50)) {
      const raw = await this.redis.get(this.keys.run(id));
      if (!raw || (JSON.parse(raw) as ResolvedRun).scheduleId !== scheduleId) continue;
      if ((await this.redis.hget(this.keys.state(id), 'state')) === 'running') return id;
    }
    return undefined;
  }

  /** Runs still running that write into any of these folders. */
  async runningRunsWriting(outs: string[]): Promise<ResolvedRun[]> {
    const found: ResolvedRun[] = [];
    for (const id of await this.runIds(1000)) {
      const state = await this.redis.hget(this.keys.state(id), 'state');
      if (state !== 'running') continue;
      const raw = await this.redis.get(this.keys.run(id));
      if (!raw) continue;
      const run = JSON.parse(raw) as ResolvedRun;
      if (run.steps.some((s) => outs.includes(s.out))) found.push(run);
    }
    return found;
  }
}
