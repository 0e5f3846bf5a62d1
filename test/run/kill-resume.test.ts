// A run killed with SIGKILL halfway, then re-run, yields exactly the rows of an uninterrupted run.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { readDatasetRows } from '../../src/dataset/dataset-reader.js';
import { cliPath } from '../helpers/paths.js';
import { runCli } from '../helpers/run-cli.js';
import { tempDir } from '../helpers/temp-dir.js';

const OPTIONS = JSON.stringify({ count: 480, imagesPerTask: 8 });
const TASKS = 60;

async function markers(out: string): Promise<number> {
  try {
    return (await readdir(join(out, '.weft', 'done'))).filter((n) => n.endsWith('.json')).length;
  } catch {
    return 0;
  }
}

async function rows(dir: string): Promise<string[]> {
  const out: string[] = [];
  for await (const row of readDatasetRows(dir)) out.push(`${row.url} ${row.sha256} ${row.caption}`);
  return out;
}

/** Live processes whose environment carries `tag` (the killed CLI's worker processes inherit it). */
async function processesTagged(tag: string): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const environ = await readFile(`/proc/${entry}/environ`, 'latin1');
      const stat = await readFile(`/proc/${entry}/stat`, 'latin1');
      if (environ.includes(`WEFT_TEST_TAG=${tag}`) && !/\) Z /.test(stat)) pids.push(Number(entry));
    } catch {
      // gone already, or not ours to read
    }
  }
  return pids;
}

test('SIGKILL halfway through, then the same command again: no row lost, none twice', async () => {
  const base = await tempDir();
  const killed = join(base, 'killed');
  const tag = `weft-kill-test-${process.pid}-${Date.now()}`;
  const child = spawn(
    process.execPath,
    [cliPath, 'run', 'demo-images', '--options', OPTIONS, '--out', killed, '--workers', '2'],
    {
      stdio: ['ignore', 'ignore', 'ignore'],
      env: { ...process.env, WEFT_TEST_TAG: tag },
    },
  );
  const exited = new Promise<NodeJS.Signals | null>((resolve) =>
    child.on('exit', (_code, signal) => resolve(signal)),
  );
  // Kill once a fair share, but not all, of the tasks are done.
  const deadline = Date.now() + 60_000;
  while ((await markers(killed)) < 12 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  const doneAtKill = await markers(killed);
  child.kill('SIGKILL');
  expect(await exited).toBe('SIGKILL');
  expect(doneAtKill).toBeGreaterThanOrEqual(12);
  expect(doneAtKill).toBeLessThan(TASKS);
  expect(existsSync(join(killed, 'state.json'))).toBe(false);

  // Worker processes notice their parent is gone and exit; none keeps writing.
  const deadlineForWorkers = Date.now() + 10_000;
  while ((await processesTagged(tag)).length > 0 && Date.now() < deadlineForWorkers)
    await new Promise((r) => setTimeout(r, 100));
  expect(await processesTagged(tag)).toEqual([]);

  const resumed = await runCli([
    'run',
    'demo-images',
    '--options',
    OPTIONS,
    '--out',
    killed,
    '--workers',
    '2',
    '--json',
  ]);
  expect(resumed.code).toBe(0);
  const summary = JSON.parse(resumed.stdout.trim());
  expect(summary.tasks.skipped).toBeGreaterThanOrEqual(doneAtKill);
  expect(summary.tasks.ran + summary.tasks.skipped).toBe(TASKS);

  const clean = join(base, 'clean');
  const uninterrupted = await runCli([
    'run',
    'demo-images',
    '--options',
    OPTIONS,
    '--out',
    clean,
    '--workers',
    '2',
    '--json',
  ]);
  expect(uninterrupted.code).toBe(0);
  const [a, b] = [await rows(killed), await rows(clean)];
  expect(a.length).toBeGreaterThan(300);
  expect(a).toEqual(b);
  expect(new Set(a).size).toBe(a.length);
  expect(existsSync(join(killed, '.weft'))).toBe(false);
}, 180_000);
