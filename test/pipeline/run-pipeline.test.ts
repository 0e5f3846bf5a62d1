import { expect, test } from 'vitest';
import { z } from 'zod';
import { WeftError } from '../../src/errors.js';
import { defineFilter } from '../../src/filters/define-filter.js';
import { mapConcurrent } from '../../src/pipeline/map-concurrent.js';
import { runPipeline } from '../../src/pipeline/run-pipeline.js';
import { defineStage, fromIterable, type Sink } from '../../src/pipeline/stage.js';

const collect = <T>(): Sink<T, T[]> => ({
  name: 'collect',
  async write(records) {
    const out: T[] = [];
    for await (const r of records) out.push(r);
    return out;
  },
});

const odd = defineFilter({
  name: 'odd-only',
  description: 'keeps odd numbers',
  options: z.strictObject({ alsoDropAbove: z.number().default(Number.POSITIVE_INFINITY) }),
  reasonToDrop: (n: number, { alsoDropAbove }) =>
    n % 2 === 0 ? 'even' : n > alsoDropAbove ? 'too_big' : undefined,
});

test('counts records in and out of every stage and drops by reason', async () => {
  const double = defineStage<number, number>('double', async function* (records) {
    for await (const n of records) yield n * 2 + 1;
  });
  const result = await runPipeline({
    source: fromIterable('numbers', [1, 2, 3, 4, 5, 6]),
    stages: [odd({ alsoDropAbove: 4 }), double],
    sink: collect<number>(),
  });
  expect(result.sinkResult).toEqual([3, 7]);
  const [source, filter, doubled, sink] = result.stages;
  expect(source).toMatchObject({ name: 'numbers', out: 6 });
  expect(filter).toMatchObject({ name: 'odd-only', in: 6, out: 2, dropped: { even: 3, too_big: 1 } });
  expect(doubled).toMatchObject({ name: 'double', in: 2, out: 2 });
  expect(sink).toMatchObject({ name: 'collect', in: 2, out: 2 });
});

test('time is charged to the stage that spends it, not to the ones downstream', async () => {
  const slow = defineStage<number, number>('slow', async function* (records) {
    for await (const n of records) {
      await new Promise((r) => setTimeout(r, 20));
      yield n;
    }
  });
  const pass = defineStage<number, number>('pass', async function* (records) {
    yield* records;
  });
  const { stages } = await runPipeline({
    source: fromIterable('n', [1, 2, 3, 4, 5]),
    stages: [slow, pass],
    sink: collect(),
  });
  expect(stages[1]!.timeMs).toBeGreaterThanOrEqual(80);
  expect(stages[2]!.timeMs).toBeLessThan(stages[1]!.timeMs / 4);
});

test('a stage that throws fails the task with E_TASK_FAILED and keeps the cause', async () => {
  const broken = defineStage<number, number>('broken', async function* (records) {
    for await (const n of records) {
      if (n === 3) throw new Error('boom at 3');
      yield n;
    }
  });
  const run = runPipeline({ source: fromIterable('n', [1, 2, 3]), stages: [broken], sink: collect() });
  await expect(run).rejects.toThrowError(WeftError);
  await expect(run).rejects.toMatchObject({
    code: 'E_TASK_FAILED',
    message: expect.stringContaining('boom at 3'),
  });
});

test('mapConcurrent bounds concurrency, keeps order and propagates errors', async () => {
  let running = 0;
  let peak = 0;
  const out: number[] = [];
  for await (const v of mapConcurrent(
    [5, 1, 4, 2, 3],
    async (n) => {
      running += 1;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, n * 5));
      running -= 1;
      return n * 10;
    },
    { concurrency: 2 },
  )) {
    out.push(v);
  }
  expect(out).toEqual([50, 10, 40, 20, 30]);
  expect(peak).toBe(2);

  const unordered: number[] = [];
  for await (const v of mapConcurrent(
    [30, 1, 2],
    async (n) => new Promise<number>((r) => setTimeout(() => r(n), n)),
    {
      concurrency: 3,
      ordered: false,
    },
  )) {
    unordered.push(v);
  }
  expect(unordered).toEqual([1, 2, 30]);

  const failing = async () => {
    for await (const _ of mapConcurrent(
      [1, 2, 3],
      async (n) => {
        if (n === 2) throw new Error('bad 2');
        return n;
      },
      { concurrency: 2 },
    )) {
      // drain
    }
  };
  await expect(failing()).rejects.toThrow('bad 2');
});
