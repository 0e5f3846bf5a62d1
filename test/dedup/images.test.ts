// Duplicate images planted across tasks: re-encoded, resized and both, from real photos; exact copies
// by sha256; distinct photos must stay apart. Run on image-text pairs (records dropped) and on web
// documents (image nodes removed).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, test } from 'vitest';
import { openDataset, readDatasetRows } from '../../src/dataset/dataset-reader.js';
import { imageTextPairsLayout } from '../../src/dataset/layouts/image-text-pairs.js';
import { webDocumentsLayout } from '../../src/dataset/layouts/web-documents.js';
import { hammingDistance, phash } from '../../src/images/phash.js';
import { type ImageValue, sha256Hex } from '../../src/records/image.js';
import type { ImageTextPair } from '../../src/records/index.js';
import { runJob } from '../../src/run/run-job.js';
import { corpus, hasCorpora } from '../helpers/paths.js';
import { tempDir } from '../helpers/temp-dir.js';
import { doc, img, writeDataset } from '../helpers/web-docs.js';

const CANDIDATES = [
  '2569067123_aca715a2ee_o.jpg',
  '320x240.jpg',
  'Channel_digital_image_CMYK_color.jpg',
  'Landscape_1.jpg',
  'Portrait_1.jpg',
  'concert.jpg',
  'flowers.jpeg',
  'gamma_dalai_lama_gray.jpg',
  'low-contrast.jpg',
  'swiss.png',
  'p3.png',
  'booleanTest.jpg',
];

async function value(bytes: Uint8Array): Promise<ImageValue> {
  const meta = await sharp(bytes).metadata();
  return {
    bytes,
    format: meta.format === 'png' ? 'png' : meta.format === 'webp' ? 'webp' : 'jpeg',
    widthPx: meta.width!,
    heightPx: meta.height!,
    sha256: sha256Hex(bytes),
  };
}

/** Distinct real photos (pairwise pHash distance > 20), upright, as JPEG. */
const photoNames: string[] = [];
async function distinctPhotos(): Promise<Uint8Array[]> {
  const chosen: { bytes: Uint8Array; hash: string; name: string }[] = [];
  for (const name of CANDIDATES) {
    const bytes = new Uint8Array(
      await sharp(await readFile(corpus('images/sharp-fixtures', name)))
        .rotate()
        .resize(480, 480, { fit: 'inside' })
        .jpeg({ quality: 90 })
        .toBuffer(),
    );
    const hash = await phash(bytes);
    if (chosen.every((c) => hammingDistance(c.hash, hash) > 20)) chosen.push({ bytes, hash, name });
  }
  photoNames.splice(0, photoNames.length, ...chosen.map((c) => c.name));
  return chosen.map((c) => c.bytes);
}

function pair(url: string, image: ImageValue): ImageTextPair {
  return { kind: 'image-text-pair', url, caption: `caption of ${url}`, captionSource: 'alt', image };
}

describe.skipIf(!hasCorpora)('near-duplicate images (pHash ≤ 8 bits) and exact copies (sha256)', () => {
  test('re-encoded and resized copies in other tasks are found; distinct photos are not', async () => {
    const photos = await distinctPhotos();
    expect(photos.length).toBeGreaterThanOrEqual(6);
    const originals: ImageTextPair[] = [];
    const planted: { record: ImageTextPair; of: number; how: string }[] = [];
    for (const [i, bytes] of photos.entries()) {
      originals.push(pair(`https://a.example/${i}.jpg`, await value(bytes)));
      const variants: [string, Uint8Array][] = [
        ['exact copy', bytes],
        ['webp q60', new Uint8Array(await sharp(bytes).webp({ quality: 60 }).toBuffer())],
        ['resized 50%', new Uint8Array(await sharp(bytes).resize(240).jpeg({ quality: 80 }).toBuffer())],
        ['resized 40% + png', new Uint8Array(await sharp(bytes).resize(190).png().toBuffer())],
      ];
      for (const [how, copy] of variants)
        planted.push({ record: pair(`https://b.example/${i}-${how}`, await value(copy)), of: i, how });
    }
    const input = await tempDir();
    await writeDataset(
      input,
      [
        originals,
        planted.slice(0, planted.length / 2).map((p) => p.record),
        planted.slice(planted.length / 2).map((p) => p.record),
      ],
      imageTextPairsLayout(),
    );
    const out = join(await tempDir(), 'out');
    await runJob('dedup', { input, methods: ['images'] }, { outDir: out, workers: 2, durable: false });
    const layout = imageTextPairsLayout();
    const kept: string[] = [];
    for await (const row of readDatasetRows(await openDataset(out)))
      kept.push((await layout.fromRow(row))!.url);
    // Every original survives (no two distinct photos were merged) and every planted copy is gone.
    const found = planted.filter((p) => !kept.includes(p.record.url)).length;
    const originalsKept = originals.filter((o) => kept.includes(o.url)).length;
    console.log(
      `image dedup on ${photos.length} real photos × ${planted.length / photos.length} planted copies: recall ${(found / planted.length).toFixed(3)}, ` +
        `precision ${(found / (found + originals.length - originalsKept)).toFixed(3)} (distinct originals kept ${originalsKept}/${originals.length})`,
    );
    // The search itself is exact: a copy is found exactly when its bytes match or its pHash is within 8
    // bits. pHash is not stable on every picture (flat, low-contrast ones move > 8 bits when re-encoded).
    const originalHashes = await Promise.all(originals.map((o) => phash(o.image!.bytes)));
    const misses: string[] = [];
    for (const p of planted) {
      const distance = hammingDistance(originalHashes[p.of]!, await phash(p.record.image!.bytes));
      const exact = p.record.image!.sha256 === originals[p.of]!.image!.sha256;
      expect(!kept.includes(p.record.url), `${p.how} of photo ${p.of}: distance ${distance}`).toBe(
        exact || distance <= 8,
      );
      if (kept.includes(p.record.url))
        misses.push(`${p.how} of ${photoNames[p.of]} (pHash distance ${distance})`);
    }
    if (misses.length > 0) console.log(`missed (pHash moved more than 8 bits): ${misses.join('; ')}`);
    expect(originalsKept).toBe(originals.length);
    expect(found / planted.length).toBeGreaterThan(0.8);
    const stats = JSON.parse(await readFile(join(out, 'stats.json'), 'utf8')) as {
      stages: { name: string; dropped: Record<string, number>; counters: Record<string, number> }[];
    };
    const stage = stats.stages.find((s) => s.name === 'dedup/images')!;
    expect(stage.dropped.duplicate_image).toBe(found);
    expect(stage.counters.clusters).toBe(photos.length);

    // With perceptual hashing off, only the byte-identical copies are found.
    const exactOut = join(await tempDir(), 'out');
    await runJob(
      'dedup',
      { input, methods: ['images'], images: { perceptual: false } },
      { outDir: exactOut, workers: 1, durable: false },
    );
    const exactKept: string[] = [];
    for await (const row of readDatasetRows(await openDataset(exactOut)))
      exactKept.push((await layout.fromRow(row))!.url);
    expect(exactKept).toHaveLength(originals.length + planted.length - photos.length);
  });

  test('in web documents the later copies’ image nodes are removed, the documents stay', async () => {
    const [a, b] = await distinctPhotos();
    const small = new Uint8Array(await sharp(a!).resize(200).jpeg({ quality: 70 }).toBuffer());
    const input = await tempDir();
    await writeDataset(input, [
      [doc('https://x.example/1', 'first page', img('https://x.example/a.jpg', await value(a!)))],
      [
        doc(
          'https://y.example/2',
          'second page',
          img('https://y.example/a-small.jpg', await value(small)),
          img('https://y.example/b.jpg', await value(b!)),
        ),
      ],
    ]);
    const out = join(await tempDir(), 'out');
    await runJob('dedup', { input, methods: ['images'] }, { outDir: out, workers: 1, durable: false });
    const layout = webDocumentsLayout({ images: 'bytes' });
    const docs = [];
    for await (const row of readDatasetRows(await openDataset(out))) docs.push((await layout.fromRow(row))!);
    expect(
      docs.map((d) =>
        d.blocks.filter((x) => x.kind === 'image').map((x) => (x.kind === 'image' ? x.src : '')),
      ),
    ).toEqual([['https://x.example/a.jpg'], ['https://y.example/b.jpg']]);
  });
});
