// Exact dedup on one key per record (URL, normalized text, set of image URLs): within each group of
// records with the same key, the one with the highest rank (latest crawl, when ranked) is kept, the
// first in corpus order on ties.
import { join } from 'node:path';
import type { AnyRecord } from '../../records/index.js';
import { ColumnsFile, readJson, writeColumns, writeJson } from '../columns-file.js';
import { f64Column, hash64, U64Table, u32Column } from '../hash64.js';
import { type DedupMethod, type DocDecisions, decisionFile, dropListApplier, KEYS_FILE } from '../method.js';

export interface KeyedSpec<O> {
  name: string;
  reason: string;
  keyOf(record: AnyRecord, options: O): string | undefined;
  rankOf?(record: AnyRecord, options: O): number;
}

export function keyedMethod<O>(spec: KeyedSpec<O>): DedupMethod<O> {
  return {
    name: spec.name,
    collect(options, ctx) {
      const hi = u32Column();
      const lo = u32Column();
      const index = u32Column();
      const rank = f64Column();
      return {
        add(record, i) {
          const key = spec.keyOf(record, options);
          if (key === undefined) return;
          const [h, l] = hash64(key);
          hi.push(h);
          lo.push(l);
          index.push(i);
          rank.push(spec.rankOf?.(record, options) ?? 0);
        },
        finish: () =>
          writeColumns(
            join(ctx.outDir, KEYS_FILE),
            { hi: hi.toArray(), lo: lo.toArray(), index: index.toArray(), rank: rank.toArray() },
            { task: ctx.taskIndex },
          ),
      };
    },
    async reduce(_options, { taskDirs, outDir, log }) {
      const table = new U64Table(1 << 16);
      // Per group: the winner (task, index, rank) and the group size, in parallel arrays by group id.
      const winTask = u32Column();
      const winIndex = u32Column();
      const winRank = f64Column();
      const size = u32Column();
      const drops: number[][] = taskDirs.map(() => []);
      for (const [t, dir] of taskDirs.entries()) {
        const file = await ColumnsFile.open(join(dir, KEYS_FILE));
        const [hi, lo, index, rank] = await Promise.all(
          ['hi', 'lo', 'index', 'rank'].map((c) => file.column(c)),
        );
        for (let i = 0; i < hi!.length; i++) {
          const group = table.getOrSet(hi![i]!, lo![i]!, size.length);
          if (group === undefined) {
            winTask.push(t);
            winIndex.push(index![i]!);
            winRank.push(rank![i]!);
            size.push(1);
            continue;
          }
          const sizes = size.toArray();
          sizes[group] = sizes[group]! + 1;
          const ranks = winRank.toArray();
          if (rank![i]! > ranks[group]!) {
            drops[winTask.toArray()[group]!]!.push(winIndex.toArray()[group]!);
            winTask.toArray()[group] = t;
            winIndex.toArray()[group] = index![i]!;
            ranks[group] = rank![i]!;
          } else drops[t]!.push(index![i]!);
        }
      }
      const clusters: number[][] = taskDirs.map(() => []);
      const sizes = size.toArray();
      const tasks = winTask.toArray();
      for (let g = 0; g < sizes.length; g++) if (sizes[g]! > 1) clusters[tasks[g]!]!.push(sizes[g]!);
      const dropped = drops.reduce((n, d) => n + d.length, 0);
      log.info(`${spec.name}: ${sizes.length} distinct keys, ${dropped} duplicates to drop`);
      for (let t = 0; t < taskDirs.length; t++) {
        await writeJson(decisionFile(outDir, t), {
          drop: drops[t]!.sort((a, b) => a - b),
          clusters: clusters[t]!,
        } satisfies DocDecisions);
      }
    },
    async applier(_options, dir, taskIndex) {
      return dropListApplier(await readJson<DocDecisions>(decisionFile(dir, taskIndex)), spec.reason);
    },
  };
}
