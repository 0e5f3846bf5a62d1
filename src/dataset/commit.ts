// Assembles a finished run into a dataset: once every task's marker exists, the task parts become
// `data-XXXXX-of-NNNNN.arrow` shards (small neighbouring parts joined, big ones renamed), then
// dataset_info.json and stats.json are written, and state.json last. Until state.json exists neither
// weft nor `datasets` treats the directory as a dataset; a commit cut short is simply redone.
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, rmdir, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { WeftError } from '../errors.js';
import { mergeStageStats, type StageStatsJson } from '../pipeline/stats.js';
import { listFiles, type RunInfo, type TaskMarker, taskId, type Workspace } from '../run/workspace.js';
import { concatStreamFiles } from './concat-streams.js';
import {
  datasetsJson,
  INFO_FILE,
  makeDatasetInfo,
  makeState,
  STATE_FILE,
  STATS_FILE,
  shardFileName,
  writeFileAtomic,
} from './dataset-files.js';
import { writeEmptyStream } from './empty-shard.js';
import { arrowSchema, type Features } from './features.js';

export interface CommitOptions {
  features: Features;
  /** Target shard size; parts smaller than half of it are joined with their neighbours. */
  maxShardBytes: number;
  /** Schema metadata for the empty shard an empty dataset still gets. */
  metadata?: Record<string, string>;
  description?: string;
}

export interface StatsFile {
  job: string;
  layout: string;
  options: unknown;
  fingerprint: string;
  weftVersion: string;
  rows: number;
  bytes: number;
  shards: number;
  tasks: number;
  createdAt: string;
  committedAt: string;
  /** Sum of the tasks' own run times (CPU-side work, not wall time of the run). */
  taskTimeMs: number;
  stages: StageStatsJson[];
  /** Stats of the corpus-wide phases that ran before the main tasks, by phase name. */
  phases: Record<string, StageStatsJson[]>;
  /** Files published next to the shards (tasks' and reduces' `filesDir`), relative to the directory. */
  files?: string[];
}

interface ShardPlan {
  name: string;
  sources: string[];
  rows: number;
}

function planShards(workspace: Workspace, markers: TaskMarker[], maxShardBytes: number): ShardPlan[] {
  const groups: { sources: string[]; rows: number; bytes: number }[] = [];
  let current: { sources: string[]; rows: number; bytes: number } | undefined;
  for (const marker of markers) {
    for (const part of marker.parts) {
      const path = join(workspace.attemptPath(marker.dir), part.file);
      const joinable = part.bytes < maxShardBytes / 2;
      if (current && joinable && current.bytes + part.bytes <= maxShardBytes) {
        current.sources.push(path);
        current.rows += part.rows;
        current.bytes += part.bytes;
        continue;
      }
      current = { sources: [path], rows: part.rows, bytes: part.bytes };
      groups.push(current);
      if (!joinable) current = undefined;
    }
  }
  return groups.map((g, i) => ({ name: shardFileName(i, groups.length), sources: g.sources, rows: g.rows }));
}

export async function readMarkers(workspace: Workspace, run: RunInfo): Promise<TaskMarker[]> {
  const markers: TaskMarker[] = [];
  const missing: string[] = [];
  for (let i = 0; i < run.taskCount; i++) {
    const marker = await workspace.readMarker(taskId(i));
    if (marker) markers.push(marker);
    else missing.push(taskId(i));
  }
  if (missing.length > 0) {
    throw new WeftError(
      'E_OUTPUT',
      `${workspace.outDir}: ${missing.length} of ${run.taskCount} tasks are unfinished (${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', …' : ''}); run them before committing`,
      { data: { path: workspace.outDir, missing } },
    );
  }
  return markers;
}

/**
 * Moves the files tasks and phase reduces published (their `files/` folders) into the output directory.
 * A commit cut short is redone: files already moved are found in place.
 */
async function publishFiles(workspace: Workspace, run: RunInfo, markers: TaskMarker[]): Promise<string[]> {
  const sources = new Map<string, string>();
  const add = (rel: string, from: string) => {
    if (sources.has(rel)) {
      throw new WeftError('E_OUTPUT', `two tasks publish the same file ${rel} in ${workspace.outDir}`, {
        data: { path: workspace.outDir, file: rel },
      });
    }
    sources.set(rel, from);
  };
  for (const name of run.phases ?? []) {
    const dir = join(workspace.phase(name).reducedDir, 'files');
    for (const rel of await listFiles(dir)) add(rel, join(dir, rel));
  }
  for (const marker of markers) {
    const dir = join(workspace.attemptPath(marker.dir), 'files');
    for (const rel of marker.files ?? []) add(rel, join(dir, rel));
  }
  for (const [rel, from] of sources) {
    const target = join(workspace.outDir, rel);
    if (existsSync(target) && !existsSync(from)) continue;
    await mkdir(dirname(target), { recursive: true });
    await rename(from, target);
  }
  return [...sources.keys()].sort();
}

export async function commitDataset(workspace: Workspace, options: CommitOptions): Promise<StatsFile> {
  const run = await workspace.readRunInfo();
  const markers = await readMarkers(workspace, run);
  const planFile = join(workspace.root, 'commit.json');
  let plan: ShardPlan[];
  if (existsSync(planFile)) {
    plan = JSON.parse(await readFile(planFile, 'utf8')) as ShardPlan[];
  } else {
    plan = planShards(workspace, markers, options.maxShardBytes);
    await writeFileAtomic(planFile, JSON.stringify(plan));
  }

  const outDir = workspace.outDir;
  if (plan.length === 0) {
    // `datasets` cannot load a dataset with no shard at all, so an empty one gets a schema-only shard.
    const name = shardFileName(0, 1);
    await writeEmptyStream(join(outDir, name), arrowSchema(options.features, options.metadata));
    plan = [{ name, sources: [], rows: 0 }];
  }
  for (const shard of plan) {
    const target = join(outDir, shard.name);
    if (shard.sources.length === 0 || existsSync(target)) continue;
    if (shard.sources.length === 1) {
      await rename(shard.sources[0]!, target);
    } else {
      await concatStreamFiles(shard.sources, `${target}.tmp`);
      await rename(`${target}.tmp`, target);
    }
  }

  let bytes = 0;
  for (const shard of plan) bytes += (await stat(join(outDir, shard.name))).size;
  const rows = plan.reduce((n, s) => n + s.rows, 0);
  const stats: StatsFile = {
    job: run.job,
    layout: run.layout,
    options: run.options,
    fingerprint: run.fingerprint,
    weftVersion: run.weftVersion,
    rows,
    bytes,
    shards: plan.length,
    tasks: run.taskCount,
    createdAt: run.createdAt,
    committedAt: new Date().toISOString(),
    taskTimeMs: Math.round(markers.reduce((n, m) => n + m.durationMs, 0)),
    stages: mergeStageStats(markers.map((m) => m.stages)),
    phases: {},
  };
  const files = await publishFiles(workspace, run, markers);
  if (files.length > 0) stats.files = files;
  for (const name of run.phases ?? []) {
    const phase = workspace.phase(name);
    const phaseMarkers: TaskMarker[] = [];
    for (const id of await phase.completedTaskIds()) {
      const marker = await phase.readMarker(id);
      if (marker) phaseMarkers.push(marker);
    }
    stats.phases[name] = mergeStageStats(phaseMarkers.map((m) => m.stages));
  }
  await writeFileAtomic(
    join(outDir, INFO_FILE),
    datasetsJson(
      makeDatasetInfo({
        features: options.features,
        rows,
        bytes,
        description: options.description ?? `weft ${run.job}`,
      }),
    ),
  );
  await writeFileAtomic(join(outDir, STATS_FILE), `${JSON.stringify(stats, null, 2)}\n`);
  await writeFileAtomic(
    join(outDir, STATE_FILE),
    datasetsJson(
      makeState(
        plan.map((s) => s.name),
        `${run.fingerprint}:${rows}`,
      ) as unknown as Record<string, unknown>,
    ),
  );
  await workspace.remove();
  return stats;
}

/** True when `dir` holds a committed dataset. */
export function isCommitted(dir: string): boolean {
  return existsSync(join(dir, STATE_FILE));
}

export async function readStatsFile(dir: string): Promise<StatsFile | undefined> {
  try {
    return JSON.parse(await readFile(join(dir, STATS_FILE), 'utf8')) as StatsFile;
  } catch {
    return undefined;
  }
}

export async function removeCommitted(dir: string): Promise<void> {
  const stateFile = join(dir, STATE_FILE);
  if (!existsSync(stateFile)) return;
  const state = JSON.parse(await readFile(stateFile, 'utf8')) as { _data_files?: { filename: string }[] };
  // state.json goes first, so an interrupted removal never leaves a dataset that looks complete.
  await rm(stateFile, { force: true });
  for (const file of state._data_files ?? []) await rm(join(dir, file.filename), { force: true });
  const files = (await readStatsFile(dir))?.files ?? [];
  for (const file of files) await rm(join(dir, file), { force: true });
  // Folders the published files lived in go too, when nothing else is in them.
  const folders = [...new Set(files.map((f) => dirname(f)).filter((d) => d !== '.'))].sort().reverse();
  for (const folder of folders) await rmdir(join(dir, folder)).catch(() => {});
  for (const name of [INFO_FILE, STATS_FILE]) await rm(join(dir, name), { force: true });
  // A card (`weft card`), its plots and manifest describe the old data, so they go with it; a README
  // that weft did not write stays.
  const readme = join(dir, 'README.md');
  if (existsSync(readme) && (await readFile(readme, 'utf8')).includes('<!-- weft card:'))
    await rm(readme, { force: true });
  for (const name of ['plots', 'manifest.json']) await rm(join(dir, name), { recursive: true, force: true });
}
