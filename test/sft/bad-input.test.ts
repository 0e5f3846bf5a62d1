// Bad input: every broken row is either skipped with a counted reason (onError: skip) or stops the run
// before anything is written (onError: fail), with an error naming the file and the line.
import { existsSync } from 'node:fs';
import { readdir, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { openDataset } from '../../src/dataset/dataset-reader.js';
import { runJob } from '../../src/run/run-job.js';
import type { SftOptionsInput } from '../../src/sft/config.js';
import { runCli } from '../helpers/run-cli.js';
import { tempDir } from '../helpers/temp-dir.js';
import { buildSft, dropped, noisePicture, writeConfig, writeFileIn } from './fixtures.js';

/** A source folder whose JSONL has one problem per line (line numbers in the comments). */
async function brokenSource(work: string): Promise<string> {
  const src = join(work, 'src');
  await writeFileIn(src, 'good.jpg', await noisePicture(1));
  await writeFileIn(src, 'other.jpg', await noisePicture(2));
  await writeFileIn(src, 'corrupt.jpg', Buffer.from('\xff\xd8\xff\xe0 this is not really a JPEG', 'latin1'));
  await writeFileIn(work, 'secret.jpg', await noisePicture(3));
  await symlink(join(work, 'secret.jpg'), join(src, 'link.jpg'));
  const lines = [
    { q: 'What is in the picture?', a: 'Colours.', img: 'good.jpg' }, // 1: fine
    { q: 'Where is the answer?', img: 'good.jpg' }, // 2: missing answer
    '{"q": "broken json", ', // 3: bad JSON
    { q: 'Sneaky?', a: 'Yes.', img: '../secret.jpg' }, // 4: outside the folder
    { q: 'Decodes?', a: 'No.', img: 'corrupt.jpg' }, // 5: unreadable image
    { q: 'Exists?', a: 'No.', img: 'missing.jpg' }, // 6: no such file
    { q: 'Through a link?', a: 'Outside.', img: 'link.jpg' }, // 7: symlink pointing outside
    { q: 'Remote?', a: 'No copy.', img: 'https://example.com/a.jpg' }, // 8: URL without a local copy
    { q: 'And this one?', a: 'Fine too.', img: 'other.jpg' }, // 9: fine
  ];
  await writeFileIn(
    src,
    'train.jsonl',
    `${lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n')}\n`,
  );
  return src;
}

function config(src: string, onError: 'skip' | 'fail'): SftOptionsInput {
  return {
    onError,
    sources: [
      { name: 'vqa', path: join(src, 'train.jsonl'), fields: { question: 'q', answer: 'a', image: 'img' } },
    ],
  };
}

describe('bad rows', () => {
  test('onError: skip drops each bad row with a counted reason and keeps the good ones', async () => {
    const work = await tempDir();
    const src = await brokenSource(work);
    const { rows, summary } = await buildSft(config(src, 'skip'), join(work, 'out'));
    expect(rows.map((r) => r.texts[0]!.assistant).sort()).toEqual(['Colours.', 'Fine too.']);
    expect(dropped(summary, 'missing_field')).toBe(1);
    expect(dropped(summary, 'bad_json')).toBe(1);
    expect(dropped(summary, 'image_outside_source_dir')).toBe(2);
    expect(dropped(summary, 'image_unreadable')).toBe(1);
    expect(dropped(summary, 'image_not_found')).toBe(1);
    expect(dropped(summary, 'image_url_not_local')).toBe(1);
  });

  test('the CLI names file and line of skipped rows, and onError: fail stops before writing anything', async () => {
    const work = await tempDir();
    const src = await brokenSource(work);
    const skipConfig = await writeConfig(
      work,
      { ...config(src, 'skip'), sources: [{ ...config(src, 'skip').sources[0]!, path: 'src/train.jsonl' }] },
      'skip.yaml',
    );
    const skipped = await runCli([
      'sft',
      '--config',
      skipConfig,
      '--out',
      join(work, 'skip-out'),
      '--workers',
      '1',
    ]);
    expect(skipped.code).toBe(0);
    expect(skipped.stderr).toMatch(/train\.jsonl:2: answer field "a" is missing \[missing_field\]/);
    expect(skipped.stderr).toMatch(
      /train\.jsonl:4: image path "\.\.\/secret\.jpg" leads outside the source folder/,
    );
    expect(skipped.stderr).toMatch(
      /train\.jsonl:5: image "corrupt\.jpg": the bytes are not a decodable image \[image_unreadable\]/,
    );
    expect(skipped.stderr).toMatch(/vqa: 2 rows kept after checks \(dropped .*missing_field 1/);

    const failConfig = await writeConfig(work, config(src, 'fail'), 'fail.yaml');
    const out = join(work, 'fail-out');
    const failed = await runCli(['sft', '--config', failConfig, '--out', out, '--workers', '1']);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/train\.jsonl:2: answer field "a" is missing \[missing_field\]/);
    // Nothing that looks like a dataset: no shard, no state.json; weft refuses to read it.
    const left = existsSync(out) ? (await readdir(out)).filter((n) => n !== '.weft') : [];
    expect(left).toEqual([]);
    await expect(openDataset(out)).rejects.toThrow(/not a complete dataset|does not exist/);
  });

  test.each([
    ['an unreadable image', 5, /image "corrupt\.jpg": the bytes are not a decodable image/],
    ['a path outside the source folder', 4, /leads outside the source folder/],
    ['a symlink out of the source folder', 7, /"link\.jpg" leads outside/],
  ])('onError: fail on %s names the file and line %i', async (_what, line, message) => {
    const work = await tempDir();
    const src = await brokenSource(work);
    // Keep the fine rows and the one under test, so the first problem is that one.
    const { readFile, writeFile } = await import('node:fs/promises');
    const all = (await readFile(join(src, 'train.jsonl'), 'utf8')).split('\n');
    await writeFile(
      join(src, 'train.jsonl'),
      all.map((l, i) => (i + 1 === line || i === 0 ? l : '')).join('\n'),
    );
    const run = runJob('sft', config(src, 'fail'), { outDir: join(work, 'out'), workers: 1, durable: false });
    await expect(run).rejects.toThrow(new RegExp(`train\\.jsonl:${line}: .*${message.source}`));
    expect(existsSync(join(work, 'out', 'state.json'))).toBe(false);
  });

  test('CSV and JSON-array rows report the line they start on', async () => {
    const work = await tempDir();
    await writeFileIn(
      work,
      'qa.csv',
      'question,answer\n"What is\na multi-line question?",It works\n"Second?",\n"Third?",Yes\n',
    );
    await writeFileIn(
      work,
      'chat.json',
      '[\n  {"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello"}]},\n  {"messages": [\n    {"role": "user", "content": "Only a question"}\n  ]},\n  {"messages": 5}\n]\n',
    );
    const base = { onError: 'fail' as const };
    const csv = runJob(
      'sft',
      { ...base, sources: [{ name: 'csv', path: join(work, 'qa.csv') }] },
      { outDir: join(work, 'o1'), workers: 1 },
    );
    await expect(csv).rejects.toThrow(/qa\.csv:4: answer field "answer" is empty/);
    // A record spanning lines 3–4 (no newline at the end of the file) is reported at line 3.
    await writeFileIn(work, 'multi.csv', 'question,answer\n"First?",Yes\n"A question\nover two lines",');
    const multi = runJob(
      'sft',
      { ...base, sources: [{ name: 'multi', path: join(work, 'multi.csv') }] },
      { outDir: join(work, 'o3'), workers: 1 },
    );
    await expect(multi).rejects.toThrow(/multi\.csv:3: answer field "answer" is empty/);
    const json = runJob(
      'sft',
      { ...base, sources: [{ name: 'chat', path: join(work, 'chat.json'), format: 'sharegpt' }] },
      { outDir: join(work, 'o2'), workers: 1 },
    );
    await expect(json).rejects.toThrow(/chat\.json:3: messages: the last user message has no answer/);
  });
});

describe('bad config', () => {
  test('a wrong value is reported with the config file line and what is allowed', async () => {
    const work = await tempDir();
    const path = await writeFileIn(
      work,
      'sft.yaml',
      'seed: 3\nsources:\n  - name: a\n    path: a.jsonl\n    format: alpaca\n',
    );
    const result = await runCli(['sft', '--config', path, '--out', join(work, 'out')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /sft\.yaml:5: sft: sources\[0\]\.format: .*"fields".*\(received "alpaca"\)/,
    );
  });

  test('a missing source file is an input error naming the source', async () => {
    const work = await tempDir();
    const run = runJob(
      'sft',
      { sources: [{ name: 'gone', path: join(work, 'nope.jsonl') }] },
      { outDir: join(work, 'out'), workers: 1 },
    );
    await expect(run).rejects.toThrow(/source "gone": .*nope\.jsonl does not exist/);
  });
});
