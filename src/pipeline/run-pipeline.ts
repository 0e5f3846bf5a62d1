// Runs one task's pipeline: wires source → stages → sink, counts records in and out of every stage,
// and attributes wall time to the stage that spent it. This is the only loop over records in the core.
import { WeftError } from '../errors.js';
import { recordProblem } from '../records/index.js';
import { type Logger, silentLogger } from './logger.js';
import type { Sink, Source, Stage, StageContext, TaskInfo } from './stage.js';
import { StageStats, type StageStatsJson } from './stats.js';

export interface Pipeline<Result = unknown> {
  // biome-ignore lint/suspicious/noExplicitAny: a pipeline is heterogeneous; each stage is typed where it is built
  source: Source<any>;
  // biome-ignore lint/suspicious/noExplicitAny: see above
  stages: Stage<any, any>[];
  // biome-ignore lint/suspicious/noExplicitAny: see above
  sink: Sink<any, Result>;
}

export interface RunPipelineOptions {
  task?: TaskInfo;
  log?: Logger;
  signal?: AbortSignal;
  scratchDir?: string;
  /** Called after each record leaves the last stage (progress reporting). */
  onRecord?: () => void;
  /**
   * Check every record the source and each stage emit against its kind's schema; a record that breaks
   * it fails the task with E_INVALID_RECORD naming the stage (a bug in that stage, not bad input).
   * Default: on when WEFT_VALIDATE_RECORDS=1 (the test suite sets it), off otherwise for speed.
   */
  validateRecords?: boolean;
}

export interface PipelineResult<Result> {
  sinkResult: Result;
  stages: StageStatsJson[];
}

/** Wraps an iterable so that the time spent producing each item is charged to `stats`, minus nested upstream time. */
function timed<T>(
  source: AsyncIterable<T>,
  stats: StageStats,
  upstream: { elapsedMs: number } | undefined,
  clock: { elapsedMs: number },
  countAs: 'in' | 'out',
  onItem?: () => void,
): AsyncIterable<T> {
  return {
    [Symbol.asyncIterator]() {
      const it = source[Symbol.asyncIterator]();
      return {
        async next() {
          const upstreamBefore = upstream?.elapsedMs ?? 0;
          const start = performance.now();
          let result: IteratorResult<T>;
          try {
            result = await it.next();
          } catch (error) {
            // Name the stage that threw (the innermost one; outer stages pass the error on unchanged).
            if (error instanceof WeftError) throw error;
            throw new WeftError(
              'E_TASK_FAILED',
              `${stats.name}: ${(error as Error)?.message ?? String(error)}`,
              {
                data: { stage: stats.name },
                cause: error,
              },
            );
          }
          const elapsed = performance.now() - start;
          clock.elapsedMs += elapsed;
          stats.timeMs += Math.max(0, elapsed - ((upstream?.elapsedMs ?? 0) - upstreamBefore));
          if (!result.done) {
            stats[countAs] += 1;
            onItem?.();
          }
          return result;
        },
        async return(value?: unknown) {
          await it.return?.(value);
          return { done: true as const, value: undefined };
        },
      };
    },
  };
}

/** Passes records on after checking them against their schema (see RunPipelineOptions.validateRecords). */
function validated<T>(source: AsyncIterable<T>, stageName: string, task: TaskInfo): AsyncIterable<T> {
  return {
    async *[Symbol.asyncIterator]() {
      for await (const item of source) {
        const problem = recordProblem(item);
        if (problem) {
          const kind = (item as { kind: string }).kind;
          throw new WeftError(
            'E_INVALID_RECORD',
            `${stageName} emitted an invalid ${kind} record: ${problem}`,
            {
              data: { stage: stageName, kind, problem, task: task.id },
            },
          );
        }
        yield item;
      }
    },
  };
}

/** Counts records as they enter a stage, without timing (the producer's wrapper already timed them). */
function countedInto<T>(source: AsyncIterable<T>, stats: StageStats): AsyncIterable<T> {
  return {
    async *[Symbol.asyncIterator]() {
      for await (const item of source) {
        stats.in += 1;
        yield item;
      }
    },
  };
}

export async function runPipeline<Result>(
  pipeline: Pipeline<Result>,
  options: RunPipelineOptions = {},
): Promise<PipelineResult<Result>> {
  const task = options.task ?? { index: 0, count: 1, id: '00000' };
  const log = options.log ?? silentLogger;
  const signal = options.signal ?? new AbortController().signal;
  const scratchDir = options.scratchDir ?? '';
  const validate = options.validateRecords ?? process.env.WEFT_VALIDATE_RECORDS === '1';
  const checked = <T>(items: AsyncIterable<T>, stageName: string) =>
    validate ? validated(items, stageName, task) : items;
  const context = (stats: StageStats): StageContext => ({
    task,
    stats,
    log: log.child({ stage: stats.name }),
    signal,
    scratchDir,
  });

  const allStats: StageStats[] = [];
  const sourceStats = new StageStats(pipeline.source.name);
  allStats.push(sourceStats);
  let clock = { elapsedMs: 0 };
  let stream = checked(
    timed(pipeline.source.read(context(sourceStats)), sourceStats, undefined, clock, 'out'),
    sourceStats.name,
  );

  pipeline.stages.forEach((stage, i) => {
    const stats = new StageStats(stage.name);
    allStats.push(stats);
    const input = countedInto(stream, stats);
    const stageClock = { elapsedMs: 0 };
    const isLast = i === pipeline.stages.length - 1;
    stream = checked(
      timed(
        stage.run(input, context(stats)),
        stats,
        clock,
        stageClock,
        'out',
        isLast ? options.onRecord : undefined,
      ),
      stats.name,
    );
    clock = stageClock;
  });
  if (pipeline.stages.length === 0 && options.onRecord) {
    const onRecord = options.onRecord;
    const inner = stream;
    stream = {
      async *[Symbol.asyncIterator]() {
        for await (const item of inner) {
          onRecord();
          yield item;
        }
      },
    };
  }

  const sinkStats = new StageStats(pipeline.sink.name);
  allStats.push(sinkStats);
  const sinkClock = { elapsedMs: 0 };
  const sinkInput = countedInto(stream, sinkStats);
  const start = performance.now();
  let sinkResult: Result;
  try {
    sinkResult = await pipeline.sink.write(sinkInput, context(sinkStats));
  } catch (error) {
    if (error instanceof WeftError) throw error;
    throw new WeftError(
      'E_TASK_FAILED',
      `task ${task.id} failed: ${(error as Error)?.message ?? String(error)}`,
      {
        data: { task: task.id },
        cause: error,
      },
    );
  }
  sinkClock.elapsedMs = performance.now() - start;
  sinkStats.timeMs = Math.max(0, sinkClock.elapsedMs - clock.elapsedMs);
  sinkStats.out = sinkStats.in;
  return { sinkResult, stages: allStats.map((s) => s.toJSON()) };
}
