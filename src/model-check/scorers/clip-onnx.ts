// In-process dual-encoder scoring (CLIP, SigLIP) with onnxruntime-node: the user's exported image and
// text encoders plus their tokenizer.json; the score is the cosine of the two embeddings. CPU by
// default; the CUDA execution provider when its libraries are installed next to onnxruntime-node.
import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';
import type * as Ort from 'onnxruntime-node';
import sharp from 'sharp';
import { WeftError } from '../../errors.js';
import type { Logger } from '../../pipeline/logger.js';
import { failed, type ItemOutcome, type ScoreCallContext, type ScoreItem, type Scorer } from '../scorer.js';

export interface ClipScorerOptions {
  imageEncoder: string;
  textEncoder: string;
  /** tokenizer.json; a tokenizer_config.json beside it is read for the pad token. */
  tokenizer: string;
  /** Input side of the image encoder; read from the model when its input shape is static. */
  imageSizePx?: number;
  /** `crop`: shortest side to size then center crop (CLIP); `squash`: resize to size × size (SigLIP). */
  imageResize: 'crop' | 'squash';
  imageMean: [number, number, number];
  imageStd: [number, number, number];
  maxTextTokens: number;
  /** Prepended to every text (CLIPScore uses "A photo depicts "). */
  textPrefix: string;
  batchSize: number;
  executionProvider: 'auto' | 'cpu' | 'cuda';
}

async function fileSha256(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

function cudaInstalled(): boolean {
  const binding = dirname(createRequire(import.meta.url).resolve('onnxruntime-node'));
  const dir = join(binding, '..', 'bin', 'napi-v6', process.platform, process.arch);
  return existsSync(join(dir, 'libonnxruntime_providers_cuda.so'));
}

type OrtModule = typeof Ort;
// The native binding loads on first use, not when weft is imported.
let ortModule: Promise<OrtModule> | undefined;
const loadOrt = () => {
  ortModule ??= import('onnxruntime-node');
  return ortModule;
};

async function openSession(path: string, provider: ClipScorerOptions['executionProvider'], log: Logger) {
  const ort = await loadOrt();
  if (!existsSync(path))
    throw new WeftError('E_CONFIG', `ONNX model ${path} does not exist`, { data: { path } });
  const wantCuda = provider === 'cuda' || (provider === 'auto' && cudaInstalled());
  try {
    if (wantCuda) {
      try {
        return await ort.InferenceSession.create(path, { executionProviders: ['cuda', 'cpu'] });
      } catch (error) {
        if (provider === 'cuda') throw error;
        log.warn(`CUDA execution provider unavailable (${(error as Error).message}); using the CPU`);
      }
    }
    return await ort.InferenceSession.create(path, { executionProviders: ['cpu'] });
  } catch (error) {
    throw new WeftError('E_CONFIG', `cannot load ONNX model ${path}: ${(error as Error).message}`, {
      data: { path },
      cause: error,
    });
  }
}

function pickOutput(session: Ort.InferenceSession, preferred: string[]): string {
  return preferred.find((name) => session.outputNames.includes(name)) ?? session.outputNames[0]!;
}

function l2Normalized(data: Float32Array, row: number, dim: number): Float32Array {
  const v = data.subarray(row * dim, (row + 1) * dim);
  let norm = 0;
  for (const x of v) norm += x * x;
  norm = Math.sqrt(norm) || 1;
  return v.map((x) => x / norm);
}

export class ClipScorer implements Scorer {
  readonly kind = 'clip';
  readonly usesText = true;
  readonly batchSize: number;
  readonly batchesInFlight = 1;
  readonly histogram = { min: -1, max: 1, bins: 40 };
  readonly fingerprint: string;
  private readonly options: ClipScorerOptions;
  private readonly imageSession: Ort.InferenceSession;
  private readonly textSession: Ort.InferenceSession;
  private readonly tokenizer: Tokenizer;
  private readonly sizePx: number;
  private readonly padId: number;
  private readonly idsType: 'int64' | 'int32';

  private constructor(
    options: ClipScorerOptions,
    parts: {
      image: Ort.InferenceSession;
      text: Ort.InferenceSession;
      tokenizer: Tokenizer;
      padId: number;
      fingerprint: string;
    },
  ) {
    this.options = options;
    this.batchSize = options.batchSize;
    this.imageSession = parts.image;
    this.textSession = parts.text;
    this.tokenizer = parts.tokenizer;
    this.padId = parts.padId;
    this.fingerprint = parts.fingerprint;
    const imageInput = parts.image.inputMetadata[0];
    const staticSide = imageInput?.isTensor ? imageInput.shape[3] : undefined;
    this.sizePx =
      options.imageSizePx ?? (typeof staticSide === 'number' && staticSide > 0 ? staticSide : 224);
    const idsInput =
      parts.text.inputMetadata.find((m) => m.name === 'input_ids') ?? parts.text.inputMetadata[0];
    this.idsType = idsInput?.isTensor && idsInput.type === 'int32' ? 'int32' : 'int64';
  }

  static async load(options: ClipScorerOptions, log: Logger): Promise<ClipScorer> {
    const image = await openSession(options.imageEncoder, options.executionProvider, log);
    const text = await openSession(options.textEncoder, options.executionProvider, log);
    let tokenizerJson: object;
    let config: Record<string, unknown> = {};
    try {
      tokenizerJson = JSON.parse(await readFile(options.tokenizer, 'utf8')) as object;
      const configPath = join(dirname(options.tokenizer), 'tokenizer_config.json');
      if (existsSync(configPath))
        config = JSON.parse(await readFile(configPath, 'utf8')) as Record<string, unknown>;
    } catch (error) {
      throw new WeftError(
        'E_CONFIG',
        `cannot read tokenizer ${options.tokenizer}: ${(error as Error).message}`,
        {
          data: { path: options.tokenizer },
          cause: error,
        },
      );
    }
    const tokenizer = new Tokenizer(tokenizerJson, config);
    const padToken = typeof config.pad_token === 'string' ? config.pad_token : undefined;
    const padId = (padToken && tokenizer.token_to_id(padToken)) ?? 0;
    const fingerprint = createHash('sha256')
      .update(
        JSON.stringify({
          image: await fileSha256(options.imageEncoder),
          text: await fileSha256(options.textEncoder),
          tokenizer: await fileSha256(options.tokenizer),
          imageSizePx: options.imageSizePx,
          imageResize: options.imageResize,
          imageMean: options.imageMean,
          imageStd: options.imageStd,
          maxTextTokens: options.maxTextTokens,
          textPrefix: options.textPrefix,
        }),
      )
      .digest('hex');
    return new ClipScorer(options, { image, text, tokenizer, padId, fingerprint });
  }

  /** CHW float32 pixels, normalized with the encoder's mean and std. */
  private async pixels(item: ScoreItem): Promise<Float32Array> {
    const side = this.sizePx;
    const { data } = await sharp(item.image.bytes, { failOn: 'error', limitInputPixels: 268_402_689 })
      .rotate()
      .resize(side, side, { fit: this.options.imageResize === 'crop' ? 'cover' : 'fill', kernel: 'cubic' })
      .flatten({ background: '#ffffff' })
      .removeAlpha()
      .toColourspace('srgb')
      .raw()
      .toBuffer({ resolveWithObject: true });
    const out = new Float32Array(3 * side * side);
    const plane = side * side;
    const { imageMean: mean, imageStd: std } = this.options;
    for (let i = 0; i < plane; i++) {
      for (let c = 0; c < 3; c++) out[c * plane + i] = (data[i * 3 + c]! / 255 - mean[c]!) / std[c]!;
    }
    return out;
  }

  private tokenIds(text: string): number[] {
    const max = this.options.maxTextTokens;
    let ids = this.tokenizer.encode(`${this.options.textPrefix}${text}`).ids;
    // Keep the end-of-text token: CLIP pools the embedding at its position.
    if (ids.length > max) ids = [...ids.slice(0, max - 1), ids[ids.length - 1]!];
    return [...ids, ...new Array<number>(max - ids.length).fill(this.padId)];
  }

  private async embed(
    session: Ort.InferenceSession,
    feeds: Record<string, Ort.Tensor>,
    preferred: string[],
    n: number,
  ): Promise<{ data: Float32Array; dim: number }> {
    const name = pickOutput(session, preferred);
    const output = (await session.run(feeds))[name];
    if (output?.dims.length !== 2 || output.dims[0] !== n || output.type !== 'float32') {
      throw new WeftError(
        'E_CONFIG',
        `ONNX output ${name} has shape [${output?.dims.join(', ')}] (${output?.type}); expected pooled float32 embeddings [${n}, D]`,
      );
    }
    return { data: output.data as Float32Array, dim: output.dims[1]! };
  }

  async score(items: readonly ScoreItem[], ctx: ScoreCallContext): Promise<ItemOutcome[]> {
    const ort = await loadOrt();
    const outcomes: ItemOutcome[] = new Array(items.length);
    const ready: { at: number; pixels: Float32Array; ids: number[] }[] = [];
    for (const [at, item] of items.entries()) {
      try {
        ready.push({ at, pixels: await this.pixels(item), ids: this.tokenIds(item.text) });
      } catch (error) {
        outcomes[at] = failed('undecodable_image', (error as Error).message, 'input');
      }
    }
    if (ready.length === 0) return outcomes;
    const n = ready.length;
    const side = this.sizePx;
    const pixelData = new Float32Array(n * 3 * side * side);
    ready.forEach((r, i) => {
      pixelData.set(r.pixels, i * r.pixels.length);
    });
    const max = this.options.maxTextTokens;
    const ids = ready.flatMap((r) => r.ids);
    const mask = ready.flatMap((r) => r.ids.map((id, i) => (i === 0 || id !== this.padId ? 1 : 0)));
    const intTensor = (values: number[]) =>
      this.idsType === 'int64'
        ? new ort.Tensor('int64', BigInt64Array.from(values, BigInt), [n, max])
        : new ort.Tensor('int32', Int32Array.from(values), [n, max]);
    const imageFeeds = {
      [this.imageSession.inputNames[0]!]: new ort.Tensor('float32', pixelData, [n, 3, side, side]),
    };
    const textFeeds: Record<string, Ort.Tensor> = {};
    for (const name of this.textSession.inputNames) {
      if (name === 'attention_mask') textFeeds[name] = intTensor(mask);
      else if (name === 'input_ids' || Object.keys(textFeeds).length === 0) textFeeds[name] = intTensor(ids);
    }
    const start = performance.now();
    const image = await this.embed(this.imageSession, imageFeeds, ['image_embeds', 'pooler_output'], n);
    const text = await this.embed(this.textSession, textFeeds, ['text_embeds', 'pooler_output'], n);
    ctx.stats.observe('inference_ms_per_batch', performance.now() - start);
    if (image.dim !== text.dim)
      throw new WeftError(
        'E_CONFIG',
        `image embeddings have ${image.dim} dimensions, text embeddings ${text.dim}`,
      );
    ready.forEach((r, i) => {
      const a = l2Normalized(image.data, i, image.dim);
      const b = l2Normalized(text.data, i, text.dim);
      let cosine = 0;
      for (let d = 0; d < a.length; d++) cosine += a[d]! * b[d]!;
      outcomes[r.at] = { ok: true, score: cosine };
    });
    return outcomes;
  }

  async close(): Promise<void> {
    await this.imageSession.release();
    await this.textSession.release();
  }
}
