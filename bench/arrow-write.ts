// bench/arrow-write: weft's dataset writer on ~1 GB of image rows, beside a plain fs write of the same
// number of bytes in the same run. Both fsync at the end. Goal: weft ≥ 0.7 × plain.
// Usage: npm run bench -- arrow-write [--gb 1] [--rounds 3]
import { execFileSync } from 'node:child_process';
import { mkdtemp, open, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { imageTextPairsLayout } from '../src/dataset/layouts/image-text-pairs.js';
import { ShardWriter } from '../src/dataset/shard-writer.js';
import { type ImageTextPair, sha256Hex } from '../src/records/index.js';

const { values } = parseArgs({
  options: { gb: { type: 'string', default: '1' }, rounds: { type: 'string', default: '3' } },
});
const targetBytes = Number(values.gb) * 1e9;
const rounds = Number(values.rounds);

/** Realistic JPEGs (noise compresses like photos): 32 distinct images of ~150 kB. */
async function makePool(): Promise<ImageTextPair[]> {
  const pool: ImageTextPair[] = [];
  for (let i = 0; i < 32; i++) {
    const width = 640 + i * 8;
    const height = 480;
    const noise = Buffer.alloc(width * height * 3);
    for (let p = 0; p < noise.length; p++) noise[p] = (p * 2654435761 + i * 97) >>> 24;
    const bytes = new Uint8Array(
      await sharp(noise, { raw: { width, height, channels: 3 } })
        .jpeg({ quality: 80 })
        .toBuffer(),
    );
    pool.push({
      kind: 'image-text-pair',
      url: `https://example.com/images/${i}.jpg`,
      caption: `A benchmark picture number ${i} with a caption of ordinary length for an alt text.`,
      captionSource: 'alt',
      pageUrl: 'https://example.com/page',
      image: { bytes, format: 'jpeg', widthPx: width, heightPx: height, sha256: sha256Hex(bytes) },
    });
  }
  return pool;
}

async function weftWrite(
  dir: string,
  pool: ImageTextPair[],
  rows: number,
): Promise<{ ms: number; bytes: number }> {
  const layout = imageTextPairsLayout();
  const start = performance.now();
  const writer = new ShardWriter(dir, layout.features);
  for (let r = 0; r < rows; r++) await writer.append(layout.toRow(pool[r % pool.length]!));
  const parts = await writer.close();
  const ms = performance.now() - start;
  return { ms, bytes: parts.reduce((n, p) => n + p.bytes, 0) };
}

/** The anchor: the same number of bytes, written as the same image buffers (100 per writev), fsynced. */
async function plainWrite(
  dir: string,
  pool: ImageTextPair[],
  totalBytes: number,
): Promise<{ ms: number; bytes: number }> {
  const start = performance.now();
  const handle = await open(join(dir, 'plain.bin'), 'w');
  let written = 0;
  let r = 0;
  while (written < totalBytes) {
    const chunks: Uint8Array[] = [];
    for (let i = 0; i < 100 && written < totalBytes; i++, r++) {
      const bytes = pool[r % pool.length]!.image!.bytes;
      const piece = written + bytes.byteLength > totalBytes ? bytes.subarray(0, totalBytes - written) : bytes;
      chunks.push(piece);
      written += piece.byteLength;
    }
    await handle.writev(chunks);
  }
  await handle.sync();
  await handle.close();
  return { ms: performance.now() - start, bytes: (await stat(join(dir, 'plain.bin'))).size };
}

const pool = await makePool();
const perRow = pool.reduce((n, p) => n + p.image!.bytes.byteLength, 0) / pool.length;
const rows = Math.ceil(targetBytes / perRow);
console.log(
  `arrow-write: ${rows} image rows (~${(perRow / 1e3).toFixed(0)} kB each, ${(targetBytes / 1e9).toFixed(2)} GB of images), ${rounds} rounds`,
);
const mbps = (r: { ms: number; bytes: number }) => r.bytes / 1e6 / (r.ms / 1000);
const results: { weft: number; plain: number }[] = [];
/** Flushes dirty pages so that each measured write starts from the same state of the page cache. */
const settle = () => execFileSync('sync');
let expectedBytes = 0;
const runWeft = async () => {
  const dir = await mkdtemp(join(tmpdir(), 'weft-bench-arrow-'));
  settle();
  try {
    const result = await weftWrite(dir, pool, rows);
    expectedBytes = result.bytes;
    return result;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
};
const runPlain = async () => {
  const dir = await mkdtemp(join(tmpdir(), 'weft-bench-plain-'));
  settle();
  try {
    return await plainWrite(dir, pool, expectedBytes);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
};
await runWeft(); // warm-up (JIT, file system), not counted
for (let round = 1; round <= rounds; round++) {
  {
    // Alternate which one goes first, so neither always inherits the other's page-cache writeback.
    let weft: { ms: number; bytes: number };
    let plain: { ms: number; bytes: number };
    if (round % 2 === 1) {
      weft = await runWeft();
      plain = await runPlain();
    } else {
      plain = await runPlain();
      weft = await runWeft();
    }
    results.push({ weft: mbps(weft), plain: mbps(plain) });
    console.log(
      `  round ${round}: weft ${mbps(weft).toFixed(0)} MB/s (${(weft.bytes / 1e9).toFixed(2)} GB in ${(weft.ms / 1000).toFixed(2)} s)  ` +
        `plain fs ${mbps(plain).toFixed(0)} MB/s (${(plain.ms / 1000).toFixed(2)} s)  ratio ${(mbps(weft) / mbps(plain)).toFixed(2)}`,
    );
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const weftMedian = median(results.map((r) => r.weft));
const plainMedian = median(results.map((r) => r.plain));
console.log(
  `median: weft ${weftMedian.toFixed(0)} MB/s, plain fs write ${plainMedian.toFixed(0)} MB/s, ratio ${(weftMedian / plainMedian).toFixed(2)} (goal ≥ 0.70)`,
);
