// The shape of one corpus-wide dedup method. Every method runs as a job phase: `collect` sees each
// task's records (after the earlier methods' decisions) and writes compact keys; `reduce` runs once
// over all tasks' keys and writes per-task decisions; `applier` applies them in the main pipeline.
import { join } from 'node:path';
import type { Logger } from '../pipeline/logger.js';
import type { StageStats } from '../pipeline/stats.js';
import type { AnyRecord } from '../records/index.js';

export interface CollectContext {
  outDir: string;
  taskIndex: number;
  log: Logger;
}

export interface Collector {
  add(record: AnyRecord, index: number): void | Promise<void>;
  finish(): Promise<void>;
}

export interface ReduceInput {
  /** The phase output folders of every task, in task order. */
  taskDirs: string[];
  outDir: string;
  log: Logger;
}

/** The main pipeline's decision for one record: keep it (possibly with nodes removed) or drop it. */
export type Decision = AnyRecord | { drop: string };

export interface Applier {
  /** Called once at the start of the task (e.g. to record this task's share of the cluster histogram). */
  begin?(stats: StageStats): void;
  apply(record: AnyRecord, index: number, stats: StageStats): Decision;
}

export interface DedupMethod<O> {
  name: string;
  collect(options: O, ctx: CollectContext): Collector;
  reduce(options: O, input: ReduceInput): Promise<void>;
  applier(options: O, phaseDir: string, taskIndex: number): Promise<Applier>;
}

export const KEYS_FILE = 'keys.bin';
export function decisionFile(dir: string, taskIndex: number): string {
  return join(dir, `task-${String(taskIndex).padStart(5, '0')}.json`);
}

/** Per-task decisions for document-level methods. */
export interface DocDecisions {
  /** Source indices of the records to drop. */
  drop: number[];
  /** Sizes of the duplicate clusters whose kept copy is in this task (the histogram, split exactly). */
  clusters: number[];
}

export const CLUSTER_HISTOGRAM = { min: 2, max: 34, bins: 32 } as const;

export function recordClusters(stats: StageStats, clusters: number[]): void {
  for (const size of clusters) {
    stats.histogram('cluster_size', size, CLUSTER_HISTOGRAM);
    stats.count('clusters');
    stats.count('cluster_members', size);
  }
}

/** Applier for a DocDecisions file. */
export function dropListApplier(decisions: DocDecisions, reason: string): Applier {
  const drop = new Set(decisions.drop);
  return {
    begin: (stats) => recordClusters(stats, decisions.clusters),
    apply: (record, index) => (drop.has(index) ? { drop: reason } : record),
  };
}
