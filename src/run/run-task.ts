// Runs one task of a job in this process: its pipeline into a fresh attempt folder, then publishes
// the attempt with a completion marker. A task that throws leaves no marker, so it is redone later.
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { datasetSink } from '../dataset/dataset-sink.js';
import { loadJob } from '../jobs/index.js';
import { type Logger, silentLogger } from '../pipeline/logger.js';
import { parseOptions } from '../pipeline/options.js';
import { runPipeline } from '../pipeline/run-pipeline.js';
import type { TaskInfo } from '../pipeline/stage.js';
import type { TaskSpec } from './job.js';
import { type TaskMarker, Workspace } from './workspace.js';

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

export async function runTask(assignment: TaskAssignment, env: TaskRunEnv = {}): Promise<TaskResult> {
  const log = (env.log ?? silentLogger).child({ task: assignment.info.id });
  const job = await loadJob(assignment.job);
  const options = parseOptions(`${job.name} options`, job.options, assignment.rawOptions);
  const workspace = new Workspace(assignment.outDir);
  const attemptDir = await workspace.newAttemptDir(assignment.info.id);
  const scratchDir = join(attemptDir, 'scratch');
  await mkdir(scratchDir, { recursive: true });
  const start = performance.now();
  try {
    const pipeline = await job.buildPipeline(options, assignment.task, {
      task: assignment.info,
      log,
      scratchDir,
    });
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
    await rm(scratchDir, { recursive: true, force: true });
    const marker = {
      task: assignment.info.id,
      label: assignment.task.label,
      parts: result.sinkResult,
      rows: result.sinkResult.reduce((n, p) => n + p.rows, 0),
      stages: result.stages,
      durationMs: Math.round(performance.now() - start),
      finishedAt: new Date().toISOString(),
    };
    const published = await workspace.publish(attemptDir, marker);
    return { published, marker };
  } catch (error) {
    await rm(attemptDir, { recursive: true, force: true });
    throw error;
  }
}
