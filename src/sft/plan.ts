// The global step between ingesting and writing, run once (a phase's reduce): per-source selection
// (weights and caps, a seeded sample), merging rows about the same picture into conversations, turn caps,
// a seeded shuffle, and the split into one slice per writer task. Everything here depends only on the
// inputs, the config and the task list, never on how many workers ran, so the dataset is reproducible.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { seededUnit } from './adapted-row.js';
import type { SftOptions } from './config.js';
import { readCounts, readIndex } from './ingest-store.js';

/** One piece of a conversation: turns [from, to) of the row at (task, offset, length). */
export type PlanPart = [task: number, offset: number, length: number, from: number, to: number];

export interface PlanSummary {
  conversations: number;
  rowsIngested: number;
  rowsSelected: number;
  /** Conversations made of more than one input row. */
  mergedConversations: number;
  /** Conversations with turns from more than one source. */
  crossSourceConversations: number;
  /** Merged conversations over merge.maxTurns that became several rows. */
  splitConversations: number;
  perSource: { name: string; ingested: number; selected: number; target: number }[];
  slices: number[];
}

interface Candidate {
  task: number;
  offset: number;
  length: number;
  rank: number;
  key: string | null;
  turns: number;
}

/** Keeps the k candidates with the lowest (rank, task, offset): a bounded max-heap. */
class LowestK {
  readonly items: Candidate[] = [];
  constructor(private readonly k: number) {}
  private static above(a: Candidate, b: Candidate): boolean {
    return a.rank !== b.rank ? a.rank > b.rank : a.task !== b.task ? a.task > b.task : a.offset > b.offset;
  }
  push(c: Candidate): void {
    const h = this.items;
    if (this.k === 0) return;
    if (h.length < this.k) {
      h.push(c);
      for (let i = h.length - 1; i > 0; ) {
        const parent = (i - 1) >> 1;
        if (!LowestK.above(h[i]!, h[parent]!)) break;
        [h[i], h[parent]] = [h[parent]!, h[i]!];
        i = parent;
      }
      return;
    }
    if (!LowestK.above(h[0]!, c)) return;
    h[0] = c;
    for (let i = 0; ; ) {
      const l = 2 * i + 1;
      const r = l + 1;
      let top = i;
      if (l < h.length && LowestK.above(h[l]!, h[top]!)) top = l;
      if (r < h.length && LowestK.above(h[r]!, h[top]!)) top = r;
      if (top === i) break;
      [h[i], h[top]] = [h[top]!, h[i]!];
      i = top;
    }
  }
}

/** Rows each source keeps: round(rows × weight / max weight), at most its cap. */
export function selectionTargets(options: SftOptions, ingested: number[]): number[] {
  const maxWeight = Math.max(...options.sources.map((s) => s.weight));
  return options.sources.map((source, i) =>
    Math.min(
      source.maxRows ?? options.mixture.maxRowsPerSource,
      Math.round(((ingested[i] ?? 0) * source.weight) / maxWeight),
    ),
  );
}

/** Packs rows (in input order) into conversations of at most maxTurns turns; a longer row is cut. */
function packConversations(rows: Candidate[], maxTurns: number): PlanPart[][] {
  const conversations: PlanPart[][] = [];
  let current: PlanPart[] = [];
  let turns = 0;
  for (const row of rows) {
    for (let from = 0; from < row.turns; from += maxTurns) {
      const to = Math.min(row.turns, from + maxTurns);
      if (turns > 0 && turns + (to - from) > maxTurns) {
        conversations.push(current);
        current = [];
        turns = 0;
      }
      current.push([row.task, row.offset, row.length, from, to]);
      turns += to - from;
    }
  }
  if (current.length > 0) conversations.push(current);
  return conversations;
}

export async function buildPlan(
  options: SftOptions,
  taskDirs: string[],
  outDir: string,
  sliceCount: number,
): Promise<PlanSummary> {
  const ingested = options.sources.map(() => 0);
  for (const dir of taskDirs) for (const [s, n] of await readCounts(dir)) ingested[s]! += n;
  const targets = selectionTargets(options, ingested);
  const heaps = targets.map((k) => new LowestK(k));
  const sourceOfTask = new Map<number, number>();
  for (const [task, dir] of taskDirs.entries()) {
    for await (const [source, rank, key, turns, offset, length] of readIndex(dir)) {
      sourceOfTask.set(task, source);
      heaps[source]!.push({ task, offset, length, rank, key, turns });
    }
  }
  const selected = heaps.flatMap((h) => h.items);
  selected.sort((a, b) => a.task - b.task || a.offset - b.offset);

  // Group by picture, groups in order of first appearance; text-only rows stay alone.
  const groups: Candidate[][] = [];
  const byKey = new Map<string, Candidate[]>();
  for (const row of selected) {
    if (row.key === null) {
      groups.push([row]);
      continue;
    }
    const group = byKey.get(row.key);
    if (group) group.push(row);
    else {
      const fresh = [row];
      byKey.set(row.key, fresh);
      groups.push(fresh);
    }
  }
  let mergedConversations = 0;
  let crossSourceConversations = 0;
  let splitConversations = 0;
  const conversations: { key: string; parts: PlanPart[] }[] = [];
  for (const group of groups) {
    const packed = packConversations(group, options.merge.maxTurns);
    if (packed.length > 1) splitConversations += packed.length;
    for (const [i, parts] of packed.entries()) {
      const rowsIn = new Set(parts.map((p) => `${p[0]}:${p[1]}`));
      if (rowsIn.size > 1) mergedConversations += 1;
      if (new Set(parts.map((p) => sourceOfTask.get(p[0]))).size > 1) crossSourceConversations += 1;
      conversations.push({ key: `${parts[0]![0]}:${parts[0]![1]}:${parts[0]![3]}:${i}`, parts });
    }
  }
  if (options.mixture.shuffle) {
    const order = new Map(conversations.map((c) => [c, seededUnit(options.seed, 'shuffle', c.key)]));
    conversations.sort((a, b) => order.get(a)! - order.get(b)! || (a.key < b.key ? -1 : 1));
  }

  await mkdir(outDir, { recursive: true });
  const slices: number[] = [];
  for (let i = 0; i < sliceCount; i++) {
    const start = Math.floor((i * conversations.length) / sliceCount);
    const end = Math.floor(((i + 1) * conversations.length) / sliceCount);
    const lines = conversations.slice(start, end).map((c) => JSON.stringify(c.parts));
    await writeFile(join(outDir, sliceFileName(i)), lines.length > 0 ? `${lines.join('\n')}\n` : '');
    slices.push(end - start);
  }
  const summary: PlanSummary = {
    conversations: conversations.length,
    rowsIngested: ingested.reduce((a, b) => a + b, 0),
    rowsSelected: selected.length,
    mergedConversations,
    crossSourceConversations,
    splitConversations,
    perSource: options.sources.map((s, i) => ({
      name: s.name,
      ingested: ingested[i]!,
      selected: heaps[i]!.items.length,
      target: targets[i]!,
    })),
    slices,
  };
  await writeFile(join(outDir, 'summary.json'), JSON.stringify(summary, null, 2));
  return summary;
}

export function sliceFileName(index: number): string {
  return `slice-${String(index).padStart(5, '0')}.jsonl`;
}
