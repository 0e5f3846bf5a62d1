// The record schemas as the pipeline core applies them: every kind's valid record passes, and a broken
// one is named by its path; a stage that emits one fails its task with E_INVALID_RECORD.
import { expect, test } from 'vitest';
import { WeftError } from '../../src/errors.js';
import { runPipeline } from '../../src/pipeline/run-pipeline.js';
import { defineStage, fromIterable, type Sink } from '../../src/pipeline/stage.js';
import { type ImageTextPair, recordProblem } from '../../src/records/index.js';
import { makeDoc, makeImage, makePair, makePdfPage, makeSft } from '../helpers/fixtures.js';

const drain: Sink<unknown, number> = {
  name: 'drain',
  async write(records) {
    let n = 0;
    for await (const _ of records) n++;
    return n;
  },
};

test('valid records of every kind pass; other values are not records and pass too', async () => {
  const image = await makeImage(32, 24);
  for (const record of [
    makeDoc(),
    makePair(image),
    makePair(undefined),
    makePdfPage(image),
    makeSft([image]),
  ])
    expect(recordProblem(record), record.kind).toBeUndefined();
  expect(
    recordProblem({ kind: 'crawl-log-entry', url: 'https://a.example/', depth: 0, fetchedAt: '2026-01-01' }),
  ).toBeUndefined();
  expect(recordProblem({ kind: 'warc-record', anything: 1 })).toBeUndefined();
  expect(recordProblem(42)).toBeUndefined();
});

test('a broken record is named by kind, path and rule', async () => {
  const image = await makeImage(32, 24);
  expect(recordProblem(makePair({ ...image, sha256: 'not-a-hash' }))).toMatch(/^image\.sha256: /);
  expect(recordProblem(makeDoc({ blocks: [{ kind: 'text' } as never] }))).toMatch(/^blocks\.0\.text: /);
  expect(recordProblem({ ...makeSft([image]), turns: [] })).toMatch(/^turns: /);
  expect(recordProblem({ ...makePdfPage(image), page: -1 })).toMatch(/^page: /);
  expect(recordProblem({ ...makeDoc(), url: undefined })).toMatch(/^url: /);
});

test('a stage that emits an invalid record fails the task, naming the stage; the check can be turned off', async () => {
  expect(process.env.WEFT_VALIDATE_RECORDS).toBe('1'); // vitest.config.ts: on for the whole suite
  const image = await makeImage(32, 24);
  const breakHash = defineStage<ImageTextPair, ImageTextPair>('break-hash', async function* (pairs) {
    for await (const p of pairs) yield { ...p, image: { ...p.image!, sha256: 'x' } };
  });
  const pipeline = () => ({
    source: fromIterable('pairs', [makePair(image), makePair(image)]),
    stages: [breakHash],
    sink: drain,
  });
  const error = await runPipeline(pipeline()).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(WeftError);
  expect(error).toMatchObject({
    code: 'E_INVALID_RECORD',
    data: { stage: 'break-hash', kind: 'image-text-pair' },
  });
  expect((error as Error).message).toMatch(
    /^break-hash emitted an invalid image-text-pair record: image\.sha256/,
  );
  const unchecked = await runPipeline(pipeline(), { validateRecords: false });
  expect(unchecked.sinkResult).toBe(2);
});
