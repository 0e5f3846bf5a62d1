// `weft web` end to end: the compiled CLI on WARC files written here (per-record gzip, whole-file gzip,
// plain) and on the real corpus, reading the datasets back with weft and with Python `datasets`.
import { readFileSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, test } from 'vitest';
import { encodeWarc } from '../../src/crawl/warc/warc-writer.js';
import { readDatasetRows } from '../../src/dataset/dataset-reader.js';
import { webDocumentsLayout } from '../../src/dataset/layouts/web-documents.js';
import { demoWarcRecords } from '../../src/demo/demo-warc.js';
import type { WebDocument } from '../../src/records/web-document.js';
import { corpus, hasCorpora } from '../helpers/paths.js';
import { pythonWithDatasets, runPythonJson } from '../helpers/python.js';
import { runCli } from '../helpers/run-cli.js';
import { tempDir } from '../helpers/temp-dir.js';

async function readDocs(dir: string): Promise<WebDocument[]> {
  const layout = webDocumentsLayout({ images: 'urls' });
  const docs: WebDocument[] = [];
  for await (const row of readDatasetRows(dir)) docs.push((await layout.fromRow(row))!);
  return docs;
}

async function writeInputs(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  const records = demoWarcRecords();
  await writeFile(join(dir, 'a.warc.gz'), encodeWarc(records, 'record'));
  await writeFile(join(dir, 'b-whole.warc.gz'), encodeWarc(records, 'file'));
  await writeFile(join(dir, 'c-plain.warc'), encodeWarc(records, 'none'));
}

describe('weft web', () => {
  test('documents and pairs from three WARC flavours, with provenance that points at the records', async () => {
    const tmp = await tempDir();
    const inputs = join(tmp, 'warcs');
    await writeInputs(inputs);
    const out = join(tmp, 'docs');
    const pairsOut = join(tmp, 'pairs');
    const run = await runCli([
      'web',
      inputs,
      '--out',
      out,
      '--pairs-out',
      pairsOut,
      '--workers',
      '2',
      '--json',
    ]);
    expect(run.code, run.stderr).toBe(0);
    const summary = JSON.parse(run.stdout.trim().split('\n').pop()!);
    expect(summary.rows).toBe(12);
    expect(summary.tasks.total).toBe(3);
    const decode = summary.stages.find((s: { name: string }) => s.name === 'decode-html');
    expect(decode.dropped).toEqual({
      http_status_3xx: 3,
      http_status_4xx: 3,
      not_html: 3,
      bad_chunked_encoding: 3,
    });
    expect(summary.pairs.rows).toBe(15);

    const docs = await readDocs(out);
    const byFile = (name: string) => docs.filter((d) => d.warc?.filename === name);
    expect(byFile('a.warc.gz')).toHaveLength(4);
    // Per-record gzip: offset/length is the gzip member of that record.
    const bytes = readFileSync(join(inputs, 'a.warc.gz'));
    for (const doc of byFile('a.warc.gz')) {
      const member = gunzipSync(
        bytes.subarray(doc.warc!.offset, doc.warc!.offset + doc.warc!.length),
      ).toString('latin1');
      expect(member).toMatch(/^WARC\/1\.1\r\nWARC-Type: response/);
      expect(member).toContain(`WARC-Target-URI: ${doc.url}`);
      expect(doc.extra?.warc_offset_kind).toBeUndefined();
    }
    // Whole-file gzip: offsets into the uncompressed stream, and said so.
    const whole = gunzipSync(readFileSync(join(inputs, 'b-whole.warc.gz'))).toString('latin1');
    for (const doc of byFile('b-whole.warc.gz')) {
      expect(doc.extra?.warc_offset_kind).toBe('uncompressed');
      expect(whole.slice(doc.warc!.offset, doc.warc!.offset + doc.warc!.length)).toContain(
        `WARC-Target-URI: ${doc.url}`,
      );
    }
    const recipe = docs.find((d) => d.url.endsWith('/food/apfelkuchen'))!;
    const recipeText = recipe.blocks.map((b) => (b.kind === 'text' ? b.text : '')).join(' ');
    expect(recipeText).toContain('„Geduld ist die wichtigste Zutat“');
    expect(recipeText).toContain('weniger als 6 €');
    expect(recipe).toMatchObject({
      language: 'de',
      crawlDate: '2024-05-18T01:58:10Z',
      title: 'Großmutters Apfelkuchen',
    });
    expect(recipe.extra?.charset).toBe('windows-1252');
    const kyoto = docs.find((d) => d.url.endsWith('/travel/kyoto'))!;
    expect(kyoto.language).toBe('ja');
    expect(kyoto.languageScore).toBeGreaterThan(0.9);
    expect(kyoto.blocks.map((b) => b.kind)).toEqual(['text', 'image', 'text']);
    const river = docs.find((d) => d.url.endsWith('/travel/river-walk'))!;
    expect(river.blocks.flatMap((b) => (b.kind === 'image' ? [b.src] : []))).toEqual([
      'http://weft-demo.example/img/river-1280.jpg',
      'http://weft-demo.example/img/lock-keeper.jpg',
    ]);
    const riverText = river.blocks.map((b) => (b.kind === 'text' ? b.text : '')).join(' ');
    expect(riverText).not.toMatch(/cookies|Share on Twitter|Related posts|Comments|Imprint|Popular/);

    const stats = JSON.parse(await readFile(join(out, 'stats.json'), 'utf8'));
    const extract = stats.stages.find((s: { name: string }) => s.name === 'extract-documents');
    // One in-article tracking pixel and one emoji per file flavour.
    expect(extract.counters['images_refused.tracking_pixel']).toBe(3);
    expect(extract.counters['images_refused.icon_image']).toBe(3);
  });

  test.skipIf(!pythonWithDatasets)('Python datasets loads both outputs in the OBELICS layout', async () => {
    const tmp = await tempDir();
    await writeInputs(join(tmp, 'warcs'));
    const run = await runCli([
      'web',
      join(tmp, 'warcs', 'a.warc.gz'),
      '--out',
      join(tmp, 'd'),
      '--pairs-out',
      join(tmp, 'p'),
    ]);
    expect(run.code, run.stderr).toBe(0);
    const result = runPythonJson<{
      features: string[];
      aligned: boolean;
      general: string[];
      meta: Record<string, unknown>;
      pairs: number;
      pairFeatures: string[];
    }>(
      `
import json, sys
from datasets import load_from_disk
d = load_from_disk(sys.argv[1]); p = load_from_disk(sys.argv[2])
aligned = all(len(r['texts']) == len(r['images']) and all((t is None) != (i is None) for t, i in zip(r['texts'], r['images'])) for r in d)
row = d[0]
meta = [m for m in json.loads(row['metadata']) if m][0]
print(json.dumps({'features': sorted(d.features), 'aligned': aligned, 'general': sorted(json.loads(row['general_metadata'])),
  'meta': meta, 'pairs': len(p), 'pairFeatures': sorted(p.features)}))
`,
      [join(tmp, 'd'), join(tmp, 'p')],
    );
    expect(result.features).toEqual(['general_metadata', 'images', 'metadata', 'texts']);
    expect(result.aligned).toBe(true);
    expect(result.general).toEqual(
      expect.arrayContaining([
        'url',
        'warc_filename',
        'warc_record_offset',
        'warc_record_length',
        'crawl_date',
        'language',
      ]),
    );
    expect(result.meta).toMatchObject({
      src: 'http://weft-demo.example/img/river-1280.jpg',
      rendered_width: '640',
    });
    expect(result.pairs).toBe(5);
    expect(result.pairFeatures).toEqual(
      expect.arrayContaining(['image', 'url', 'caption', 'caption_source', 'page_url']),
    );
  });

  test.skipIf(!hasCorpora)(
    'the real WARC corpus: every broken record is a counted reason, the run succeeds',
    async () => {
      const tmp = await tempDir();
      const out = join(tmp, 'corpus');
      const run = await runCli(['web', corpus('warc'), '--out', out, '--workers', '2', '--quiet']);
      expect(run.code, run.stderr).toBe(0);
      const stats = JSON.parse(await readFile(join(out, 'stats.json'), 'utf8'));
      const read = stats.stages[0];
      expect(read.name).toBe('read-warc');
      expect(read.dropped).toMatchObject({
        truncated_gzip_member: 1,
        bad_record_length: 2,
        bad_arc_header: 3,
        truncated_record: 1,
      });
      expect(read.counters.records_read).toBeGreaterThan(250);
      expect(stats.rows).toBeGreaterThan(70);
      const languages = Object.keys(stats.stages[2].counters).filter((k) => k.startsWith('language.'));
      expect(languages).toEqual(expect.arrayContaining(['language.en', 'language.ja']));
    },
  );

  test('bad usage and missing inputs are clear errors', async () => {
    const tmp = await tempDir();
    const noInputs = await runCli(['web', '--out', join(tmp, 'x')]);
    expect(noInputs.code).toBe(2);
    const missing = await runCli(['web', join(tmp, 'nothing-here-*.warc.gz'), '--out', join(tmp, 'y')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no WARC files match');
  });

  test('weft demo runs the web steps: the generated WARC, and the crawl with its pairs', async () => {
    const tmp = await tempDir();
    const run = await runCli(
      ['demo', '--out', join(tmp, 'demo'), '--only', 'web-legacy,web-pairs', '--workers', '1', '--json'],
      { timeoutMs: 120_000 },
    );
    expect(run.code, run.stderr).toBe(0);
    const { steps } = JSON.parse(run.stdout.trim().split('\n').pop()!);
    const rows = (step: string) => steps.find((s: { step: string }) => s.step === step)?.rows;
    // Four HTML pages of eight records (a redirect, a 404, an image and a broken chunked body are dropped).
    expect(rows('web-legacy')).toBe(4);
    // The crawl of the demo site: an index and six articles; four captioned pictures per article.
    expect(rows('web')).toBe(7);
    expect(rows('web-pairs')).toBe(24);
  }, 150_000);
});
