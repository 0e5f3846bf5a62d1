// The end of every export: the card (with the export's own files and load snippet) and manifest.json.
import { readStatsFile } from '../dataset/commit.js';
import { countRows, type SplitHandle } from '../dataset/scan-rows.js';
import { type CardOptions, type CardTarget, writeCard } from './card.js';
import { type Manifest, writeManifest } from './manifest.js';
import type { DatasetScan } from './scan-dataset.js';

export interface ExportedFile {
  path: string;
  bytes: number;
  rows: number;
  split: string;
  rowGroups?: number;
}

export interface ExportResult {
  out: string;
  format: 'parquet' | 'webdataset';
  rows: number;
  files: ExportedFile[];
  /** Rows left out of the export, by reason (e.g. webdataset samples with no image). */
  skipped: Record<string, number>;
  plots: string[];
  warnings: string[];
  manifest: Manifest;
}

/** Rows of a split: weft's stats say it exactly; for other datasets the batches are counted. */
export async function splitRowCount(scan: DatasetScan, split: SplitHandle): Promise<number> {
  const stats = scan.stats ?? (await readStatsFile(split.handle.dir));
  if (stats && scan.splits.length === 1 && typeof stats.rows === 'number') return stats.rows;
  return countRows(split.handle.dataFiles);
}

export async function finishExport(
  scan: DatasetScan,
  out: string,
  args: Omit<CardTarget, 'dir' | 'files' | 'format'> & {
    format: 'parquet' | 'webdataset';
    files: ExportedFile[];
    card: CardOptions;
    skipped?: Record<string, number>;
  },
): Promise<ExportResult> {
  const card = await writeCard(
    scan,
    {
      dir: out,
      format: args.format,
      dataFiles: args.dataFiles,
      files: args.files.map((f) => ({ path: f.path, bytes: f.bytes })),
      withFeatures: args.withFeatures,
      loadSnippet: args.loadSnippet,
      ...(args.notes ? { notes: args.notes } : {}),
    },
    { ...args.card, overwrite: true },
  );
  const splits: Record<string, { rows: number; files: string[] }> = {};
  for (const f of args.files) {
    splits[f.split] ??= { rows: 0, files: [] };
    const s = splits[f.split]!;
    s.rows += f.rows;
    s.files.push(f.path);
  }
  const manifest = await writeManifest(out, {
    dataWeftVersion: scan.stats?.weftVersion ?? null,
    job: scan.stats?.job ?? null,
    configHash: scan.stats?.fingerprint ?? null,
    format: args.format,
    splits,
  });
  const warnings = [...card.warnings, ...(args.notes ?? [])];
  return {
    out,
    format: args.format,
    rows: args.files.reduce((n, f) => n + f.rows, 0),
    files: args.files,
    skipped: args.skipped ?? {},
    plots: card.plots,
    warnings,
    manifest,
  };
}
