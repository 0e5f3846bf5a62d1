// Keeps or drops samples by their score: a score range, or a threshold computed for "keep the top
// fraction". Unscored samples are always kept (and counted): a failing scorer never costs data.
import type { Stage } from '../pipeline/stage.js';
import type { AnyRecord } from '../records/index.js';

export interface ScorePolicyOptions {
  name: string;
  minScore?: number;
  maxScore?: number;
  /** Drop reason for scores under `minScore` (the top-fraction threshold has its own). */
  belowReason?: string;
}

export function scorePolicy(options: ScorePolicyOptions): Stage<AnyRecord> {
  const below = options.belowReason ?? 'score_below_min';
  return {
    name: 'score-policy',
    async *run(records, ctx) {
      for await (const record of records) {
        const score = record.scores?.[options.name];
        if (score === null || score === undefined) {
          ctx.stats.count('unscored_kept');
          yield record;
        } else if (options.minScore !== undefined && score < options.minScore) ctx.stats.drop(below);
        else if (options.maxScore !== undefined && score > options.maxScore)
          ctx.stats.drop('score_above_max');
        else yield record;
      }
    },
  };
}
