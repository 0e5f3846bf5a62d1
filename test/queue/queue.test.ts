// Queue mode end to end on a real redis-server: `weft submit`, several `weft worker` processes, and the
// datasets they commit compared row for row with single-process runs of the same jobs.
import { readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { StatsFile } from '../../src/dataset/commit.js';
import { readDatasetRows } from '../../src/dataset/dataset-reader.js';
import { repoRoot } from '../helpers/paths.js';
import { hasRedis, type RedisInstance, startRedis } from '../helpers/redis-server.js';
import { type CliResult, runCli } from '../helpers/run-cli.js';
import { tempDir } from '../helpers/temp-dir.js';
import { startWeft, type WeftProcess } from '../helpers/weft-process.js';

const env = { WEFT_JOB_MODULES: resolve(repoRoot, 'test/fixtures/jobs/test-jobs.mjs') };

async function rowsOf(dir: string): Promise<Record<string, unknown>[]> {
  const rows: Record<string, unknown>[] = [];
  for await (const row of readDatasetRows(dir)) rows.push(row);
  return rows;
}

async function stagesOf(dir: string) {
  const stats = JSON.parse(await readFile(join(dir, 'stats.json'), 'utf8')) as StatsFile;
  return stats.stages.map((s) => ({
    name: s.name,
    in: s.in,
    out: s.out,
    dropped: s.dropped,
    counters: s.counters,
  }));
}

function ok(result: CliResult): CliResult {
  if (result.code !== 0) throw new Error(`weft exited ${result.code}:\n${result.stderr}\n${result.stdout}`);
  return result;
}

/** The reference: the same job run in one process, into `dir/single`. */
async function singleRun(dir: string, job: string, options: unknown): Promise<void> {
  const args = [
    'run',
    job,
    '--options',
    JSON.stringify(options),
    '--out',
    join(dir, 'single'),
    '--workers',
    '1',
  ];
  ok(await runCli(args, { env }));
}

/** Tasks each worker finished, from its JSON log lines. */
function tasksDoneBy(worker: WeftProcess): string[] {
  return worker
    .json()
    .filter((l) => typeof l.msg === 'string' && /^task \d+ done/.test(l.msg))
    .map((l) => String(l.task));
}

describe.skipIf(!hasRedis)('queue mode (BullMQ on a real redis-server)', () => {
  let redis: RedisInstance;
  let queueNo = 0;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  /** A fresh queue per test, so tests never see each other's jobs. */
  function queueArgs(): string[] {
    queueNo += 1;
    return ['--redis', redis.url, '--queue', `test${queueNo}`];
  }

  function worker(queue: string[], extra: string[] = []): WeftProcess {
    return startWeft(
      ['worker', ...queue, '--concurrency', '1', '--idle-exit', '1500ms', '--log-format', 'json', ...extra],
      env,
    );
  }

  async function status(queue: string[], runId: string) {
    const result = ok(await runCli(['status', ...queue, '--run', runId, '--json'], { env }));
    return JSON.parse(result.stdout).runs[0];
  }

  test('a pipeline split across 3 worker processes produces exactly the rows of a single-process run', async () => {
    const dir = await tempDir();
    const options = { count: 144, imagesPerTask: 12 };
    await singleRun(dir, 'demo-images', options);
    await writeFile(
      join(dir, 'pipeline.yaml'),
      `name: images\nout: queued\njob: demo-images\noptions:\n  count: ${options.count}\n  imagesPerTask: ${options.imagesPerTask}\n`,
    );
    const queue = queueArgs();
    const submitted = JSON.parse(
      ok(await runCli(['submit', join(dir, 'pipeline.yaml'), ...queue, '--json'], { env })).stdout,
    );
    expect(submitted).toMatchObject({ ok: true, state: 'running', enqueued: { tasks: 12, total: 12 } });

    const workers = [worker(queue), worker(queue), worker(queue)];
    const exits = await Promise.all(workers.map((w) => w.exited));
    expect(exits.map((e) => e.code)).toEqual([0, 0, 0]);

    const done = workers.map(tasksDoneBy);
    expect(done.flat().sort()).toEqual(Array.from({ length: 12 }, (_, i) => String(i).padStart(5, '0')));
    expect(done.filter((d) => d.length > 0).length).toBeGreaterThanOrEqual(2);
    const single = await rowsOf(join(dir, 'single'));
    expect(single.length).toBeGreaterThan(100);
    const run = await status(queue, submitted.run);
    expect(run).toMatchObject({ state: 'done', steps: [{ committed: true, rows: single.length }] });
    expect(run.stages).toMatchObject([{ stage: 'tasks', total: 12, done: 12, failed: 0 }]);
    expect(await rowsOf(join(dir, 'queued'))).toEqual(single);
    // Per-task stats are merged into the dataset's stats exactly as in a one-process run.
    expect(await stagesOf(join(dir, 'queued'))).toEqual(await stagesOf(join(dir, 'single')));
  });

  test('a worker killed with SIGKILL mid-job: its job is redone after the stall interval, no row lost or doubled', async () => {
    const dir = await tempDir();
    const options = { count: 120, imagesPerTask: 40 };
    await singleRun(dir, 'demo-images', options);
    await writeFile(
      join(dir, 'p.yaml'),
      `out: queued\njob: demo-images\noptions: ${JSON.stringify(options)}\n`,
    );
    const queue = queueArgs();
    const { run: runId } = JSON.parse(
      ok(await runCli(['submit', join(dir, 'p.yaml'), ...queue, '--json'], { env })).stdout,
    );

    const victim = worker(queue, ['--stall-timeout', '2s']);
    const started = JSON.parse(await victim.waitForLine(/"msg":"task \d+ \(.*\) started"/)) as {
      task: string;
    };
    victim.child.kill('SIGKILL');
    expect((await victim.exited).signal).toBe('SIGKILL');
    // It really died mid-job: it never reported the task done.
    expect(tasksDoneBy(victim)).not.toContain(started.task);

    const survivor = worker(queue, ['--stall-timeout', '2s']);
    expect((await survivor.exited).code).toBe(0);
    expect(tasksDoneBy(survivor)).toContain(started.task);
    expect(await status(queue, runId)).toMatchObject({ state: 'done', steps: [{ committed: true }] });

    const single = await rowsOf(join(dir, 'single'));
    const queued = await rowsOf(join(dir, 'queued'));
    expect(queued).toHaveLength(single.length);
    expect(queued).toEqual(single);
  });

  test('phases and steps: a parent job per phase, then a downstream step reading the first one', async () => {
    const dir = await tempDir();
    const numbers = { count: 120, perTask: 20 };
    await singleRun(dir, 'test-numbers', numbers);
    await writeFile(
      join(dir, 'chain.yaml'),
      [
        'name: chain',
        'out: runs',
        'steps:',
        '  - name: numbers',
        '    job: test-numbers',
        `    options: ${JSON.stringify(numbers)}`,
        '  - name: upper',
        '    job: test-upper-captions',
        '    options:',
        // biome-ignore lint/suspicious/noTemplateCurlyInString: a pipeline variable, not a template
        '      input: ${steps.numbers.out}',
        '',
      ].join('\n'),
    );
    const queue = queueArgs();
    const workers = [worker(queue), worker(queue)];
    const submit = ok(
      await runCli(['submit', join(dir, 'chain.yaml'), ...queue, '--wait', '--json'], { env }),
    );
    expect(JSON.parse(submit.stdout)).toMatchObject({ ok: true, state: 'done' });
    await Promise.all(workers.map((w) => w.exited));
    const logs = workers.flatMap((w) => w.json());
    // The phase's reduce ran once, in the stage-end job that BullMQ released after all 6 phase tasks.
    expect(logs.filter((l) => String(l.msg).startsWith('phase sum: reducing 6'))).toHaveLength(1);
    const run = await status(queue, JSON.parse(submit.stdout).run);
    expect(
      run.stages.map((s: { step: number; stage: string; done: number; total: number }) => [
        s.step,
        s.stage,
        s.done,
        s.total,
      ]),
    ).toEqual([
      [0, 'phase-sum', 6, 6],
      [0, 'tasks', 6, 6],
      [1, 'tasks', 1, 1],
    ]);

    const single = await rowsOf(join(dir, 'single'));
    expect(await rowsOf(join(dir, 'runs', 'numbers'))).toEqual(single);
    const upper = await rowsOf(join(dir, 'runs', 'upper'));
    expect(upper.map((r) => r.caption)).toEqual(single.map((r) => String(r.caption).toUpperCase()));
  });

  test('a task that keeps failing is retried with backoff, then fails the run; status names it', async () => {
    const dir = await tempDir();
    await writeFile(
      join(dir, 'bad.yaml'),
      `out: out\njob: test-numbers\noptions: { count: 40, perTask: 10, failTask: 2 }\nretry: { attempts: 2, backoffMs: 200 }\n`,
    );
    const queue = queueArgs();
    const w = worker(queue);
    const submit = await runCli(['submit', join(dir, 'bad.yaml'), ...queue, '--wait', '--json'], { env });
    expect(submit.code).toBe(1);
    const result = JSON.parse(submit.stdout);
    expect(result).toMatchObject({ ok: false, state: 'failed' });
    const run = await status(queue, result.run);
    expect(run.error).toMatch(/task 00002 .*fails on purpose/);
    expect(run.stages.at(-1)).toMatchObject({
      stage: 'tasks',
      failed: 1,
      failures: { '00002': expect.stringMatching(/on purpose/) },
    });
    await w.exited;
    const attempts = w.json().filter((l) => l.task === '00002' && /failed/.test(String(l.msg)));
    expect(attempts.map((l) => l.final)).toEqual([false, true]);
    // Nothing half-made was committed.
    expect(await readFile(join(dir, 'out', 'state.json'), 'utf8').catch(() => 'absent')).toBe('absent');
  });

  test('SIGTERM drains: a job still running at the shutdown timeout is handed back, not lost', async () => {
    const dir = await tempDir();
    await writeFile(
      join(dir, 'slow.yaml'),
      `out: out\njob: test-numbers\noptions: { count: 10, perTask: 10, delayMs: 1500 }\n`,
    );
    const queue = queueArgs();
    const { run: runId } = JSON.parse(
      ok(await runCli(['submit', join(dir, 'slow.yaml'), ...queue, '--json'], { env })).stdout,
    );
    const first = worker(queue, ['--shutdown-timeout', '300ms']);
    await first.waitForLine(/task 00000 .*started/);
    first.child.kill('SIGTERM');
    const exit = await first.exited;
    expect(exit.code).toBe(0);
    expect(first.lines.join('\n')).toMatch(/handing 1 running job\(s\) back to the queue/);
    expect(first.json().some((l) => String(l.msg).startsWith('released'))).toBe(true);
    // The handed-back job did not spend an attempt: the next worker runs it as attempt 1.
    const second = worker(queue);
    expect((await second.exited).code).toBe(0);
    const redone = second.json().find((l) => l.task === '00000' && /started/.test(String(l.msg)));
    expect(redone?.attempt).toBe(1);
    expect(await status(queue, runId)).toMatchObject({ state: 'done', steps: [{ rows: 10 }] });
  });

  test('bad input fails fast at submit with a clear error; nothing is enqueued', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'typo.yaml'), 'out: out\njob: demo-images\noptions: { cont: 10 }\n');
    const queue = queueArgs();
    const typo = await runCli(['submit', join(dir, 'typo.yaml'), ...queue]);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toMatch(/cont/);
    await writeFile(join(dir, 'shape.yaml'), 'out: out\nsteps: []\nretry: { attempts: 0 }\n');
    const shape = await runCli(['submit', join(dir, 'shape.yaml'), ...queue]);
    expect(shape.code).toBe(2);
    expect(shape.stderr).toMatch(/steps/);
    expect(shape.stderr).toMatch(/retry\.attempts/);
    // Options are checked before Redis is contacted; an unreachable Redis is a clear E_SERVICE.
    expect((await runCli(['submit', join(dir, 'typo.yaml'), '--redis', 'redis://127.0.0.1:1'])).code).toBe(2);
    await writeFile(join(dir, 'fine.yaml'), 'out: out\njob: demo-images\n');
    const down = await runCli(['submit', join(dir, 'fine.yaml'), '--redis', 'redis://127.0.0.1:1', '--json']);
    expect(down.code).toBe(1);
    expect(JSON.parse(down.stdout).error).toMatchObject({ code: 'E_SERVICE' });
    expect(down.stderr).toMatch(/cannot reach Redis at redis:\/\/127\.0\.0\.1:1/);
    const status = JSON.parse(ok(await runCli(['status', ...queue, '--json'])).stdout);
    expect(status.runs).toEqual([]);
  });
});
