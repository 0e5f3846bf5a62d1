// The one NSFW image classifier in weft: nsfwjs's bundled models (GantMan's family, the one OBELICS
// used) on TensorFlow.js's WebAssembly backend. Offline: weights and .wasm files ship in the packages.
// The `nsfw` filter and the `nsfw` scorer of `weft check` both use it, and agree on `nsfwScore`.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import sharp from 'sharp';
import { WeftError } from '../errors.js';

export interface NsfwScores {
  drawing: number;
  hentai: number;
  neutral: number;
  porn: number;
  sexy: number;
}

/** nsfwjs's output order. */
export const NSFW_CLASSES = [
  'drawing',
  'hentai',
  'neutral',
  'porn',
  'sexy',
] as const satisfies readonly (keyof NsfwScores)[];

export type NsfwModelName = 'MobileNetV2' | 'MobileNetV2Mid' | 'InceptionV3';

export interface NsfwClassifier {
  readonly model: NsfwModelName;
  /** Package version and model, for score caches. */
  readonly name: string;
  /** Square input side the model expects. */
  readonly inputSizePx: number;
  /** Class probabilities for RGB pixel buffers of inputSizePx² × 3 bytes, in one batch. */
  classifyPixels(pixels: readonly Uint8Array[]): Promise<NsfwScores[]>;
  /** Class probabilities for an encoded image, or undefined when it cannot be decoded. */
  classify(bytes: Uint8Array): Promise<NsfwScores | undefined>;
}

/**
 * The one number weft stores as `nsfw_score`: max(P(porn), P(hentai)), the two classes OBELICS
 * thresholded (porn > 0.85, hentai > 0.9).
 */
export function nsfwScore(scores: NsfwScores): number {
  return Math.max(scores.porn, scores.hentai);
}

const INPUT_SIZE: Record<NsfwModelName, number> = { MobileNetV2: 224, MobileNetV2Mid: 224, InceptionV3: 299 };
const loaded = new Map<NsfwModelName, Promise<NsfwClassifier>>();
let backendReady: Promise<void> | undefined;

// biome-ignore lint/suspicious/noExplicitAny: tfjs is loaded lazily; its types are not needed here
type Tf = any;

async function wasmBackend(): Promise<Tf> {
  const tf = await import('@tensorflow/tfjs');
  backendReady ??= (async () => {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    const require = createRequire(import.meta.url);
    const dir = dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
    wasm.setWasmPaths(`${dir}/`);
    if (!(await tf.setBackend('wasm'))) throw new Error('the tfjs wasm backend did not initialise');
    await tf.ready();
  })();
  await backendReady;
  return tf;
}

/** nsfwjs announces the model on stdout; weft's stdout carries --json results, so keep it quiet. */
async function quietly<T>(fn: () => Promise<T>): Promise<T> {
  const saved = { log: console.log, info: console.info, warn: console.warn };
  console.log = console.info = console.warn = () => {};
  try {
    return await fn();
  } finally {
    Object.assign(console, saved);
  }
}

/**
 * The model's input: the whole frame squashed to a square (nsfwjs does not crop), upright, alpha
 * flattened on white, sRGB. Throws when the bytes cannot be decoded.
 */
export async function nsfwInputPixels(bytes: Uint8Array, sidePx: number): Promise<Uint8Array> {
  const pixels = await sharp(bytes, { failOn: 'error', limitInputPixels: 268_402_689 })
    .rotate()
    .flatten({ background: '#ffffff' })
    .toColourspace('srgb')
    .resize(sidePx, sidePx, { fit: 'fill' })
    .removeAlpha()
    .raw()
    .toBuffer();
  if (pixels.length !== sidePx * sidePx * 3)
    throw new Error(`unexpected pixel buffer of ${pixels.length} bytes`);
  return pixels;
}

function nsfwjsVersion(): string {
  const entry = createRequire(import.meta.url).resolve('nsfwjs');
  for (const up of ['..', '../..', '../../..']) {
    try {
      const pkg = JSON.parse(readFileSync(join(dirname(entry), up, 'package.json'), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === 'nsfwjs' && pkg.version) return pkg.version;
    } catch {
      // not there: look one level up
    }
  }
  return 'unknown';
}

/** Loads a bundled nsfwjs model once per process (~0.3–0.4 s for MobileNetV2). */
export function loadNsfwClassifier(model: NsfwModelName = 'MobileNetV2'): Promise<NsfwClassifier> {
  let promise = loaded.get(model);
  if (promise) return promise;
  promise = (async () => {
    try {
      const tf = await wasmBackend();
      const nsfwjs = await import('nsfwjs');
      const net = await quietly(() => nsfwjs.load(model));
      const side = INPUT_SIZE[model];
      const classifyPixels = async (pixels: readonly Uint8Array[]): Promise<NsfwScores[]> => {
        if (pixels.length === 0) return [];
        const batch = new Float32Array(pixels.length * side * side * 3);
        pixels.forEach((p, i) => {
          const at = i * side * side * 3;
          for (let j = 0; j < p.length; j++) batch[at + j] = p[j]! / 255;
        });
        const output = tf.tidy(() => net.model.predict(tf.tensor4d(batch, [pixels.length, side, side, 3])));
        const probabilities = (await output.data()) as Float32Array;
        output.dispose();
        return pixels.map((_, i) => {
          const row = probabilities.subarray(i * 5, i * 5 + 5);
          return Object.fromEntries(NSFW_CLASSES.map((name, c) => [name, row[c]!])) as unknown as NsfwScores;
        });
      };
      return {
        model,
        name: `nsfwjs@${nsfwjsVersion()}/${model}`,
        inputSizePx: side,
        classifyPixels,
        async classify(bytes: Uint8Array): Promise<NsfwScores | undefined> {
          let pixels: Uint8Array;
          try {
            pixels = await nsfwInputPixels(bytes, side);
          } catch {
            return undefined;
          }
          return (await classifyPixels([pixels]))[0];
        },
      } satisfies NsfwClassifier;
    } catch (error) {
      loaded.delete(model);
      throw new WeftError('E_SERVICE', `cannot load the NSFW model ${model}: ${(error as Error).message}`, {
        data: { model },
        cause: error,
      });
    }
  })();
  loaded.set(model, promise);
  return promise;
}
