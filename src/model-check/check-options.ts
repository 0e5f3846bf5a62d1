// The options of `weft check` (and the check job): which scorer, how to reach or load it, and the
// keep/drop policy. Flat, JSON-serializable, validated in the parent and again in every worker.
import { z } from 'zod';
import { DEFAULT_RUBRIC_PROMPT, DEFAULT_VQA_PROMPT } from './scorers/vlm.js';

export const SCORERS = ['vqascore', 'rubric', 'clip', 'nsfw'] as const;
export type ScorerKind = (typeof SCORERS)[number];

const rgb = z.tuple([z.number(), z.number(), z.number()]);

export const CheckOptions = z
  .strictObject({
    /** Input dataset directory (weft output or `save_to_disk`). */
    input: z.string().min(1),
    scorer: z.enum(SCORERS),
    /** Score column prefix: the column is `<name>_score` (default: the scorer kind). */
    name: z
      .string()
      .regex(/^[a-z][a-z0-9_]*$/, 'use lowercase letters, digits and _')
      .optional(),

    /** Keep samples scoring at least this. */
    minScore: z.number().optional(),
    /** Keep samples scoring at most this (e.g. nsfw). */
    maxScore: z.number().optional(),
    /** Keep the best-scoring fraction of the whole dataset (0 < f ≤ 1); scores everything first. */
    keepTopFraction: z.number().gt(0).lte(1).optional(),
    /** When the scorer is down or answers garbage: stop the run, or write the samples unscored. */
    onServerDown: z.enum(['stop', 'unscored']).default('stop'),

    /** Interleaved documents and SFT samples: how per-image scores make the sample's score. */
    aggregate: z.enum(['min', 'mean']).default('min'),
    /** Characters of text taken on each side of a document image. */
    contextChars: z.number().int().positive().default(500),
    /** Longest text sent with an image (captions, page text). */
    maxTextChars: z.number().int().positive().default(1000),
    /** Score cache folder (default $WEFT_CACHE_DIR or ~/.cache/weft, under model-check/). */
    cacheDir: z.string().optional(),
    cache: z.boolean().default(true),

    // VLM server (vqascore, rubric)
    endpoint: z.url({ protocol: /^https?$/ }).optional(),
    model: z.string().min(1).optional(),
    /** Question (vqascore) or instruction (rubric); `{text}` is replaced by the sample's text. */
    prompt: z.string().includes('{text}').optional(),
    maxSidePx: z.number().int().min(28).max(8192).default(980),
    jpegQuality: z.number().int().min(50).max(100).default(90),
    /** Requests in flight per worker process. */
    concurrency: z.number().int().min(1).max(4096).default(64),
    timeoutMs: z.number().int().positive().default(120_000),
    retries: z.number().int().min(0).max(20).default(3),
    retryBaseMs: z.number().int().positive().default(500),
    /** Consecutive failed samples that mean the server is down. */
    breakerThreshold: z.number().int().positive().default(10),
    /** vLLM allows up to 20 by default, TGI 5. */
    topLogprobs: z.number().int().min(1).max(20).default(20),
    normalizeYesNo: z.boolean().default(false),

    // ONNX dual encoder (clip)
    imageEncoder: z.string().optional(),
    textEncoder: z.string().optional(),
    tokenizer: z.string().optional(),
    imageSizePx: z.number().int().positive().optional(),
    imageResize: z.enum(['crop', 'squash']).default('crop'),
    imageMean: rgb.default([0.48145466, 0.4578275, 0.40821073]),
    imageStd: rgb.default([0.26862954, 0.26130258, 0.27577711]),
    maxTextTokens: z.number().int().min(2).default(77),
    textPrefix: z.string().default(''),
    executionProvider: z.enum(['auto', 'cpu', 'cuda']).default('auto'),

    // nsfw
    nsfwModel: z.enum(['MobileNetV2', 'MobileNetV2Mid', 'InceptionV3']).default('MobileNetV2'),

    /** Images per inference batch (clip, nsfw). */
    batchSize: z.number().int().min(1).max(1024).default(16),
  })
  .superRefine((o, ctx) => {
    const need = (keys: (keyof typeof o)[], why: string) => {
      for (const key of keys)
        if (o[key] === undefined) ctx.addIssue({ code: 'custom', path: [key], message: `required ${why}` });
    };
    if (o.scorer === 'vqascore' || o.scorer === 'rubric')
      need(['endpoint', 'model'], `by --scorer ${o.scorer}`);
    if (o.scorer === 'clip') need(['imageEncoder', 'textEncoder', 'tokenizer'], 'by --scorer clip');
    if (o.keepTopFraction !== undefined && (o.minScore !== undefined || o.maxScore !== undefined))
      ctx.addIssue({
        code: 'custom',
        path: ['keepTopFraction'],
        message: 'choose either a top fraction or a score range, not both',
      });
    if (o.keepTopFraction !== undefined && !o.cache)
      ctx.addIssue({
        code: 'custom',
        path: ['keepTopFraction'],
        message: 'needs the score cache (the second pass reads the scores of the first)',
      });
    if (o.minScore !== undefined && o.maxScore !== undefined && o.minScore > o.maxScore)
      ctx.addIssue({ code: 'custom', path: ['minScore'], message: 'must not exceed maxScore' });
  });
export type CheckOptions = z.output<typeof CheckOptions>;

export function scoreName(options: CheckOptions): string {
  return options.name ?? options.scorer;
}

export function defaultPrompt(scorer: ScorerKind): string {
  return scorer === 'rubric' ? DEFAULT_RUBRIC_PROMPT : DEFAULT_VQA_PROMPT;
}
