// Builds the scorer a check run asks for, once per process: the tasks a worker runs one after
// another share its HTTP pool or its loaded model.
import type { Logger } from '../../pipeline/logger.js';
import { type CheckOptions, defaultPrompt } from '../check-options.js';
import type { Scorer } from '../scorer.js';
import { ClipScorer } from './clip-onnx.js';
import { loadNsfwjsClassifier, NsfwScorer } from './nsfw.js';
import { VlmScorer } from './vlm.js';

const scorers = new Map<string, Promise<Scorer>>();

async function build(o: CheckOptions, log: Logger): Promise<Scorer> {
  switch (o.scorer) {
    case 'vqascore':
    case 'rubric':
      return new VlmScorer({
        mode: o.scorer,
        endpoint: o.endpoint!,
        model: o.model!,
        prompt: o.prompt ?? defaultPrompt(o.scorer),
        maxSidePx: o.maxSidePx,
        jpegQuality: o.jpegQuality,
        concurrency: o.concurrency,
        timeoutMs: o.timeoutMs,
        retries: o.retries,
        retryBaseMs: o.retryBaseMs,
        breakerThreshold: o.breakerThreshold,
        onServerDown: o.onServerDown,
        topLogprobs: o.topLogprobs,
        normalizeYesNo: o.normalizeYesNo,
        // Secrets stay out of options (they are written to stats.json): read from the environment.
        ...(process.env.WEFT_VLM_API_KEY ? { apiKey: process.env.WEFT_VLM_API_KEY } : {}),
      });
    case 'clip':
      return ClipScorer.load(
        {
          imageEncoder: o.imageEncoder!,
          textEncoder: o.textEncoder!,
          tokenizer: o.tokenizer!,
          ...(o.imageSizePx !== undefined ? { imageSizePx: o.imageSizePx } : {}),
          imageResize: o.imageResize,
          imageMean: o.imageMean,
          imageStd: o.imageStd,
          maxTextTokens: o.maxTextTokens,
          textPrefix: o.textPrefix,
          batchSize: o.batchSize,
          executionProvider: o.executionProvider,
        },
        log,
      );
    case 'nsfw':
      return new NsfwScorer(await loadNsfwjsClassifier(o.nsfwModel), { batchSize: o.batchSize });
  }
}

/**
 * The scorer for these options, shared within the process. One that gave up (its server failed and
 * stopped a task) is replaced, so the next task or run gives the server a fresh chance.
 */
export async function scorerFor(options: CheckOptions, log: Logger): Promise<Scorer> {
  const {
    input: _input,
    cacheDir: _cacheDir,
    minScore: _min,
    maxScore: _max,
    keepTopFraction: _top,
    ...rest
  } = options;
  const key = JSON.stringify(rest);
  const existing = await scorers.get(key)?.catch(() => undefined);
  if (existing && !existing.unusable) return existing;
  if (existing) existing.close().catch(() => {});
  const scorer = build(options, log);
  scorers.set(key, scorer);
  scorer.catch(() => scorers.delete(key));
  return scorer;
}
