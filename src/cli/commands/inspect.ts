import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { readStatsFile } from '../../dataset/commit.js';
import { STATE_FILE } from '../../dataset/dataset-files.js';
import { datasetBytes, openDataset, readDatasetRows } from '../../dataset/dataset-reader.js';
import { type Feature, toHfFeatures } from '../../dataset/features.js';
import { WeftError } from '../../errors.js';
import { Workspace } from '../../run/workspace.js';
import { defineCommand } from '../command.js';
import { funnelLine } from '../job-command.js';

function typeName(feature: Feature): string {
  switch (feature.type) {
    case 'value':
      return feature.dtype;
    case 'image':
      return 'Image';
    case 'list':
      return `list<${typeName(feature.item)}>`;
    case 'struct':
      return `{${Object.entries(feature.fields)
        .map(([k, v]) => `${k}: ${typeName(v)}`)
        .join(', ')}}`;
  }
}

export interface DatasetDescription {
  path: string;
  status: 'complete' | 'unfinished';
  layout?: string | undefined;
  rows?: number;
  shards?: number;
  bytes?: number;
  columns?: Record<string, string>;
  features?: Record<string, unknown>;
  job?: string;
  options?: unknown;
  tasks?: { total: number; done: number };
  stages?: unknown[];
}

export async function describeDataset(dir: string): Promise<DatasetDescription> {
  const workspace = new Workspace(dir);
  if (!existsSync(join(dir, STATE_FILE)) && workspace.exists()) {
    const run = await workspace.readRunInfo();
    const done = (await workspace.completedTaskIds()).size;
    return {
      path: dir,
      status: 'unfinished',
      layout: run.layout,
      job: run.job,
      tasks: { total: run.taskCount, done },
    };
  }
  const handle = await openDataset(dir);
  let rows = handle.rows;
  if (rows === undefined) {
    rows = 0;
    for await (const _ of readDatasetRows(handle)) rows += 1;
  }
  const stats = await readStatsFile(dir);
  const description: DatasetDescription = {
    path: dir,
    status: 'complete',
    layout: handle.layoutName,
    rows,
    shards: handle.dataFiles.length,
    bytes: await datasetBytes(handle),
    columns: Object.fromEntries(Object.entries(handle.features).map(([k, v]) => [k, typeName(v)])),
    features: toHfFeatures(handle.features),
  };
  if (stats) {
    description.job = stats.job;
    description.options = stats.options;
    description.tasks = { total: stats.tasks, done: stats.tasks };
    description.stages = stats.stages;
  }
  return description;
}

function isDatasetDir(dir: string): boolean {
  return (
    existsSync(join(dir, STATE_FILE)) ||
    existsSync(join(dir, '.weft', 'run.json')) ||
    existsSync(join(dir, 'dataset_dict.json'))
  );
}

function render(d: DatasetDescription): string {
  if (d.status === 'unfinished') {
    return `${d.path}  (unfinished ${d.job} run: ${d.tasks?.done}/${d.tasks?.total} tasks done; re-run the command to finish it)`;
  }
  const lines = [
    `${d.path}  (${d.layout ?? 'dataset'})`,
    `  rows     ${d.rows}`,
    `  shards   ${d.shards} (${((d.bytes ?? 0) / 1e6).toFixed(2)} MB)`,
    `  columns  ${Object.entries(d.columns ?? {})
      .map(([k, v]) => `${k}: ${v}`)
      .join(', ')}`,
  ];
  if (d.job) lines.push(`  made by  weft ${d.job}`);
  if (d.stages) lines.push(`  funnel   ${funnelLine(d.stages as Parameters<typeof funnelLine>[0])}`);
  return lines.join('\n');
}

export default defineCommand({
  name: 'inspect',
  summary: 'Describe a dataset (or a folder of datasets): rows, columns, size, shards and the filter funnel',
  usage: 'weft inspect DIR [--json]',
  flags: { json: { type: 'boolean', description: 'Print the description as one JSON line on stdout' } },
  positionals: {
    name: 'DIR',
    description: 'A dataset directory, or a folder holding datasets',
    min: 1,
    max: 1,
  },
  examples: ['weft inspect out/demo', 'weft inspect out/demo/images --json'],
  async run({ flags, positionals }, io) {
    const dir = resolve(io.cwd, positionals[0]!);
    if (!existsSync(dir)) throw new WeftError('E_INPUT', `${dir} does not exist`, { data: { path: dir } });
    let result: DatasetDescription | { path: string; datasets: DatasetDescription[] };
    if (isDatasetDir(dir)) {
      result = await describeDataset(dir);
    } else {
      const names = (await readdir(dir, { withFileTypes: true }))
        .filter((e) => e.isDirectory())
        .map((e) => e.name)
        .sort();
      const datasets: DatasetDescription[] = [];
      for (const name of names)
        if (isDatasetDir(join(dir, name))) datasets.push(await describeDataset(join(dir, name)));
      if (datasets.length === 0) {
        throw new WeftError(
          'E_INPUT',
          `${dir} is not a dataset and holds none (no ${STATE_FILE} in it or its subfolders)`,
          {
            data: { path: dir },
          },
        );
      }
      result = { path: dir, datasets };
    }
    if (flags.json === true) io.stdout.write(`${JSON.stringify(result)}\n`);
    else if ('datasets' in result) io.stdout.write(`${result.datasets.map(render).join('\n\n')}\n`);
    else io.stdout.write(`${render(result)}\n`);
    return 0;
  },
});
