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
  test('3 slices from a Slurm array environment, then weft commit, equal a single-process run', async () => {
    const dir = await tempDir();
    const single = join(dir, 'single');
    const shared = join(dir, 'shared');
    ok(
      await runCli(['run', 'test-numbers', '--options', numbers, '--out', single, '--workers', '1'], { env }),
    );

    // sbatch --array=1-3: ids 1..3, each slice started as its own process, all at once.
    const slices = await Promise.all(
      [1, 2, 3].map((id) =>
        runCli(
          ['run', 'test-numbers', '--options', numbers, '--out', shared, '--workers', '1', '--no-commit'],
          {
            env: {
              ...env,
              SLURM_ARRAY_TASK_ID: String(id),
              SLURM_ARRAY_TASK_MIN: '1',
              SLURM_ARRAY_TASK_MAX: '3',
              SLURM_ARRAY_TASK_COUNT: '3',
            },
          },
        ),
      ),
    );
    slices.forEach((slice, i) => {
      ok(slice);
      expect(slice.stderr).toContain(`slice ${i} of 3 (from SLURM_ARRAY_TASK_ID)`);
    });
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
    // Slice 0 runs alone first: it takes on the phase tasks of slices not started yet, reduces,
    // runs only its own main tasks, and leaves.
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
        ],
        { env },
      ),
    );
    expect(first.stderr).toContain('phase sum: reducing 9 task outputs');
    expect(first.stderr).toContain('this slice is done');
    for (const index of [1, 2]) {
      // Kubernetes style: the index from JOB_COMPLETION_INDEX, the count from WEFT_TASK_COUNT.
      const slice = ok(
        await runCli(
          ['run', 'test-numbers', '--options', options, '--out', out, '--workers', '1', '--json'],
          {
            env: { ...env, JOB_COMPLETION_INDEX: String(index), WEFT_TASK_COUNT: '3' },
          },
        ),
      );
      expect(slice.stderr).not.toContain('reducing');
      expect(JSON.parse(slice.stdout).committed).toBe(index === 2);
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
