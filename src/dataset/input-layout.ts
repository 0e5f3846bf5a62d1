// The layout of an input dataset, read synchronously from its dataset_info.json (and stats.json), for
// jobs whose output layout depends on their input (a job's `layout()` is synchronous).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { WeftError } from '../errors.js';
import { INFO_FILE, STATS_FILE } from './dataset-files.js';
import { type Feature, type Features, f, fromHfFeature } from './features.js';
import { layoutForDataset } from './layouts/index.js';
import type { DatasetLayout } from './layouts/layout.js';

export interface InputShape {
  features: Features;
  layoutName: string | undefined;
}

export function readInputShape(dir: string): InputShape {
  const dictPath = join(dir, 'dataset_dict.json');
  let infoDir = dir;
  if (existsSync(dictPath)) {
    const splits = (JSON.parse(readFileSync(dictPath, 'utf8')) as { splits?: string[] }).splits ?? [];
    if (splits[0]) infoDir = join(dir, splits[0]);
  }
  const infoPath = join(infoDir, INFO_FILE);
  if (!existsSync(infoPath)) {
    throw new WeftError('E_INPUT', `${dir} is not a dataset: it has no ${INFO_FILE}`, {
      data: { path: dir },
    });
  }
  const info = JSON.parse(readFileSync(infoPath, 'utf8')) as { features?: Record<string, unknown> };
  const features: Record<string, Feature> = {};
  for (const [name, json] of Object.entries(info.features ?? {})) {
    const feature = fromHfFeature(json);
    if (feature) features[name] = feature;
  }
  let layoutName: string | undefined;
  const statsPath = join(infoDir, STATS_FILE);
  if (existsSync(statsPath)) {
    try {
      layoutName = (JSON.parse(readFileSync(statsPath, 'utf8')) as { layout?: string }).layout;
    } catch {
      // No usable stats: the columns decide.
    }
  }
  return { features, layoutName };
}

/** The input's layout, optionally with extra score columns (e.g. `nsfw`). */
export function inputLayout(dir: string, extraScores: readonly string[] = []): DatasetLayout<unknown> {
  const shape = readInputShape(dir);
  const features: Record<string, Feature> = { ...shape.features };
  for (const name of extraScores) features[`${name}_score`] ??= f.float32;
  const layout = layoutForDataset(features, shape.layoutName);
  if (!layout) {
    throw new WeftError('E_INPUT', `${dir}: weft cannot tell which kind of records this dataset holds`, {
      data: { path: dir, columns: Object.keys(shape.features) },
    });
  }
  return layout;
}
