// `weft filter` and `weft dedup` as a user runs them: the compiled CLI in a child process, a config
// file that tunes a preset, errors that name the filter and option, the funnel in `weft inspect`, and
// the output loaded by Python `datasets`.
import { readFileSync } from 'node:fs';
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, test } from 'vitest';
import { readDatasetRows } from '../../src/dataset/dataset-reader.js';
import { seededRandom, syntheticParagraph } from '../../src/demo/synthetic-text.js';
import { sha256Hex } from '../../src/records/image.js';
import type { WebDocument } from '../../src/records/web-document.js';
import { pythonWithDatasets, runPythonJson } from '../helpers/python.js';
import { runCli } from '../helpers/run-cli.js';
import { tempDir } from '../helpers/temp-dir.js';
import { doc, writeDataset } from '../helpers/web-docs.js';

async function corpusWithImages(): Promise<string> {
  const random = seededRandom(21);
  const photo = new Uint8Array(
    await sharp({ create: { width: 320, height: 240, channels: 3, background: '#3a7' } })
      .jpeg()
      .toBuffer(),
  );
  const image = {
    bytes: photo,
    format: 'jpeg' as const,
    widthPx: 320,
    heightPx: 240,
    sha256: sha256Hex(photo),
  };
  const docs: WebDocument[] = Array.from({ length: 12 }, (_, i) =>
    doc(
      `https://site.example/${i}`,
      `Post ${i}`,
      syntheticParagraph(random, 4),
      { kind: 'image', src: `https://site.example/img/${i}.jpg`, image },
      syntheticParagraph(random, 5),
      'Share on Facebook Twitter Pinterest. Subscribe to our newsletter!',
    ),
  );
  docs.push({ ...docs[3]!, url: 'https://mirror.example/3' });
  const dir = await tempDir();
  await writeDataset(dir, [docs.slice(0, 7), docs.slice(7)]);
  return dir;
}

describe('weft filter / weft dedup', () => {
  test('a config tunes the OBELICS preset; the funnel shows paragraph and document drops; dedup follows', async () => {
    const input = await corpusWithImages();
    const work = await tempDir();
    const config = join(work, 'filters.yaml');
    await writeFile(
      config,
      'preset: obelics\nparagraph:\n  word-count: { min: 3 }\ndocument:\n  char-repetition: { maxRatio: 0.2 }\n',
    );
    const filtered = join(work, 'filtered');
    const rejected = join(work, 'rejected');
    const run = await runCli([
      'filter',
      input,
      '--out',
      filtered,
      '--config',
      config,
      '--workers',
      '2',
      '--rejected',
      rejected,
      '--json',
    ]);
    expect(run.stderr).not.toMatch(/Error/);
    expect(run.code).toBe(0);
    const summary = JSON.parse(run.stdout.trim()) as {
      rows: number;
      stages: { name: string; out: number }[];
    };
    // Some synthetic paragraphs fail the strict paragraph-level repetition rule, which can leave a
    // document under 10 words: the exact count is not the point here, the accounting is.
    expect(summary.rows).toBeGreaterThanOrEqual(10);
    const documentDrops = summary.stages.reduce(
      (n, s, i, all) => n + (i > 0 ? all[i - 1]!.out - s.out : 0),
      0,
    );
    expect(summary.rows + documentDrops).toBe(13);

    // --rejected: one line per removed node or dropped document, with the filter and the reason.
    const lines = (await readdir(rejected))
      .sort()
      .flatMap((f) => readFileSync(join(rejected, f), 'utf8').trim().split('\n').filter(Boolean))
      .map(
        (l) => JSON.parse(l) as { stage: string; reason: string; level: string; text?: string; url: string },
      );
    expect(lines.filter((l) => l.stage === 'paragraph/spam-words')).toHaveLength(13);
    expect(lines.find((l) => l.stage === 'paragraph/spam-words')).toMatchObject({
      reason: 'spam_words_too_high',
      level: 'paragraph',
      text: 'Share on Facebook Twitter Pinterest. Subscribe to our newsletter!',
    });
    const stats = JSON.parse(readFileSync(join(filtered, 'stats.json'), 'utf8')) as {
      stages: { dropped: Record<string, number>; counters: Record<string, number> }[];
    };
    let removed = 0;
    for (const s of stats.stages) {
      for (const [k, n] of Object.entries(s.counters)) if (k.includes('_dropped.')) removed += n;
      for (const [k, n] of Object.entries(s.dropped)) if (k !== 'no_content_left') removed += n;
    }
    expect(lines).toHaveLength(removed);
    expect(summary.stages.map((s) => s.name)).toContain('paragraph/spam-words');
    const inspect = await runCli(['inspect', filtered]);
    expect(inspect.stdout).toMatch(/paragraph\/word-count 13 \(removed paragraphs too_few_words 13\)/);
    expect(inspect.stdout).toMatch(/paragraph\/spam-words 13 \(removed paragraphs spam_words_too_high 13\)/);
    expect(inspect.stdout).toMatch(/write-dataset \d+/);
    expect(inspect.stdout).toMatch(/nsfw_score: float32/);

    const deduped = join(work, 'deduped');
    const dedup = await runCli(['dedup', filtered, '--out', deduped, '--method', 'exact,minhash', '--json']);
    expect(dedup.code).toBe(0);
    // The mirror of post 3 is an exact copy (same text, so the same filter verdicts): one of the two goes.
    const dedupRows = JSON.parse(dedup.stdout.trim()).rows as number;
    expect(dedupRows).toBe(summary.rows - 1);
    if (pythonWithDatasets) {
      const loaded = runPythonJson<{
        rows: number;
        columns: string[];
        score: number;
        texts: number;
        all: unknown[];
      }>(
        'import datasets, json, sys; d = datasets.load_from_disk(sys.argv[1]); r = d[0]; ' +
          'print(json.dumps({"rows": len(d), "columns": d.column_names, "score": r["nsfw_score"], "texts": len([t for t in r["texts"] if t]), "all": r["texts"], "url": json.loads(r["general_metadata"])["url"]}))',
        [deduped],
      );
      expect(loaded.rows).toBe(dedupRows);
      expect(loaded.columns).toEqual(['images', 'metadata', 'general_metadata', 'texts', 'nsfw_score']);
      expect(loaded.score).toBeGreaterThanOrEqual(0);
      // Python sees exactly the paragraphs weft kept in that row.
      const first = (await readDatasetRows(deduped).next()).value as { texts: (string | null)[] };
      expect(loaded.all).toEqual(first.texts);
      expect(loaded.texts).toBe(first.texts.filter(Boolean).length);
      expect(loaded.texts).toBeGreaterThanOrEqual(1);
    }
  });

  test('configuration mistakes are usage errors that name the filter, level and option', async () => {
    const input = await corpusWithImages();
    const work = await tempDir();
    const cases: [string, RegExp][] = [
      ['paragraph:\n  word-count: { mni: 3 }\n', /filter word-count \(paragraph\): .*mni/],
      [
        'paragraph:\n  stopwords: { minRatio: 1.5 }\n',
        /filter stopwords \(paragraph\): minRatio: .*received 1.5/,
      ],
      ['document:\n  word-cuont: true\n', /document: unknown filter "word-cuont"/],
      ['image:\n  word-count: true\n', /filter word-count cannot run at image level/],
      ['paragraph:\n  gopher-quality: true\n', /filter gopher-quality cannot run at paragraph level/],
      ['preset: obelix\n', /preset/],
    ];
    for (const [i, [yaml, message]] of cases.entries()) {
      const config = join(work, `bad-${i}.yaml`);
      await writeFile(config, yaml);
      const run = await runCli(['filter', input, '--out', join(work, `out-${i}`), '--config', config]);
      expect(run.code, yaml).toBe(2);
      expect(run.stderr, yaml).toMatch(message);
    }
    const badMethod = await runCli(['dedup', input, '--out', join(work, 'd'), '--method', 'minhash,bogus']);
    expect(badMethod.code).toBe(2);
    expect(badMethod.stderr).toMatch(/--method must list some of frequent-images, url/);
  });
});
