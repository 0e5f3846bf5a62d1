// Duplicate images across the corpus: exact (same sha256) and near (perceptual hashes within
// `maxDistance` bits: re-encoded, resized, lightly edited copies). Of each cluster the first copy in
// corpus order is kept. Web documents lose the later copies' image nodes; image-text pairs and PDF
// pages holding a later copy are dropped. Near-duplicate search is exact (no missed pairs): the 64-bit
// hash is cut into 4 16-bit chunks, and two hashes within d bits agree on some chunk within
// floor(d / 4) bits, so only those buckets are compared.
import { join } from 'node:path';
import { z } from 'zod';
import { phash } from '../../images/phash.js';
import { ColumnsFile, readJson, writeColumns, writeJson } from '../columns-file.js';
import { hexPrefix64, popcount32, U64Table, u32Column } from '../hash64.js';
import { type DedupMethod, decisionFile, KEYS_FILE, recordClusters } from '../method.js';
import { imagesOf, isWebDocument, withoutImages } from '../record-access.js';
import { UnionFind } from '../union-find.js';

export const ImagesOptions = z.strictObject({
  /** Perceptual-hash Hamming distance (of 64 bits) at or under which two images are the same picture. */
  maxDistance: z.number().int().min(0).max(16).default(8),
  /** Use perceptual hashes (else only exact sha256 matches). */
  perceptual: z.boolean().default(true),
});
export type ImagesOptions = z.output<typeof ImagesOptions>;

interface ImageDecisions {
  /** [record index, image ordinal] pairs to remove. */
  remove: [number, number][];
  clusters: number[];
}

/** Masks of up to `radius` set bits within 16 bits. */
function masks16(radius: number): number[] {
  const out = [0];
  if (radius >= 1) for (let a = 0; a < 16; a++) out.push(1 << a);
  if (radius >= 2)
    for (let a = 0; a < 16; a++) for (let b = a + 1; b < 16; b++) out.push((1 << a) | (1 << b));
  if (radius >= 3)
    for (let a = 0; a < 16; a++)
      for (let b = a + 1; b < 16; b++)
        for (let c = b + 1; c < 16; c++) out.push((1 << a) | (1 << b) | (1 << c));
  if (radius >= 4) throw new Error('maxDistance above 15 is not supported');
  return out;
}

/** Unions every pair of hashes within `maxDistance` bits. */
export function unionNearHashes(hi: Uint32Array, lo: Uint32Array, maxDistance: number, uf: UnionFind): void {
  const n = hi.length;
  const chunk = (i: number, c: number) =>
    (c < 2 ? hi[i]! >>> (c === 0 ? 16 : 0) : lo[i]! >>> (c === 2 ? 16 : 0)) & 0xffff;
  const probes = masks16(Math.floor(maxDistance / 4));
  for (let c = 0; c < 4; c++) {
    // Bucket ids by chunk value (counting sort into CSR arrays).
    const starts = new Uint32Array(65537);
    for (let i = 0; i < n; i++) starts[chunk(i, c) + 1]! += 1;
    for (let v = 0; v < 65536; v++) starts[v + 1]! += starts[v]!;
    const ids = new Uint32Array(n);
    const fill = starts.slice(0, 65536);
    for (let i = 0; i < n; i++) ids[fill[chunk(i, c)]!++] = i;
    for (let i = 0; i < n; i++) {
      const value = chunk(i, c);
      for (const mask of probes) {
        const v = value ^ mask;
        for (let k = starts[v]!; k < starts[v + 1]!; k++) {
          const j = ids[k]!;
          if (j >= i) continue;
          if (popcount32(hi[i]! ^ hi[j]!) + popcount32(lo[i]! ^ lo[j]!) <= maxDistance) uf.union(i, j);
        }
      }
    }
  }
}

export const imagesMethod: DedupMethod<ImagesOptions> = {
  name: 'images',
  collect(options, ctx) {
    const cols = { index: u32Column(), ordinal: u32Column(), shaHi: u32Column(), shaLo: u32Column() };
    const ph = { hi: u32Column(), lo: u32Column(), ok: u32Column() };
    return {
      async add(record, i) {
        for (const [ordinal, { image }] of imagesOf(record).entries()) {
          if (!image) continue;
          const [sh, sl] = hexPrefix64(image.sha256);
          cols.index.push(i);
          cols.ordinal.push(ordinal);
          cols.shaHi.push(sh);
          cols.shaLo.push(sl);
          let hash = image.phash;
          if (!hash && options.perceptual) hash = await phash(image.bytes).catch(() => undefined);
          const [h, l] = hash ? hexPrefix64(hash) : [0, 0];
          ph.hi.push(h);
          ph.lo.push(l);
          ph.ok.push(hash ? 1 : 0);
        }
      },
      finish: () =>
        writeColumns(join(ctx.outDir, KEYS_FILE), {
          index: cols.index.toArray(),
          ordinal: cols.ordinal.toArray(),
          shaHi: cols.shaHi.toArray(),
          shaLo: cols.shaLo.toArray(),
          phHi: ph.hi.toArray(),
          phLo: ph.lo.toArray(),
          phOk: Uint8Array.from(ph.ok.toArray()),
        }),
    };
  },
  async reduce(options, { taskDirs, outDir, log }) {
    const parts = [];
    for (const dir of taskDirs) {
      const file = await ColumnsFile.open(join(dir, KEYS_FILE));
      const names = ['index', 'ordinal', 'shaHi', 'shaLo', 'phHi', 'phLo', 'phOk'];
      const [index, ordinal, shaHi, shaLo, phHi, phLo, phOk] = await Promise.all(
        names.map((c) => file.column(c)),
      );
      parts.push({
        index: index!,
        ordinal: ordinal!,
        shaHi: shaHi!,
        shaLo: shaLo!,
        phHi: phHi!,
        phLo: phLo!,
        phOk: phOk!,
      });
    }
    const total = parts.reduce((n, p) => n + p.index.length, 0);
    const uf = new UnionFind(total);
    const exact = new U64Table(total);
    const nearHi = u32Column();
    const nearLo = u32Column();
    const nearId = u32Column();
    let g = 0;
    for (const p of parts) {
      for (let i = 0; i < p.index.length; i++, g++) {
        const first = exact.getOrSet(p.shaHi[i]!, p.shaLo[i]!, g);
        if (first !== undefined) uf.union(first, g);
        if (options.perceptual && p.phOk[i]) {
          nearHi.push(p.phHi[i]!);
          nearLo.push(p.phLo[i]!);
          nearId.push(g);
        }
      }
    }
    if (options.perceptual) {
      const ids = nearId.toArray();
      const local = new UnionFind(ids.length);
      unionNearHashes(nearHi.toArray(), nearLo.toArray(), options.maxDistance, local);
      for (let k = 0; k < ids.length; k++) uf.union(ids[k]!, ids[local.find(k)]!);
    }
    const sizes = new Int32Array(total);
    for (let k = 0; k < total; k++) sizes[uf.find(k)]! += 1;
    g = 0;
    let removed = 0;
    for (const [t, p] of parts.entries()) {
      const d: ImageDecisions = { remove: [], clusters: [] };
      for (let i = 0; i < p.index.length; i++, g++) {
        if (uf.find(g) !== g) {
          d.remove.push([p.index[i]!, p.ordinal[i]!]);
          removed += 1;
        } else if (sizes[g]! > 1) d.clusters.push(sizes[g]!);
      }
      await writeJson(decisionFile(outDir, t), d);
    }
    log.info(`images: ${total} images, ${removed} duplicates to remove`);
  },
  async applier(_options, dir, taskIndex) {
    const d = await readJson<ImageDecisions>(decisionFile(dir, taskIndex));
    const byRecord = new Map<number, Set<number>>();
    for (const [index, ordinal] of d.remove) {
      const set = byRecord.get(index) ?? new Set<number>();
      set.add(ordinal);
      byRecord.set(index, set);
    }
    return {
      begin: (stats) => recordClusters(stats, d.clusters),
      apply(record, index, stats) {
        const remove = byRecord.get(index);
        if (!remove) return record;
        if (!isWebDocument(record)) return { drop: 'duplicate_image' };
        stats.count('images_dropped.duplicate_image', remove.size);
        const doc = withoutImages(record, remove);
        return doc.blocks.length === 0 ? { drop: 'no_content_left' } : doc;
      },
    };
  },
};
