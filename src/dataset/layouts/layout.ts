// A layout maps one record kind to dataset columns and back. Writers and readers go through layouts,
// so the Arrow side never leaks into stages.
import type { Features } from '../features.js';
import type { Row } from '../shard-writer.js';

export interface DatasetLayout<R> {
  /** Stored in the schema metadata and stats.json so a reader knows what a dataset holds. */
  readonly name: LayoutName;
  readonly features: Features;
  toRow(record: R): Row;
  /** Rebuilds a record; undefined when the row cannot be one (counted by the reader). */
  fromRow(row: Row): Promise<R | undefined>;
}

export type LayoutName = 'web-documents' | 'image-text-pairs' | 'pdf-pages' | 'sft-samples' | 'crawl-log';

/** Score columns (`<scorer>_score`, float32) that model-check adds to any layout. */
export function scoreColumnName(scorer: string): string {
  return `${scorer.replace(/[^a-zA-Z0-9]+/g, '_')}_score`;
}

export function scoresToRow(
  scores: Record<string, number | null> | undefined,
  names: readonly string[],
): Row {
  const row: Row = {};
  for (const name of names) row[scoreColumnName(name)] = scores?.[name] ?? null;
  return row;
}

export function scoresFromRow(row: Row): Record<string, number | null> | undefined {
  let scores: Record<string, number | null> | undefined;
  for (const [key, value] of Object.entries(row)) {
    if (!key.endsWith('_score')) continue;
    scores ??= {};
    scores[key.slice(0, -'_score'.length)] = typeof value === 'number' ? value : null;
  }
  return scores;
}

export function parseJsonObject(text: unknown): Record<string, unknown> {
  if (typeof text !== 'string' || text === '') return {};
  try {
    const value = JSON.parse(text) as unknown;
    return value && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : {};
  } catch {
    return {};
  }
}

export function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

export function optionalNumber(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}
