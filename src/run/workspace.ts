// The hidden `.weft/` folder inside an output directory while a run is unfinished: the run's identity,
// each task's finished parts, and one completion marker per task. Markers make re-runs skip finished
// tasks; attempt folders make a killed task leave nothing that looks finished.
import { existsSync } from 'node:fs';
import { link, mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import { basename, join, relative } from 'node:path';
import { writeFileAtomic } from '../dataset/dataset-files.js';
import type { ShardPart } from '../dataset/shard-writer.js';
import type { StageStatsJson } from '../pipeline/stats.js';

export const WORKSPACE_DIR = '.weft';

export interface RunInfo {
  job: string;
  /** The job's validated options (what the card prints as the exact configuration). */
  options: unknown;
  /** sha256 of job + options: a re-run with other options must not mix with this one. */
  fingerprint: string;
  taskCount: number;
  taskLabels: string[];
  layout: string;
  /** Names of the job's corpus-wide phases, in order. */
  phases: string[];
  weftVersion: string;
  createdAt: string;
}

export interface TaskMarker {
  task: string;
  /** The attempt folder (under `.weft/tasks/`) holding this task's parts. */
  dir: string;
  label: string;
  parts: ShardPart[];
  /** Files under the attempt's `files/` folder, published next to the dataset at commit. */
  files?: string[];
  rows: number;
  stages: StageStatsJson[];
  durationMs: number;
  finishedAt: string;
}

/** Files under `dir`, as paths relative to it (sorted). */
export async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort();
}

export function taskId(index: number): string {
  return String(index).padStart(5, '0');
}

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class Workspace {
  readonly outDir: string;
  readonly root: string;

  constructor(outDir: string, root = join(outDir, WORKSPACE_DIR)) {
    this.outDir = outDir;
    this.root = root;
  }

  /** The workspace of a corpus-wide phase (its own tasks, markers and reduced result). */
  phase(name: string): Workspace {
    return new Workspace(this.outDir, join(this.outDir, WORKSPACE_DIR, 'phases', name));
  }

  /** Where a phase's reduce step leaves its result (complete once the folder exists). */
  get reducedDir(): string {
    return join(this.root, 'reduced');
  }

  isReduced(): boolean {
    return existsSync(this.reducedDir);
  }

  get runFile(): string {
    return join(this.root, 'run.json');
  }
  attemptPath(name: string): string {
    return join(this.root, 'tasks', name);
  }
  /** A task's folder that survives its failed attempts (BuildContext.stateDir). */
  stateDir(id: string): string {
    return join(this.root, 'state', id);
  }
  markerFile(id: string): string {
    return join(this.root, 'done', `${id}.json`);
  }

  exists(): boolean {
    return existsSync(this.runFile);
  }

  async readRunInfo(): Promise<RunInfo> {
    return JSON.parse(await readFile(this.runFile, 'utf8')) as RunInfo;
  }

  async create(info: RunInfo): Promise<void> {
    await this.ensureDirs();
    await writeFileAtomic(this.runFile, `${JSON.stringify(info, null, 2)}\n`);
  }

  async ensureDirs(): Promise<void> {
    await mkdir(join(this.root, 'tasks'), { recursive: true });
    await mkdir(join(this.root, 'done'), { recursive: true });
  }

  /** A fresh folder for one attempt at a task, named so that a stale one can be recognised. */
  async newAttemptDir(id: string): Promise<string> {
    const dir = join(
      this.root,
      'tasks',
      `${id}.attempt-${hostname()}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`,
    );
    await mkdir(dir, { recursive: true });
    return dir;
  }

  /**
   * Publishes a finished attempt by creating its marker with link(2), which fails if the marker exists:
   * when two attempts at one task finish (a queue retry of a worker thought dead), exactly one wins and
   * the other's folder is discarded. Returns whether this attempt won.
   */
  async publish(attemptDir: string, marker: Omit<TaskMarker, 'dir'>): Promise<boolean> {
    const full: TaskMarker = { ...marker, dir: basename(attemptDir) };
    const target = this.markerFile(marker.task);
    const tmp = `${target}.tmp-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
    await writeFileAtomic(tmp, `${JSON.stringify(full)}\n`);
    try {
      await link(tmp, target);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      await rm(attemptDir, { recursive: true, force: true });
      return false;
    } finally {
      await rm(tmp, { force: true });
    }
  }

  async readMarker(id: string): Promise<TaskMarker | undefined> {
    try {
      return JSON.parse(await readFile(this.markerFile(id), 'utf8')) as TaskMarker;
    } catch {
      return undefined;
    }
  }

  async completedTaskIds(): Promise<Set<string>> {
    const dir = join(this.root, 'done');
    if (!existsSync(dir)) return new Set();
    const names = await readdir(dir);
    return new Set(names.filter((n) => n.endsWith('.json')).map((n) => n.slice(0, -'.json'.length)));
  }

  /**
   * Removes attempt folders that killed runs left behind: those of processes no longer alive on this
   * host that no marker points to. Attempts of live processes (other workers) are left alone.
   */
  async removeStaleAttempts(): Promise<number> {
    const dir = join(this.root, 'tasks');
    if (!existsSync(dir)) return 0;
    const referenced = new Set<string>();
    for (const id of await this.completedTaskIds()) {
      const marker = await this.readMarker(id);
      if (marker) referenced.add(marker.dir);
    }
    const host = hostname();
    let removed = 0;
    for (const name of await readdir(dir)) {
      const attempt = /^\d+\.attempt-(.+)-(\d+)-[a-z0-9]+$/.exec(name);
      if (!attempt || referenced.has(name)) continue;
      if (attempt[1] === host && !isProcessAlive(Number(attempt[2]))) {
        await rm(join(dir, name), { recursive: true, force: true });
        removed += 1;
      }
    }
    return removed;
  }

  async remove(): Promise<void> {
    await rm(this.root, { recursive: true, force: true });
  }
}
