// The bundled NSFW image classifier (src/models/nsfw.ts) as a scorer, so `weft check` (and
// `weft demo`) work with no server. Scores are the same `nsfw_score` the `nsfw` filter stores.
import { createHash } from 'node:crypto';
import { type NsfwClassifier, nsfwInputPixels, nsfwScore } from '../../models/nsfw.js';
import { failed, type ItemOutcome, type ScoreCallContext, type ScoreItem, type Scorer } from '../scorer.js';

export class NsfwScorer implements Scorer {
  readonly kind = 'nsfw';
  readonly usesText = false;
  readonly batchSize: number;
  readonly batchesInFlight = 1;
  readonly histogram = { min: 0, max: 1, bins: 20 };
  readonly fingerprint: string;
  private readonly classifier: NsfwClassifier;

  constructor(classifier: NsfwClassifier, options: { batchSize: number }) {
    this.classifier = classifier;
    this.batchSize = options.batchSize;
    this.fingerprint = createHash('sha256').update(`nsfw:max-porn-hentai:${classifier.name}`).digest('hex');
  }

  async score(items: readonly ScoreItem[], ctx: ScoreCallContext): Promise<ItemOutcome[]> {
    const outcomes: ItemOutcome[] = new Array(items.length);
    const ready: { at: number; pixels: Uint8Array }[] = [];
    for (const [at, item] of items.entries()) {
      try {
        ready.push({ at, pixels: await nsfwInputPixels(item.image.bytes, this.classifier.inputSizePx) });
      } catch (error) {
        outcomes[at] = failed('undecodable_image', (error as Error).message, 'input');
      }
    }
    if (ready.length === 0) return outcomes;
    const start = performance.now();
    const scores = await this.classifier.classifyPixels(ready.map((r) => r.pixels));
    ctx.stats.observe('inference_ms_per_batch', performance.now() - start);
    ready.forEach((r, i) => {
      outcomes[r.at] = { ok: true, score: nsfwScore(scores[i]!) };
    });
    return outcomes;
  }

  async close(): Promise<void> {}
}
