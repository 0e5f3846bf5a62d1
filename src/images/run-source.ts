// Drives a Source inside a phase task (phases have no sink): visits every record and returns the
// source's stats and the visitor's stats, in the form task markers keep.
import type { Source } from '../pipeline/stage.js';
import { StageStats, type StageStatsJson } from '../pipeline/stats.js';
import type { PhaseTaskContext } from '../run/job.js';

export async function runPipelineSource<R>(
  source: Source<R>,
  ctx: PhaseTaskContext,
  visitorName: string,
  visit: (record: R, stats: StageStats) => void | Promise<void>,
): Promise<StageStatsJson[]> {
  const sourceStats = new StageStats(source.name);
  const visitorStats = new StageStats(visitorName);
  const started = performance.now();
  const context = {
    task: ctx.task,
    stats: sourceStats,
    log: ctx.log,
    signal: new AbortController().signal,
    scratchDir: ctx.scratchDir,
  };
  for await (const record of source.read(context)) {
    sourceStats.out += 1;
    visitorStats.in += 1;
    await visit(record, visitorStats);
    visitorStats.out += 1;
  }
  sourceStats.timeMs = performance.now() - started;
  return [sourceStats.toJSON(), visitorStats.toJSON()];
}
