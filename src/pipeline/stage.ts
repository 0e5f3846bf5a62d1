// The stage contract: a Source yields records, Stages transform or drop them, a Sink consumes them.
// Records are plain typed objects passed as AsyncIterables; nothing crosses a process boundary.
import type { Logger } from './logger.js';
import type { StageStats } from './stats.js';

export interface TaskInfo {
  /** 0-based task index within the run. */
  index: number;
  /** Total number of tasks in the run. */
  count: number;
  /** Stable task id (zero-padded index), used in file names and logs. */
  id: string;
}

export interface StageContext {
  readonly task: TaskInfo;
  /** This stage's own counters: `stats.drop('reason')`, `stats.count('bytes', n)`. */
  readonly stats: StageStats;
  readonly log: Logger;
  /** Aborted when the run is interrupted; long waits should listen to it. */
  readonly signal: AbortSignal;
  /** A scratch directory private to this task attempt, removed with it. */
  readonly scratchDir: string;
}

/** Starts a pipeline: produces the records of one task. */
export interface Source<Out> {
  readonly name: string;
  read(ctx: StageContext): AsyncIterable<Out>;
}

/** Transforms, drops or adds records. Record-level trouble is a `ctx.stats.drop(reason)`, never a throw. */
export interface Stage<In, Out = In> {
  readonly name: string;
  run(records: AsyncIterable<In>, ctx: StageContext): AsyncIterable<Out>;
}

/** Ends a pipeline: consumes every record (e.g. writes Arrow shards). */
export interface Sink<In, Result = unknown> {
  readonly name: string;
  write(records: AsyncIterable<In>, ctx: StageContext): Promise<Result>;
}

/** Makes a Stage from an async generator function, for one-off stages. */
export function defineStage<In, Out = In>(
  name: string,
  run: (records: AsyncIterable<In>, ctx: StageContext) => AsyncIterable<Out>,
): Stage<In, Out> {
  return { name, run };
}

/** A Source over an in-memory list or any iterable (tests, demo inputs). */
export function fromIterable<T>(name: string, items: Iterable<T> | AsyncIterable<T>): Source<T> {
  return {
    name,
    async *read() {
      yield* items;
    },
  };
}
