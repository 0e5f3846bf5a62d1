import { existsSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { z } from 'zod';
import { readDatasetRows } from '../../src/dataset/dataset-reader.js';
import { imageTextPairsLayout } from '../../src/dataset/layouts/image-text-pairs.js';
import { registerJob } from '../../src/jobs/index.js';
import type { ImageTextPair } from '../../src/records/index.js';
import { defineJob, type JobDefinition } from '../../src/run/job.js';
import { runJob } from '../../src/run/run-job.js';
import { tempDir } from '../helpers/temp-dir.js';

const failing = new Set<number>();
const reduceCalls: string[] = [];

const numbersJob = defineJob({
  name: 'test-numbers',
  description: 'numbers as pairs, with a sum phase',
  options: z.strictObject({ tasks: z.number().int().default(5), perTask: z.number().int().default(7) }),
  planTasks: ({ tasks, perTask }) =>
    Array.from({ length: tasks }, (_, i) => ({
      label: `t${i}`,
      input: { from: i * perTask, to: (i + 1) * perTask },
    })),
  layout: () => imageTextPairsLayout(),
  phases: [
    {
      name: 'sum',
      async runTask(_options, task, ctx) {
        const { from, to } = task.input as { from: number; to: number };
        let sum = 0;
        for (let n = from; n < to; n++) sum += n;
        await writeFile(join(ctx.outDir, 'sum.json'), JSON.stringify(sum));
        return undefined;
      },
      async reduce(_options, ctx) {
        reduceCalls.push(ctx.outDir);
        let total = 0;
        for (const dir of ctx.taskDirs)
          total += JSON.parse(await readFile(join(dir, 'sum.json'), 'utf8')) as number;
        await writeFile(join(ctx.outDir, 'total.json'), JSON.stringify(total));
      },
    },
  ],
  async buildPipeline(_options, task, ctx) {
    const { from, to } = task.input as { from: number; to: number };
    const total = JSON.parse(await readFile(join(ctx.phaseDir('sum'), 'total.json'), 'utf8')) as number;
    return {
      source: {
        name: 'numbers',
        async *read(sourceCtx) {
          if (failing.has(sourceCtx.task.index)) throw new Error(`task ${sourceCtx.task.index} broke`);
          for (let n = from; n < to; n++) {
            yield {
              kind: 'image-text-pair',
              url: `n:${n}`,
              caption: `${n} of ${total}`,
              captionSource: 'generated',
            } satisfies ImageTextPair;
          }
        },
      },
      stages: [],
    };
  },
});
registerJob('test-numbers', async () => numbersJob as unknown as JobDefinition);

async function urls(dir: string): Promise<string[]> {
  const out: string[] = [];
  for await (const row of readDatasetRows(dir)) out.push(row.url as string);
  return out;
}

const all = Array.from({ length: 35 }, (_, n) => `n:${n}`);

test('a failed task fails the run without committing; the re-run redoes only that task', async () => {
  const out = join(await tempDir(), 'ds');
  failing.add(3);
  await expect(runJob('test-numbers', {}, { outDir: out, workers: 1, durable: false })).rejects.toMatchObject(
    {
      code: 'E_TASK_FAILED',
      message: expect.stringContaining('00003 (t3): numbers: task 3 broke'),
    },
  );
  expect(existsSync(join(out, 'state.json'))).toBe(false);
  expect((await readdir(join(out, '.weft', 'done'))).sort()).toEqual([
    '00000.json',
    '00001.json',
    '00002.json',
    '00004.json',
  ]);
  failing.clear();
  const summary = await runJob('test-numbers', {}, { outDir: out, workers: 1, durable: false });
  expect(summary).toMatchObject({ committed: true, rows: 35, tasks: { total: 5, ran: 1, skipped: 4 } });
  expect(await urls(out)).toEqual(all);
  expect(existsSync(join(out, '.weft'))).toBe(false);
  const stats = JSON.parse(await readFile(join(out, 'stats.json'), 'utf8'));
  expect(stats.stages[0]).toMatchObject({ name: 'numbers', out: 35 });
  expect(stats.phases).toHaveProperty('sum');
});

test('phases run before the main tasks, reduce runs once, and main tasks read its result', async () => {
  reduceCalls.length = 0;
  const out = join(await tempDir(), 'ds');
  await runJob('test-numbers', { tasks: 3, perTask: 4 }, { outDir: out, workers: 1, durable: false });
  expect(reduceCalls).toHaveLength(1);
  const captions: string[] = [];
  for await (const row of readDatasetRows(out)) captions.push(row.caption as string);
  expect(captions).toEqual(Array.from({ length: 12 }, (_, n) => `${n} of 66`));
});

test('slices run separately (array jobs); the last slice to finish commits the same rows as one run', async () => {
  const single = join(await tempDir(), 'single');
  await runJob('test-numbers', {}, { outDir: single, workers: 1, durable: false });
  const sliced = join(await tempDir(), 'sliced');
  const slice = (taskIndex: number) =>
    runJob('test-numbers', {}, { outDir: sliced, workers: 1, durable: false, taskIndex, taskCount: 2 });
  // Slices run one after the other here, so the first one stops at the phase barrier instead of waiting.
  expect(await slice(0)).toMatchObject({ committed: false, waitingAt: 'sum', tasks: { ran: 3 } });
  expect(await slice(1)).toMatchObject({ committed: false, tasks: { ran: 2 + 2 } });
  expect(existsSync(join(sliced, 'state.json'))).toBe(false);
  expect(await slice(0)).toMatchObject({ committed: true, rows: 35, tasks: { ran: 3 } });
  expect(await urls(sliced)).toEqual(await urls(single));
});

test('an output directory is never mixed with another run', async () => {
  const out = join(await tempDir(), 'ds');
  await runJob('test-numbers', { tasks: 2 }, { outDir: out, workers: 1, durable: false });
  const again = await runJob('test-numbers', { tasks: 2 }, { outDir: out, workers: 1, durable: false });
  expect(again).toMatchObject({ alreadyComplete: true, rows: 14 });
  await expect(
    runJob('test-numbers', { tasks: 3 }, { outDir: out, workers: 1, durable: false }),
  ).rejects.toMatchObject({
    code: 'E_OUTPUT',
    message: expect.stringContaining('pass --overwrite'),
  });
  const replaced = await runJob(
    'test-numbers',
    { tasks: 3 },
    { outDir: out, workers: 1, durable: false, overwrite: true },
  );
  expect(replaced).toMatchObject({ committed: true, rows: 21 });

  const foreign = await tempDir();
  await writeFile(join(foreign, 'notes.txt'), 'mine');
  await expect(runJob('test-numbers', {}, { outDir: foreign, workers: 1 })).rejects.toMatchObject({
    code: 'E_OUTPUT',
    message: expect.stringContaining('not empty'),
  });
  await expect(runJob('test-numbers', { tasks: 'x' }, { outDir: foreign, workers: 1 })).rejects.toMatchObject(
    {
      code: 'E_CONFIG',
      message: expect.stringContaining('test-numbers options: tasks'),
    },
  );
});

test('worker processes produce exactly the rows of an in-process run, in the same order', async () => {
  const inProcess = join(await tempDir(), 'one');
  const pooled = join(await tempDir(), 'two');
  const options = { count: 40, imagesPerTask: 5 };
  const a = await runJob('demo-images', options, { outDir: inProcess, workers: 1, durable: false });
  const b = await runJob('demo-images', options, { outDir: pooled, workers: 2, durable: false });
  expect(b.rows).toBe(a.rows);
  const rowsOf = async (dir: string) => {
    const out: string[] = [];
    for await (const row of readDatasetRows(dir)) out.push(`${row.url} ${row.sha256}`);
    return out;
  };
  expect(await rowsOf(pooled)).toEqual(await rowsOf(inProcess));
  expect(b.stats?.stages.map((s) => [s.name, s.out])).toEqual(a.stats?.stages.map((s) => [s.name, s.out]));
});
