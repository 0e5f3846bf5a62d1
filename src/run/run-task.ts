// Runs one task of a job in this process: its pipeline (or a phase's task function) into a fresh
// attempt folder, then publishes the attempt with a completion marker. A task that throws leaves no
// marker, so it is redone later.
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { datasetSink } from '../dataset/dataset-sink.js';
import { WeftError } from '../errors.js';
import { loadJob } from '../jobs/index.js';
import { type Logger, silentLogger } from '../pipeline/logger.js';
import { parseOptions } from '../pipeline/options.js';
import { runPipeline } from '../pipeline/run-pipeline.js';
import type { TaskInfo } from '../pipeline/stage.js';
import type { BuildContext, JobDefinition, TaskSpec } from './job.js';
import { listFiles, type TaskMarker, Workspace } from './workspace.js';

/** Everything a process needs to run one task; JSON-serializable so it can go to a worker or a queue. */
export interface TaskAssignment {
  job: string;
  /** The options as the user gave them (each process validates them itself). */
  rawOptions: unknown;
  task: TaskSpec;
  info: TaskInfo;
  outDir: string;
  maxShardBytes: number;
  durable: boolean;
  /** Set for a task of a corpus-wide phase; absent for the main pipeline. */
  phase?: string;
}

export interface TaskRunEnv {
  log?: Logger;
  signal?: AbortSignal;
  onRecord?: () => void;
}

export interface TaskResult {
  /** Whether this attempt's output became the task's output (false: another attempt had finished it). */
  published: boolean;
  marker: Omit<TaskMarker, 'dir'>;
}

export function phaseDirResolver(outDir: string): (name: string) => string {
  const workspace = new Workspace(outDir);
  return (name) => workspace.phase(name).reducedDir;
}

function findPhase(job: JobDefinition, name: string) {
  const phase = job.phases?.find((p) => p.name === name);
  if (!phase) throw new WeftError('E_CONFIG', `job ${job.name} has no phase "${name}"`);
  return phase;
}

export async function runTask(assignment: TaskAssignment, env: TaskRunEnv = {}): Promise<TaskResult> {
  const log = (env.log ?? silentLogger).child({
    task: assignment.info.id,
    ...(assignment.phase ? { phase: assignment.phase } : {}),
  });
  const job = await loadJob(assignment.job);
  const options = parseOptions(`${job.name} options`, job.options, assignment.rawOptions);
  const root = new Workspace(assignment.outDir);
  const workspace = assignment.phase ? root.phase(assignment.phase) : root;
  const attemptDir = await workspace.newAttemptDir(assignment.info.id);
  const scratchDir = join(attemptDir, 'scratch');
  const filesDir = join(attemptDir, 'files');
  const stateDir = workspace.stateDir(assignment.info.id);
  await mkdir(scratchDir, { recursive: true });
  await mkdir(filesDir, { recursive: true });
  await mkdir(stateDir, { recursive: true });
  const build: BuildContext = {
    task: assignment.info,
    log,
    scratchDir,
    filesDir,
    stateDir,
    phaseDir: phaseDirResolver(assignment.outDir),
  };
  const start = performance.now();
  try {
    let marker: Omit<TaskMarker, 'dir'>;
    if (assignment.phase) {
      const phase = findPhase(job, assignment.phase);
      const outDir = join(attemptDir, 'out');
      await mkdir(outDir, { recursive: true });
      const stages = (await phase.runTask(options, assignment.task, { ...build, outDir })) ?? [];
      marker = baseMarker(assignment, [], stages, start);
    } else {
      const pipeline = await job.buildPipeline(options, assignment.task, build);
      const sink = datasetSink(job.layout(options), attemptDir, {
        maxShardBytes: assignment.maxShardBytes,
        durable: assignment.durable,
      });
      const runOptions = {
        task: assignment.info,
        log,
        scratchDir,
        ...(env.signal ? { signal: env.signal } : {}),
      };
      const result = await runPipeline(
        { ...pipeline, sink },
        env.onRecord ? { ...runOptions, onRecord: env.onRecord } : runOptions,
      );
      marker = baseMarker(assignment, result.sinkResult, result.stages, start);
      const files = await listFiles(filesDir);
      if (files.length > 0) marker.files = files;
    }
    await rm(scratchDir, { recursive: true, force: true });
    const published = await workspace.publish(attemptDir, marker);
    return { published, marker };
  } catch (error) {
    await rm(attemptDir, { recursive: true, force: true });
    throw error;
  }
}

function baseMarker(
  assignment: TaskAssignment,
  parts: TaskMarker['parts'],
  stages: TaskMarker['stages'],
  start: number,
): Omit<TaskMarker, 'dir'> {
  return {
    task: assignment.info.id,
    label: assignment.task.label,
    parts,
    rows: parts.reduce((n, p) => n + p.rows, 0),
    stages,
    durationMs: Math.round(performance.now() - start),
    finishedAt: new Date().toISOString(),
  };
}
