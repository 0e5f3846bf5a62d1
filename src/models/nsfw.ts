// NSFW image classifier: nsfwjs's bundled MobileNetV2 (GantMan's model family, the one OBELICS used)
// on TensorFlow.js's WebAssembly backend. Offline: the weights and the .wasm files ship in the packages.
// Reusable outside the filters (issue 8 wraps it as a `weft check` scorer).
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import sharp from 'sharp';
import { WeftError } from '../errors.js';

export interface NsfwScores {
  drawing: number;
  hentai: number;
  neutral: number;
  porn: number;
  sexy: number;
}

export type NsfwModelName = 'MobileNetV2' | 'MobileNetV2Mid' | 'InceptionV3';

export interface NsfwClassifier {
  readonly model: NsfwModelName;
  /** Class probabilities, or undefined when the bytes cannot be decoded as an image. */
  classify(bytes: Uint8Array): Promise<NsfwScores | undefined>;
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
      return {
        model,
        async classify(bytes: Uint8Array): Promise<NsfwScores | undefined> {
          let pixels: Buffer;
          try {
            pixels = await sharp(bytes, { failOn: 'none', limitInputPixels: 268_402_689 })
              .rotate()
              .flatten({ background: '#ffffff' })
              .toColourspace('srgb')
              .resize(side, side, { fit: 'fill' })
              .removeAlpha()
              .raw()
              .toBuffer();
          } catch {
            return undefined;
          }
          if (pixels.length !== side * side * 3) return undefined;
          const input = tf.tensor3d(new Int32Array(pixels), [side, side, 3], 'int32');
          try {
            const predictions: { className: string; probability: number }[] = await net.classify(input, 5);
            const scores: NsfwScores = { drawing: 0, hentai: 0, neutral: 0, porn: 0, sexy: 0 };
            for (const p of predictions)
              scores[p.className.toLowerCase() as keyof NsfwScores] = p.probability;
            return scores;
          } finally {
            input.dispose();
          }
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
