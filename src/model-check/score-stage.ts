// The scoring stage: groups records into batches, looks every (image, text) item up in the score
// cache, sends the rest to the scorer (several batches in flight, order kept), and writes each
// sample's score (null when it could not be scored) without ever dropping a record.
import { scoreColumnName } from '../dataset/layouts/layout.js';
import { batched } from '../pipeline/batched.js';
import { mapConcurrent } from '../pipeline/map-concurrent.js';
import type { Stage, StageContext } from '../pipeline/stage.js';
import type { AnyRecord } from '../records/index.js';
import { aggregate, type ItemOptions, sampleItems } from './sample-items.js';
import { itemKey, type ScoreCache } from './score-cache.js';
import type { ItemOutcome, Scorer } from './scorer.js';

export interface ScoreStageOptions extends Omit<ItemOptions, 'usesText'> {
  scorer: Scorer;
  /** Score name: records get `scores[name]`, datasets a `<name>_score` column. */
  name: string;
  aggregate: 'min' | 'mean';
  cache?: ScoreCache;
}

async function scoreBatch(
  records: AnyRecord[],
  options: ScoreStageOptions,
  ctx: StageContext,
): Promise<AnyRecord[]> {
  const { scorer, cache, name } = options;
  const itemOptions = { ...options, usesText: scorer.usesText };
  const perRecord = records.map((record) => sampleItems(record, itemOptions));
  const outcomes = perRecord.map((s) => new Array<ItemOutcome>(s.items.length));
  const toScore: { record: number; item: number; key: string }[] = [];
  perRecord.forEach((sample, r) => {
    sample.items.forEach((item, i) => {
      const key = itemKey(scorer.fingerprint, item, scorer.usesText);
      const cached = cache?.get(key);
      if (cached === undefined) toScore.push({ record: r, item: i, key });
      else {
        outcomes[r]![i] = { ok: true, score: cached };
        ctx.stats.count('items.cache_hits');
      }
    });
  });
  if (toScore.length > 0) {
    const items = toScore.map((t) => perRecord[t.record]!.items[t.item]!);
    const scored = await scorer.score(items, { signal: ctx.signal, stats: ctx.stats, log: ctx.log });
    toScore.forEach((t, j) => {
      const outcome = scored[j]!;
      outcomes[t.record]![t.item] = outcome;
      if (outcome.ok) {
        ctx.stats.count('items.scored');
        cache?.put(t.key, outcome.score);
      } else ctx.stats.count(`items.unscored.${outcome.reason}`);
    });
  }
  const column = scoreColumnName(name);
  return records.map((record, r) => {
    const sample = perRecord[r]!;
    const result =
      sample.items.length === 0
        ? ({ ok: false, reason: sample.emptyReason ?? 'no_image' } as const)
        : aggregate(outcomes[r]!, options.aggregate);
    sample.blocks?.forEach((block, i) => {
      const outcome = outcomes[r]![i]!;
      block.extra = { ...block.extra, [column]: outcome.ok ? outcome.score : null };
    });
    if (result.ok) {
      ctx.stats.count('scored');
      ctx.stats.observe('score', result.score);
      ctx.stats.histogram('score', result.score, scorer.histogram);
    } else ctx.stats.count(`unscored.${result.reason}`);
    return { ...record, scores: { ...record.scores, [name]: result.ok ? result.score : null } };
  });
}

/** Adds `scores[name]` to every record; never drops one (scoring failures leave the score null). */
export function scoreSamples(options: ScoreStageOptions): Stage<AnyRecord> {
  return {
    name: `score-${options.name}`,
    async *run(records, ctx) {
      try {
        const batches = batched(records, options.scorer.batchSize);
        const scored = mapConcurrent(batches, (batch) => scoreBatch(batch, options, ctx), {
          concurrency: options.scorer.batchesInFlight,
          ordered: true,
        });
        for await (const batch of scored) yield* batch;
      } finally {
        await options.cache?.flush();
      }
    },
  };
}
