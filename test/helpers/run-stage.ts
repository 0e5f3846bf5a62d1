// Runs one stage over in-memory records and returns what it kept and its stats (counters by name).

import { silentLogger } from '../../src/pipeline/logger.js';
import type { Stage, StageContext } from '../../src/pipeline/stage.js';
import { StageStats } from '../../src/pipeline/stats.js';

export interface StageRun<Out> {
  kept: Out[];
  /** `kept`, `dropped.<reason>` and the stage's other counters, flattened. */
  stats: Record<string, number>;
  raw: StageStats;
}

export function stageContext(stats: StageStats, overrides: Partial<StageContext> = {}): StageContext {
  return {
    task: { index: 0, count: 1, id: '00000' },
    stats,
    log: silentLogger,
    signal: new AbortController().signal,
    scratchDir: '',
    ...overrides,
  };
}

export async function runStage<In, Out>(
  stage: Stage<In, Out>,
  records: Iterable<In> | AsyncIterable<In>,
  overrides: Partial<StageContext> = {},
): Promise<StageRun<Out>> {
  const raw = new StageStats(stage.name);
  const kept: Out[] = [];
  async function* input() {
    yield* records;
  }
  for await (const record of stage.run(input(), stageContext(raw, overrides))) kept.push(record);
  const stats: Record<string, number> = { kept: kept.length };
  for (const [reason, n] of raw.dropped) stats[`dropped.${reason}`] = n;
  for (const [key, n] of raw.counters) stats[key] = n;
  return { kept, stats, raw };
}
