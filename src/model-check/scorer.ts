// The contract every model-check backend implements: batched, asynchronous scoring of (image, text)
// items, one number per item, with failures reported per item and blamed on the input or the service.
import type { Logger } from '../pipeline/logger.js';
import type { StageStats } from '../pipeline/stats.js';
import type { ImageValue } from '../records/image.js';

export interface ScoreItem {
  image: ImageValue;
  /** The text the image is judged against ('' for image-only scorers). */
  text: string;
}

export type ItemOutcome =
  | { ok: true; score: number }
  | {
      ok: false;
      /** snake_case, becomes the `unscored.<reason>` counter. */
      reason: string;
      message: string;
      /** `input`: this item cannot be scored (corrupt image); `service`: the model failed on it. */
      blame: 'input' | 'service';
    };

export interface ScoreCallContext {
  signal: AbortSignal;
  /** The calling stage's stats: backends count requests, retries, latencies there. */
  stats: StageStats;
  log: Logger;
}

export interface Scorer {
  /** Backend kind: vqascore, rubric, clip, nsfw. */
  readonly kind: string;
  /** Identifies model, prompt and preprocessing: cached scores are reused only under the same one. */
  readonly fingerprint: string;
  /** Image-only scorers ignore the text, so their cache keys leave it out. */
  readonly usesText: boolean;
  /** Items per `score` call and calls the stage keeps in flight at once. */
  readonly batchSize: number;
  readonly batchesInFlight: number;
  /** Fixed bins of the score histogram in stats.json. */
  readonly histogram: { min: number; max: number; bins: number };
  /**
   * Scores a batch. Per-item trouble is an outcome, never a throw; a throw (WeftError E_SERVICE)
   * means the scorer as a whole is unusable and the run must stop.
   */
  score(items: readonly ScoreItem[], ctx: ScoreCallContext): Promise<ItemOutcome[]>;
  /** True once the scorer has given up for good (breaker open in `stop` mode): build a new one to retry. */
  readonly unusable?: boolean;
  close(): Promise<void>;
}

export function failed(reason: string, message: string, blame: 'input' | 'service'): ItemOutcome {
  return { ok: false, reason, message, blame };
}
