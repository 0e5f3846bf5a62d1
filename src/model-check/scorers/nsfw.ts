// The bundled NSFW image classifier as a scorer, so `weft check` (and `weft demo`) work with no server.
// The scorer talks to a small NsfwClassifier interface; the implementation below (nsfwjs on tfjs's
// wasm backend, models shipped in the npm package) is meant to merge with the filters' classifier.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import sharp from 'sharp';
import { WeftError } from '../../errors.js';
import { failed, type ItemOutcome, type ScoreCallContext, type ScoreItem, type Scorer } from '../scorer.js';

export const NSFW_CLASSES = ['Drawing', 'Hentai', 'Neutral', 'Porn', 'Sexy'] as const;
export type NsfwClass = (typeof NSFW_CLASSES)[number];
export type NsfwProbabilities = Record<NsfwClass, number>;
export type NsfwModelName = 'MobileNetV2' | 'MobileNetV2Mid' | 'InceptionV3';

/** What the scorer needs from a classifier: class probabilities for decoded RGB images. */
export interface NsfwClassifier {
  readonly name: string;
  /** Square input side the model expects. */
  readonly inputSizePx: number;
  /** `pixels`: RGB bytes, inputSizePx × inputSizePx each. */
  classify(pixels: Uint8Array[]): Promise<NsfwProbabilities[]>;
}

/** P(unsafe): the probability mass of the three explicit classes. */
export function unsafeProbability(p: NsfwProbabilities): number {
  return Math.min(1, p.Porn + p.Hentai + p.Sexy);
}

const classifiers = new Map<NsfwModelName, Promise<NsfwClassifier>>();

/** nsfwjs on the tfjs wasm backend (~80 ms per image on one core); loaded once per process. */
export function loadNsfwjsClassifier(model: NsfwModelName): Promise<NsfwClassifier> {
  let loading = classifiers.get(model);
  if (!loading) {
    loading = loadNsfwjs(model);
    classifiers.set(model, loading);
    loading.catch(() => classifiers.delete(model));
  }
  return loading;
}

async function loadNsfwjs(model: NsfwModelName): Promise<NsfwClassifier> {
  try {
    const tf = await import('@tensorflow/tfjs');
    await import('@tensorflow/tfjs-backend-wasm');
    if (tf.getBackend() !== 'wasm') {
      await tf.setBackend('wasm');
      await tf.ready();
    }
    const nsfwjs = await import('nsfwjs');
    // nsfwjs greets on stdout (console.info), which would corrupt `--json` output.
    const info = console.info;
    console.info = () => {};
    let loaded: Awaited<ReturnType<typeof nsfwjs.load>>;
    try {
      loaded = await nsfwjs.load(model);
    } finally {
      console.info = info;
    }
    const size = model === 'InceptionV3' ? 299 : 224;
    const packageJson = join(
      dirname(createRequire(import.meta.url).resolve('nsfwjs')),
      '..',
      '..',
      'package.json',
    );
    const version = (JSON.parse(readFileSync(packageJson, 'utf8')) as { version: string }).version;
    return {
      name: `nsfwjs@${version}/${model}`,
      inputSizePx: size,
      async classify(pixels) {
        const n = pixels.length;
        const batch = new Float32Array(n * size * size * 3);
        pixels.forEach((p, i) => {
          const at = i * size * size * 3;
          for (let j = 0; j < p.length; j++) batch[at + j] = p[j]! / 255;
        });
        const output = tf.tidy(
          () =>
            loaded.model.predict(tf.tensor4d(batch, [n, size, size, 3])) as import('@tensorflow/tfjs').Tensor,
        );
        const probabilities = await output.data();
        output.dispose();
        return pixels.map((_, i) => {
          const row = probabilities.subarray(i * 5, i * 5 + 5);
          return Object.fromEntries(NSFW_CLASSES.map((name, c) => [name, row[c]!])) as NsfwProbabilities;
        });
      },
    };
  } catch (error) {
    throw new WeftError('E_CONFIG', `cannot load the nsfwjs ${model} model: ${(error as Error).message}`, {
      data: { model },
      cause: error,
    });
  }
}

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
    this.fingerprint = createHash('sha256').update(`nsfw:unsafe:${classifier.name}`).digest('hex');
  }

  async score(items: readonly ScoreItem[], ctx: ScoreCallContext): Promise<ItemOutcome[]> {
    const size = this.classifier.inputSizePx;
    const outcomes: ItemOutcome[] = new Array(items.length);
    const ready: { at: number; pixels: Uint8Array }[] = [];
    for (const [at, item] of items.entries()) {
      try {
        // nsfwjs resizes the whole frame to a square (no crop); so do we, before the model.
        const pixels = await sharp(item.image.bytes, { failOn: 'error', limitInputPixels: 268_402_689 })
          .rotate()
          .resize(size, size, { fit: 'fill' })
          .flatten({ background: '#ffffff' })
          .removeAlpha()
          .toColourspace('srgb')
          .raw()
          .toBuffer();
        ready.push({ at, pixels });
      } catch (error) {
        outcomes[at] = failed('undecodable_image', (error as Error).message, 'input');
      }
    }
    if (ready.length === 0) return outcomes;
    const start = performance.now();
    const probabilities = await this.classifier.classify(ready.map((r) => r.pixels));
    ctx.stats.observe('inference_ms_per_batch', performance.now() - start);
    ready.forEach((r, i) => {
      outcomes[r.at] = { ok: true, score: unsafeProbability(probabilities[i]!) };
    });
    return outcomes;
  }

  async close(): Promise<void> {}
}
