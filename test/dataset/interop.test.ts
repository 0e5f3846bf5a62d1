// weft output loaded by Hugging Face `datasets` itself (Python), values and decoded images checked.
import { describe, expect, test } from 'vitest';
import { layoutOf, openDataset, readDatasetRows } from '../../src/dataset/dataset-reader.js';
import { imageTextPairsLayout } from '../../src/dataset/layouts/image-text-pairs.js';
import { sftSamplesLayout } from '../../src/dataset/layouts/sft-samples.js';
import { webDocumentsLayout } from '../../src/dataset/layouts/web-documents.js';
import { runJob } from '../../src/run/run-job.js';
import { makeDoc, makeImage, makePair, makeSft } from '../helpers/fixtures.js';
import { pythonWithDatasets, runPythonJson } from '../helpers/python.js';
import { tempDir } from '../helpers/temp-dir.js';
import { registerRecordsJob } from '../helpers/test-jobs.js';

const LOAD = `
import json, sys
from datasets import load_from_disk
ds = load_from_disk(sys.argv[1])
def describe(v):
    if hasattr(v, 'size') and hasattr(v, 'mode'):
        return {'pil': type(v).__name__, 'size': list(v.size), 'mode': v.mode}
    if isinstance(v, list):
        return [describe(x) for x in v]
    if isinstance(v, dict):
        return {k: describe(x) for k, x in v.items()}
    return v
print(json.dumps({'rows': len(ds), 'features': {k: repr(v) for k, v in ds.features.items()},
                  'first': describe(ds[0]) if len(ds) else None,
                  'files': len(ds.cache_files)}))
`;

type Loaded = {
  rows: number;
  features: Record<string, string>;
  first: Record<string, unknown> | null;
  files: number;
};

describe.skipIf(!pythonWithDatasets)('datasets.load_from_disk reads weft output as-is', () => {
  test('Image, list of Image and list of {user, assistant, source} structs (SFT layout)', async () => {
    const images = [
      await makeImage(120, 80, { seed: 1 }),
      await makeImage(64, 96, { seed: 2, format: 'png' }),
    ];
    const records = Array.from({ length: 150 }, () => makeSft(images));
    const out = `${await tempDir()}/sft`;
    const job = registerRecordsJob(sftSamplesLayout(), records, 3);
    await runJob(job, {}, { outDir: out, workers: 1, durable: false, maxShardBytes: 100_000 });
    const loaded = runPythonJson<Loaded>(LOAD, [out]);
    expect(loaded.rows).toBe(150);
    expect(loaded.files).toBeGreaterThan(1);
    expect(loaded.features.images).toBe('List(Image(mode=None, decode=True))');
    expect(loaded.features.texts).toContain("'user': Value('string')");
    expect(loaded.first?.images).toEqual([
      { pil: 'JpegImageFile', size: [120, 80], mode: 'RGB' },
      { pil: 'PngImageFile', size: [64, 96], mode: expect.stringMatching(/^RGBA?$/) },
    ]);
    expect(loaded.first?.texts).toEqual(records[0]!.turns);
  });

  test('list of nullable strings aligned with a list of images (OBELICS layout), and a single Image column', async () => {
    const image = await makeImage(300, 200, { seed: 5 });
    const doc = makeDoc({
      blocks: [
        { kind: 'text', text: 'Before.' },
        { kind: 'image', src: 'https://x.org/i.jpg', image },
        { kind: 'text', text: 'After.' },
      ],
    });
    const docsOut = `${await tempDir()}/docs`;
    await runJob(
      registerRecordsJob(webDocumentsLayout({ images: 'bytes' }), [doc, doc]),
      {},
      { outDir: docsOut, workers: 1, durable: false },
    );
    const docs = runPythonJson<Loaded>(LOAD, [docsOut]);
    expect(docs.rows).toBe(2);
    expect(docs.first?.texts).toEqual(['Before.', null, 'After.']);
    expect(docs.first?.images).toEqual([null, { pil: 'JpegImageFile', size: [300, 200], mode: 'RGB' }, null]);
    expect(JSON.parse(docs.first?.general_metadata as string)).toEqual({
      url: 'https://example.com/article',
    });

    const pairsOut = `${await tempDir()}/pairs`;
    await runJob(
      registerRecordsJob(imageTextPairsLayout(), [
        makePair(image, 'a gradient'),
        makePair(undefined, 'no image'),
      ]),
      {},
      { outDir: pairsOut, workers: 1, durable: false },
    );
    const pairs = runPythonJson<Loaded>(LOAD, [pairsOut]);
    expect(pairs.features.image).toBe('Image(mode=None, decode=True)');
    expect(pairs.first).toMatchObject({
      image: { pil: 'JpegImageFile', size: [300, 200] },
      caption: 'a gradient',
      width: 300,
      height: 200,
    });
  });

  test('weft reads back what datasets.save_to_disk wrote (Cauldron layout, several shards)', async () => {
    const out = `${await tempDir()}/from-python`;
    const image = await makeImage(50, 40, { seed: 8, format: 'png' });
    const script = `
import json, sys, io
from datasets import Dataset, Features, Image, Value, List
from PIL import Image as PILImage
png = open(sys.argv[2], 'rb').read()
features = Features({'images': List(Image()), 'texts': List({'user': Value('string'), 'assistant': Value('string'), 'source': Value('string')})})
rows = {'images': [[{'bytes': png, 'path': None}]] * 30, 'texts': [[{'user': f'q{i}', 'assistant': f'a{i}', 'source': 'py'}] for i in range(30)]}
Dataset.from_dict(rows, features=features).save_to_disk(sys.argv[1], num_shards=3)
print(json.dumps({'ok': True}))
`;
    const pngPath = `${await tempDir()}/img.png`;
    await (await import('node:fs/promises')).writeFile(pngPath, image.bytes);
    runPythonJson(script, [out, pngPath]);
    const handle = await openDataset(out);
    expect(handle.dataFiles).toHaveLength(3);
    const layout = layoutOf(handle);
    expect(layout.name).toBe('sft-samples');
    const samples = [];
    for await (const row of readDatasetRows(handle)) samples.push(await layout.fromRow(row));
    expect(samples).toHaveLength(30);
    expect(samples[29]).toMatchObject({ turns: [{ user: 'q29', assistant: 'a29', source: 'py' }] });
    expect(samples[0]).toMatchObject({
      images: [{ format: 'png', widthPx: 50, heightPx: 40, sha256: image.sha256 }],
    });
  });

  test('an empty dataset still loads (one schema-only shard)', async () => {
    const out = `${await tempDir()}/empty`;
    await runJob(
      registerRecordsJob(imageTextPairsLayout(), []),
      {},
      { outDir: out, workers: 1, durable: false },
    );
    const loaded = runPythonJson<Loaded>(LOAD, [out]);
    expect(loaded).toMatchObject({ rows: 0, files: 1, first: null });
    expect(loaded.features.image).toBe('Image(mode=None, decode=True)');
  });
});
