// bench/scale: queue mode on this machine, against a private redis-server.
// (1) Throughput of a CPU-bound stage (MinHash in plain JavaScript) through the queue with 1 and with
//     2 `weft worker` processes, beside the same job run in one process with no queue (the anchor).
//     The stage's span (first task started → last task done, from the workers' logs) and the end-to-end
//     time (submit → committed) are both shown. Goal: 2 workers ≥ 1.8 × 1 worker.
// (2) Queue overhead per job: trivial one-row tasks through the queue with one worker. Measured in the
//     same run: the wall time from submit to the last task done, minus the time the tasks themselves
//     took in the worker's child process (from the worker's JSON log), per job. Goal: ≤ 5 ms. Shown
//     beside the same tasks in one process with no queue, and a bare BullMQ no-op job.
// Usage: npm run bench -- scale [--tasks 16] [--docs 1500] [--jobs 300] [--rounds 3]
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Worker as BullWorker, Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { normalizeSpec } from '../src/queue/pipeline-spec.js';
import { weftKeys } from '../src/queue/redis.js';
import { submitPipeline } from '../src/queue/submit.js';
import { runJob } from '../src/run/run-job.js';
import { startRedis } from '../test/helpers/redis-server.js';

const { values } = parseArgs({
  options: {
    tasks: { type: 'string', default: '16' },
    docs: { type: 'string', default: '1500' },
    jobs: { type: 'string', default: '300' },
    rounds: { type: 'string', default: '3' },
  },
});
const tasks = Number(values.tasks);
const docsPerTask = Number(values.docs);
const jobs = Number(values.jobs);
const rounds = Number(values.rounds);

process.env.WEFT_JOB_MODULES = fileURLToPath(new URL('./lib/scale-job.js', import.meta.url));
const cli = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));

interface Worker {
  child: ChildProcess;
  exited: Promise<void>;
  /** Its log lines (JSON). */
  lines: string[];
}

function startWorker(url: string, queue: string): Promise<Worker> {
  // Its per-job log lines are produced as in production (that work is part of the overhead).
  const child = spawn(
    process.execPath,
    [cli, 'worker', '--redis', url, '--queue', queue, '--concurrency', '1', '--log-format', 'json'],
    { stdio: ['ignore', 'ignore', 'pipe'], env: process.env },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const lines: string[] = [];
  let rest = '';
  return new Promise((resolve, reject) => {
    child.stderr!.on('data', (chunk: Buffer) => {
      const parts = (rest + chunk.toString()).split('\n');
      rest = parts.pop()!;
      for (const line of parts) {
        lines.push(line);
        if (line.includes('worker ready')) resolve({ child, exited, lines });
      }
    });
    child.once('exit', (code) => reject(new Error(`worker exited early (${code}):\n${lines.join('\n')}`)));
  });
}

/** From a worker's log: the tasks' own wall time in the child (ms), and when the last one ended. */
function taskTimes(lines: string[], runId: string): { taskMs: number; tasks: number; lastDoneAt: number } {
  let taskMs = 0;
  let count = 0;
  let lastDoneAt = 0;
  for (const line of lines) {
    if (!line.startsWith('{')) continue;
    const entry = JSON.parse(line) as { run?: string; msg: string; wallMs?: number; time: string };
    if (entry.run !== runId || !/^task \d+ done/.test(entry.msg)) continue;
    taskMs += entry.wallMs ?? 0;
    count += 1;
    lastDoneAt = Math.max(lastDoneAt, Date.parse(entry.time));
  }
  return { taskMs, tasks: count, lastDoneAt };
}

async function waitDone(redis: Redis, queue: string, runId: string): Promise<void> {
  const key = weftKeys(queue).state(runId);
  for (;;) {
    const state = await redis.hget(key, 'state');
    if (state === 'done') return;
    if (state === 'failed') throw new Error(`run ${runId} failed: ${await redis.hget(key, 'error')}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

interface QueuedRun {
  totalMs: number;
  submitMs: number;
  runId: string;
  startedAt: number;
}

async function viaQueue(
  target: { url: string; queue: string },
  redis: Redis,
  dir: string,
  options: Record<string, unknown>,
  outName: string,
): Promise<QueuedRun> {
  const spec = normalizeSpec(
    { name: outName, out: join(dir, outName), job: 'bench-minhash', options },
    'bench',
    dir,
    outName,
  );
  const startedAt = Date.now();
  const start = performance.now();
  const { run } = await submitPipeline(spec, { target });
  const submitMs = performance.now() - start;
  await waitDone(redis, target.queue, run.id);
  return { totalMs: performance.now() - start, submitMs, runId: run.id, startedAt };
}

async function inProcess(dir: string, options: Record<string, unknown>, outName: string): Promise<number> {
  const start = performance.now();
  await runJob('bench-minhash', options, { outDir: join(dir, outName), workers: 1 });
  return performance.now() - start;
}

async function withWorkers<T>(
  url: string,
  queue: string,
  n: number,
  fn: (workers: Worker[]) => Promise<T>,
): Promise<T> {
  const workers = await Promise.all(Array.from({ length: n }, () => startWorker(url, queue)));
  try {
    return await fn(workers);
  } finally {
    for (const w of workers) w.child.kill('SIGTERM');
    await Promise.all(workers.map((w) => w.exited));
  }
}

async function bareBullmq(url: string, queueName: string, n: number): Promise<number> {
  const connection = { url, maxRetriesPerRequest: null };
  const queue = new Queue(queueName, { connection });
  let done = 0;
  let finish: () => void = () => {};
  const finished = new Promise<void>((resolve) => {
    finish = resolve;
  });
  const worker = new BullWorker(
    queueName,
    async () => {
      done += 1;
      if (done === n) finish();
      return null;
    },
    { connection, concurrency: 1 },
  );
  await worker.waitUntilReady();
  const start = performance.now();
  await queue.addBulk(Array.from({ length: n }, (_, i) => ({ name: 'noop', data: { i } })));
  await finished;
  const ms = performance.now() - start;
  await worker.close();
  await queue.close();
  return ms;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** From the workers' logs: first task started → last task done of a run (the stage itself). */
function stageSpan(workers: Worker[], runId: string): number {
  let first = Number.POSITIVE_INFINITY;
  let last = 0;
  for (const line of workers.flatMap((w) => w.lines)) {
    if (!line.startsWith('{')) continue;
    const entry = JSON.parse(line) as { run?: string; msg: string; time: string };
    if (entry.run !== runId) continue;
    const at = Date.parse(entry.time);
    if (/^task \d+ \(.*\) started$/.test(entry.msg)) first = Math.min(first, at);
    if (/^task \d+ done/.test(entry.msg)) last = Math.max(last, at);
  }
  return last - first;
}

/**
 * What the machine gives right now: the same documents hashed by plain node processes with no weft at
 * all, in 1 process and split over 2 at once. On a shared machine this is the ceiling for 2 workers.
 */
async function plainProcesses(n: number, docs: number): Promise<number> {
  const job = fileURLToPath(new URL('./lib/scale-job.js', import.meta.url));
  const script = `const { minhash, documentText } = await import(${JSON.stringify(job)});
    const [start, end] = process.argv.slice(1).map(Number);
    for (let i = start; i < end; i++) minhash(documentText(i, 400), 256);`;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: n }, (_, k) => {
      const child = spawn(
        process.execPath,
        ['--input-type=module', '-e', script, String((k * docs) / n), String(((k + 1) * docs) / n)],
        {
          stdio: 'ignore',
        },
      );
      return new Promise((resolve) => child.once('exit', resolve));
    }),
  );
  return performance.now() - start;
}

async function cpuBound(url: string, redis: Redis, dir: string): Promise<void> {
  const cpu = { tasks, docsPerTask };
  const docs = tasks * docsPerTask;
  const total: Record<'anchor' | 'one' | 'two', number[]> = { anchor: [], one: [], two: [] };
  const plain: Record<'one' | 'two', number[]> = { one: [], two: [] };
  const stage: Record<'one' | 'two', number[]> = { one: [], two: [] };
  for (let r = 0; r < rounds; r++) {
    total.anchor.push(await inProcess(dir, cpu, `anchor-${r}`));
    plain.one.push(await plainProcesses(1, docs));
    plain.two.push(await plainProcesses(2, docs));
    // Alternate the order, so a load change on the shared machine does not favour one side.
    const order = r % 2 === 0 ? ([1, 2] as const) : ([2, 1] as const);
    for (const n of order) {
      const key = n === 1 ? 'one' : 'two';
      const queue = `cpu-${r}-${n}`;
      const result = await withWorkers(url, queue, n, async (workers) => {
        // Warm-up: each worker's child process starts on its first job, not inside the measurement.
        await viaQueue({ url, queue }, redis, dir, { tasks: 4 * n, docsPerTask: 1 }, `warm-${queue}`);
        const run = await viaQueue({ url, queue }, redis, dir, cpu, `run-${queue}`);
        return { totalMs: run.totalMs, stageMs: stageSpan(workers, run.runId) };
      });
      total[key].push(result.totalMs);
      stage[key].push(result.stageMs);
    }
  }
  const rate = (ms: number) => ((docs / ms) * 1000).toFixed(1);
  const [a, w1, w2] = [median(total.anchor), median(total.one), median(total.two)];
  const [s1, s2] = [median(stage.one), median(stage.two)];
  const seconds = (xs: number[]) => xs.map((x) => +(x / 1000).toFixed(2));
  console.log(
    `\n(1) CPU-bound stage (MinHash, ${tasks} tasks × ${docsPerTask} documents), median of ${rounds}:`,
  );
  console.log(
    `  anchor, one process, no queue : ${rate(a)} docs/s (${(a / 1000).toFixed(2)} s, planning and commit included)`,
  );
  console.log(
    `  queue, 1 worker               : ${rate(w1)} docs/s end to end (${(w1 / 1000).toFixed(2)} s); stage alone ${rate(s1)} docs/s`,
  );
  console.log(
    `  queue, 2 workers              : ${rate(w2)} docs/s end to end (${(w2 / 1000).toFixed(2)} s); stage alone ${rate(s2)} docs/s`,
  );
  console.log(
    `  speed-up 2 workers / 1 worker : ${(s1 / s2).toFixed(2)} × for the stage (goal ≥ 1.8); ${(w1 / w2).toFixed(2)} × end to end (submit and commit included)`,
  );
  console.log(`  1 worker / anchor             : ${(a / w1).toFixed(2)} × end to end`);
  const [p1, p2] = [median(plain.one), median(plain.two)];
  console.log(
    `  machine ceiling (no weft)     : plain node, 1 process ${rate(p1)} docs/s, 2 processes ${rate(p2)} docs/s = ${(p1 / p2).toFixed(2)} × (what 2 cores give right now)`,
  );
  console.log(
    `  all runs (s): anchor ${JSON.stringify(seconds(total.anchor))}, 1 worker ${JSON.stringify(seconds(total.one))} (stage ${JSON.stringify(seconds(stage.one))}), 2 workers ${JSON.stringify(seconds(total.two))} (stage ${JSON.stringify(seconds(stage.two))})`,
  );
}

async function overhead(url: string, redis: Redis, dir: string): Promise<void> {
  const trivial = { tasks: jobs, docsPerTask: 1, wordsPerDoc: 5, permutations: 1 };
  const anchorMs: number[] = [];
  const queueMs: number[] = [];
  const submitMs: number[] = [];
  const inTaskMs: number[] = [];
  const overheadMs: number[] = [];
  const bareMs: number[] = [];
  for (let r = 0; r < rounds; r++) {
    anchorMs.push(await inProcess(dir, trivial, `trivial-anchor-${r}`));
    const queue = `overhead-${r}`;
    const result = await withWorkers(url, queue, 1, async ([w]) => {
      await viaQueue({ url, queue }, redis, dir, { tasks: 4, docsPerTask: 1 }, `warm-${queue}`);
      const measured = await viaQueue({ url, queue }, redis, dir, trivial, `run-${queue}`);
      return { ...measured, times: taskTimes(w!.lines, measured.runId) };
    });
    if (result.times.tasks !== jobs)
      throw new Error(`expected ${jobs} task log lines, found ${result.times.tasks}`);
    queueMs.push(result.totalMs);
    submitMs.push(result.submitMs);
    inTaskMs.push(result.times.taskMs / jobs);
    overheadMs.push((result.times.lastDoneAt - result.startedAt - result.times.taskMs) / jobs);
    // Reference: BullMQ alone, a no-op processor in this process.
    bareMs.push(await bareBullmq(url, `bare-${r}`, jobs));
  }
  const [ta, tq, ts, tb] = [median(anchorMs), median(queueMs), median(submitMs), median(bareMs)];
  console.log(`\n(2) Queue overhead: ${jobs} one-row tasks, 1 worker, median of ${rounds}:`);
  console.log(
    `  anchor, one process, no queue : ${(ta / jobs).toFixed(2)} ms per task (${(ta / 1000).toFixed(2)} s)`,
  );
  console.log(
    `  queue, 1 worker               : ${(tq / jobs).toFixed(2)} ms per task (${(tq / 1000).toFixed(2)} s with the commit; submit ${(ts / 1000).toFixed(2)} s)`,
  );
  console.log(
    `    the tasks themselves        : ${median(inTaskMs).toFixed(2)} ms per task (in the worker's child process)`,
  );
  console.log(
    `  overhead per job              : ${median(overheadMs).toFixed(2)} ms  (goal ≤ 5 ms; submit → last task done, minus task time)`,
  );
  console.log(
    `  reference: bare BullMQ no-op  : ${(tb / jobs).toFixed(2)} ms per job (add + process, one worker)`,
  );
  console.log(`  all overheads (ms/job): ${JSON.stringify(overheadMs.map((x) => +x.toFixed(2)))}`);
}

async function main(): Promise<void> {
  const redisServer = await startRedis();
  const redis = new Redis(redisServer.url);
  const dir = await mkdtemp(join(tmpdir(), 'weft-bench-scale-'));
  const load = () =>
    loadavg()
      .map((l) => l.toFixed(1))
      .join(' ');
  console.log(
    `bench/scale: ${availableParallelism()} cores, load average ${load()} (on a shared machine the figures are noisy)`,
  );
  try {
    // Warm-up of the one-process anchor (module loading, JIT), as the queue side gets its own.
    await inProcess(dir, { tasks: 4, docsPerTask: 1 }, 'warm-anchor');
    await cpuBound(redisServer.url, redis, dir);
    await overhead(redisServer.url, redis, dir);
    console.log(`\nload average at the end: ${load()}`);
  } finally {
    redis.disconnect();
    await redisServer.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
