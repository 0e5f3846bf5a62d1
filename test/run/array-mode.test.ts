// Array jobs as Slurm or Kubernetes run them: separate processes, one per slice, sharing one output
// folder, meeting at the phase barrier; then `weft commit`. The result must equal a one-process run.
import { mkdir, readFile, utimes, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, test } from 'vitest';
import type { StatsFile } from '../../src/dataset/commit.js';
import { readDatasetRows } from '../../src/dataset/dataset-reader.js';
import { repoRoot } from '../helpers/paths.js';
import { type CliResult, runCli } from '../helpers/run-cli.js';
import { tempDir } from '../helpers/temp-dir.js';

const env = { WEFT_JOB_MODULES: resolve(repoRoot, 'test/fixtures/jobs/test-jobs.mjs') };

async function rowsOf(dir: string): Promise<unknown[]> {
  const rows: unknown[] = [];
  for await (const row of readDatasetRows(dir)) rows.push(row);
  return rows;
}

async function statsOf(dir: string) {
  const stats = JSON.parse(await readFile(join(dir, 'stats.json'), 'utf8')) as StatsFile;
  const shape = (stages: StatsFile['stages']) =>
    stages.map((s) => ({ name: s.name, in: s.in, out: s.out, dropped: s.dropped }));
  return {
    rows: stats.rows,
    tasks: stats.tasks,
    stages: shape(stats.stages),
    phases: Object.keys(stats.phases),
  };
}

function ok(result: CliResult): CliResult {
  if (result.code !== 0) throw new Error(`weft exited ${result.code}:\n${result.stderr}`);
  return result;
}

const numbers = JSON.stringify({ count: 240, perTask: 20, delayMs: 60 });

describe('array mode', () => {
  test('3 processes with different --task-index values, then weft commit, equal a single-process run', async () => {
    const dir = await tempDir();
    const single = join(dir, 'single');
    const shared = join(dir, 'shared');
    ok(
      await runCli(['run', 'test-numbers', '--options', numbers, '--out', single, '--workers', '1'], { env }),
    );

    // Started all at once, as an array scheduler would; they share one output folder.
    const slices = await Promise.all(
      [0, 1, 2].map((index) =>
        runCli(
          [
            'run',
            'test-numbers',
            '--options',
            numbers,
            '--out',
            shared,
            '--workers',
            '1',
            '--task-index',
            String(index),
            '--task-count',
            '3',
            '--no-commit',
            '--wait-at-barrier',
            '--json',
          ],
          { env },
        ),
      ),
    );
    const summaries = slices.map((slice) => JSON.parse(ok(slice).stdout));
    for (const summary of summaries)
      expect(summary).toMatchObject({ committed: false, tasks: { total: 12 } });
    // 12 phase tasks and 12 main tasks, each run exactly once across the slices (a slice that reaches
    // the barrier early may take on phase tasks another one has not claimed yet).
    expect(summaries.reduce((n, s) => n + s.tasks.ran, 0)).toBe(24);
    // The phase's reduce ran exactly once, behind the barrier, in whichever slice got there.
    expect(slices.filter((s) => s.stderr.includes('phase sum: reducing 12 task outputs'))).toHaveLength(1);
    const commit = ok(await runCli(['commit', shared, '--json'], { env }));
    expect(JSON.parse(commit.stdout)).toMatchObject({ ok: true, rows: 240 });

    const expected = await rowsOf(single);
    expect(expected).toHaveLength(240);
    expect(await rowsOf(shared)).toEqual(expected);
    expect(await statsOf(shared)).toEqual(await statsOf(single));
  });

  test('a throttled array (one slice at a time) does not deadlock at the barrier; the last slice commits', async () => {
    const dir = await tempDir();
    const out = join(dir, 'out');
    const options = JSON.stringify({ count: 90, perTask: 10 });
    // Slice 0 runs alone first: at the barrier it takes on the phase tasks of slices not started
    // yet, reduces, runs only its own main tasks, and leaves.
    const first = ok(
      await runCli(
        [
          'run',
          'test-numbers',
          '--options',
          options,
          '--out',
          out,
          '--task-index',
          '0',
          '--task-count',
          '3',
          '--workers',
          '1',
          '--wait-at-barrier',
        ],
        { env },
      ),
    );
    expect(first.stderr).toContain('phase sum: reducing 9 task outputs');
    expect(first.stderr).toContain('this slice is done');
    // Slice 1 as a Slurm array task (--array=1-3: id 2 is the second), slice 2 as a Kubernetes
    // Indexed Job pod (the index from JOB_COMPLETION_INDEX, the count from WEFT_TASK_COUNT).
    const slurm = {
      SLURM_ARRAY_TASK_ID: '2',
      SLURM_ARRAY_TASK_MIN: '1',
      SLURM_ARRAY_TASK_MAX: '3',
      SLURM_ARRAY_TASK_COUNT: '3',
    };
    const kubernetes = { JOB_COMPLETION_INDEX: '2', WEFT_TASK_COUNT: '3' };
    for (const [index, extra] of [
      [1, slurm],
      [2, kubernetes],
    ] as const) {
      const slice = ok(
        await runCli(
          [
            'run',
            'test-numbers',
            '--options',
            options,
            '--out',
            out,
            '--workers',
            '1',
            '--json',
            '--log-format',
            'json',
          ],
          {
            env: { ...env, ...extra },
          },
        ),
      );
      // Structured logs for the cluster's log collector: JSON lines, one per finished task with its id
      // and counts (the closing summary is the one human line).
      const lines = slice.stderr
        .trim()
        .split('\n')
        .filter((l) => !l.startsWith('[weft] run test-numbers') && !l.startsWith('  '));
      const logs = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(logs[0]).toMatchObject({
        level: 'info',
        msg: `array task: slice ${index} of 3 (from ${index === 1 ? 'SLURM_ARRAY_TASK_ID' : 'JOB_COMPLETION_INDEX'})`,
      });
      const done = logs.filter((l) => /^task \d+ done$/.test(String(l.msg)));
      expect(done.map((l) => l.task)).toEqual(
        index === 1 ? ['00001', '00004', '00007'] : ['00002', '00005', '00008'],
      );
      expect(done.at(-1)).toMatchObject({ rows: 10, done: 3, total: 3 });
      expect(slice.stderr).not.toContain('reducing');
      expect(JSON.parse(slice.stdout)).toMatchObject({ committed: index === 2, tasks: { ran: 3 } });
    }
    const rows = (await rowsOf(out)) as { url: string; caption: string }[];
    expect(rows.map((r) => r.url)).toEqual(Array.from({ length: 90 }, (_, i) => `test://numbers/${i}`));
    let total = 0;
    for (let i = 0; i < 90; i++) total += (i * 7919) % 1000;
    expect(new Set(rows.map((r) => r.caption.split(' of ')[1]))).toEqual(new Set([`${total} from 9 parts`]));
  });

  test('tasks claimed by a machine that went silent are taken over after the lease', async () => {
    const dir = await tempDir();
    const out = join(dir, 'out');
    const options = JSON.stringify({ count: 40, perTask: 10 });
    // Plant the leftovers of a lost machine: a started run whose phase task 00001 it had claimed.
    ok(
      await runCli(
        [
          'run',
          'test-numbers',
          '--options',
          options,
          '--out',
          out,
          '--task-index',
          '0',
          '--task-count',
          '4',
          '--workers',
          '1',
          '--no-commit',
          '--wait-at-barrier',
        ],
        { env: { ...env, WEFT_LEASE_MS: '600000' } },
      ),
    );
    const ghost = { holder: 'lost-node-77-dead', host: `not-${hostname()}`, pid: 77 };
    const heartbeat = join(out, '.weft', 'holders', `${ghost.holder}.json`);
    await mkdir(join(out, '.weft', 'holders'), { recursive: true });
    await writeFile(heartbeat, JSON.stringify(ghost));
    // (Slice 0 already ran the phase for everyone; claim a main task instead.)
    await writeFile(join(out, '.weft', 'claims', '00001'), JSON.stringify(ghost));
    // While the lost machine's heartbeat is fresh, its task is left alone…
    const early = ok(
      await runCli(['run', 'test-numbers', '--options', options, '--out', out, '--workers', '1', '--json'], {
        env: { ...env, WEFT_LEASE_MS: '600000' },
      }),
    );
    expect(JSON.parse(early.stdout).committed).toBe(false);
    // …and once it is older than the lease, the task is redone and the run completes.
    const old = new Date(Date.now() - 5000);
    await utimes(heartbeat, old, old);
    const late = ok(
      await runCli(['run', 'test-numbers', '--options', options, '--out', out, '--workers', '1', '--json'], {
        env: { ...env, WEFT_LEASE_MS: '1000' },
      }),
    );
    expect(JSON.parse(late.stdout)).toMatchObject({ committed: true, rows: 40 });
  });
});
