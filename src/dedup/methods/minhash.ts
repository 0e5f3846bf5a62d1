// Near-duplicate documents: MinHash signatures per task, then one LSH pass per band over the whole
// corpus (a 64-bit band hash → first document table), union-find over the collisions, and one
// document kept per cluster: the first in corpus order. The index holds one band at a time, so its
// memory is ~12 bytes per document for the table plus 4 for union-find.
import { join } from 'node:path';
import { z } from 'zod';
import { ColumnsFile, readJson, writeColumns, writeJson } from '../columns-file.js';
import { U64Table, u32Column } from '../hash64.js';
import { type DedupMethod, type DocDecisions, decisionFile, dropListApplier, KEYS_FILE } from '../method.js';
import { DEFAULT_MINHASH, MinHasher } from '../minhash.js';
import { textOf } from '../record-access.js';
import { UnionFind } from '../union-find.js';

export const MinhashOptions = z.strictObject({
  /** Words per shingle. */
  ngram: z.number().int().min(1).max(32).default(DEFAULT_MINHASH.ngram),
  bands: z.number().int().min(1).max(64).default(DEFAULT_MINHASH.bands),
  rowsPerBand: z.number().int().min(1).max(64).default(DEFAULT_MINHASH.rowsPerBand),
  seed: z.number().int().default(DEFAULT_MINHASH.seed),
});
export type MinhashOptions = z.output<typeof MinhashOptions>;

export interface MinhashIndexResult {
  /** Global ids (corpus order) that are duplicates of an earlier document. */
  parent: Int32Array;
}

/**
 * Clusters documents from per-task band-hash files. `bandSlice(t, band)` returns the [hi, lo] pairs of
 * task t's documents for one band (0/0 for documents without a signature, listed in `valid`).
 */
export async function lshClusters(
  counts: number[],
  bands: number,
  bandSlice: (task: number, band: number) => Promise<{ hashes: Uint32Array; valid: Uint8Array }>,
): Promise<UnionFind> {
  const offsets = [0];
  for (const n of counts) offsets.push(offsets[offsets.length - 1]! + n);
  const total = offsets[offsets.length - 1]!;
  const uf = new UnionFind(total);
  const table = new U64Table(total);
  for (let band = 0; band < bands; band++) {
    table.clear();
    for (let t = 0; t < counts.length; t++) {
      const { hashes, valid } = await bandSlice(t, band);
      const base = offsets[t]!;
      for (let i = 0; i < counts[t]!; i++) {
        if (!valid[i]) continue;
        const first = table.getOrSet(hashes[i * 2]!, hashes[i * 2 + 1]!, base + i);
        if (first !== undefined) uf.union(first, base + i);
      }
    }
  }
  return uf;
}

export const minhashMethod: DedupMethod<MinhashOptions> = {
  name: 'minhash',
  collect(options, ctx) {
    const hasher = new MinHasher(options);
    const sig = new Uint32Array(hasher.bins * 2);
    const bandsOut = new Uint32Array(options.bands * 2);
    const perBand = Array.from({ length: options.bands }, () => u32Column());
    const index = u32Column();
    const valid = u32Column();
    return {
      add(record, i) {
        const signature = hasher.signature(textOf(record), sig);
        index.push(i);
        valid.push(signature ? 1 : 0);
        if (signature) hasher.bandHashes(signature, bandsOut);
        for (let b = 0; b < options.bands; b++) {
          perBand[b]!.push(signature ? bandsOut[b * 2]! : 0);
          perBand[b]!.push(signature ? bandsOut[b * 2 + 1]! : 0);
        }
      },
      finish: () =>
        writeColumns(
          join(ctx.outDir, KEYS_FILE),
          {
            index: index.toArray(),
            valid: Uint8Array.from(valid.toArray()),
            ...Object.fromEntries(perBand.map((c, b) => [`band${b}`, c.toArray()])),
          },
          { task: ctx.taskIndex },
        ),
    };
  },
  async reduce(options, { taskDirs, outDir, log }) {
    const files = await Promise.all(taskDirs.map((d) => ColumnsFile.open(join(d, KEYS_FILE))));
    const indices = await Promise.all(files.map((f) => f.column('index')));
    const valids = await Promise.all(files.map((f) => f.column('valid') as Promise<Uint8Array>));
    const counts = indices.map((a) => a.length);
    // One reusable buffer for a band slice: the index holds one band of one task at a time.
    const buffer = new Uint32Array(Math.max(1, ...counts) * 2);
    const uf = await lshClusters(counts, options.bands, async (t, band) => ({
      hashes: (await files[t]!.column(`band${band}`, 0, undefined, buffer)) as Uint32Array,
      valid: valids[t]!,
    }));
    const decisions: DocDecisions[] = taskDirs.map(() => ({ drop: [], clusters: [] }));
    const sizes = new Int32Array(uf.parent.length);
    for (let g = 0; g < sizes.length; g++) sizes[uf.find(g)]! += 1;
    let g = 0;
    let dropped = 0;
    for (let t = 0; t < counts.length; t++) {
      for (let i = 0; i < counts[t]!; i++, g++) {
        const root = uf.find(g);
        if (root !== g) {
          decisions[t]!.drop.push(indices[t]![i]!);
          dropped += 1;
        } else if (sizes[g]! > 1) decisions[t]!.clusters.push(sizes[g]!);
      }
    }
    log.info(`minhash: ${g} documents, ${dropped} near-duplicates to drop`);
    for (const [t, d] of decisions.entries()) await writeJson(decisionFile(outDir, t), d);
  },
  async applier(_options, dir, taskIndex) {
    return dropListApplier(await readJson<DocDecisions>(decisionFile(dir, taskIndex)), 'near_duplicate');
  },
};
