// The VLM backend: scores (image, text) items with a vision-language model behind an
// OpenAI-compatible chat-completions server (vLLM, SGLang, TGI), one request per item, many in flight
// so the server's continuous batching stays full. Modes: `vqascore` (P("Yes")) and `rubric` (1–5).
import { createHash } from 'node:crypto';
import { dataUrl, type ModelImageOptions, modelImage } from '../model-image.js';
import { failed, type ItemOutcome, type ScoreCallContext, type ScoreItem, type Scorer } from '../scorer.js';
import { type Answer, RUBRIC_JSON_SCHEMA, rubricRating, yesProbability } from './vlm-answers.js';
import { type Reply, VlmClient, type VlmClientOptions } from './vlm-client.js';

export const DEFAULT_VQA_PROMPT = 'Does this figure show "{text}"? Please answer Yes or No.';
export const DEFAULT_RUBRIC_PROMPT =
  'Rate how well this text matches the image, from 1 (unrelated) to 5 (accurate and specific). Text: "{text}". Answer in JSON as {"rating": N}.';

export interface VlmScorerOptions extends VlmClientOptions, ModelImageOptions {
  mode: 'vqascore' | 'rubric';
  model: string;
  /** Question or instruction; `{text}` is replaced by the item's text. */
  prompt: string;
  topLogprobs: number;
  /** VQAScore as P(yes) / (P(yes) + P(no)) instead of P(yes). */
  normalizeYesNo: boolean;
}

function fillPrompt(template: string, text: string): string {
  return template.replaceAll('{text}', text);
}

// A JSON string in the text can never match `"<slot>"` unescaped, so the splice point is unambiguous.
const IMAGE_SLOT = 'weft-image-slot';

/**
 * The request body. The image's data URL (base64: nothing to escape) is spliced in as is (base64 needs no JSON escaping), so a
 * 200 kB image is not scanned again by JSON.stringify for every request.
 */
export function vlmRequestBody(options: VlmScorerOptions, imageUrl: string, text: string): string {
  const content = [
    { type: 'image_url', image_url: { url: IMAGE_SLOT } },
    { type: 'text', text: fillPrompt(options.prompt, text) },
  ];
  const common = { model: options.model, messages: [{ role: 'user', content }], temperature: 0 };
  const body =
    options.mode === 'vqascore'
      ? { ...common, max_tokens: 1, logprobs: true, top_logprobs: options.topLogprobs }
      : {
          ...common,
          max_tokens: 32,
          response_format: {
            type: 'json_schema',
            json_schema: { name: 'rating', schema: RUBRIC_JSON_SCHEMA, strict: true },
          },
        };
  const json = JSON.stringify(body);
  const at = json.indexOf(`"${IMAGE_SLOT}"`);
  return `${json.slice(0, at)}"${imageUrl}"${json.slice(at + IMAGE_SLOT.length + 2)}`;
}

export class VlmScorer implements Scorer {
  readonly kind: string;
  readonly fingerprint: string;
  readonly usesText = true;
  readonly batchSize: number;
  readonly batchesInFlight: number;
  readonly histogram: Scorer['histogram'];
  private readonly client: VlmClient;
  private readonly options: VlmScorerOptions;

  constructor(options: VlmScorerOptions) {
    this.options = options;
    this.kind = options.mode;
    this.client = new VlmClient(options);
    // Batches only group records for the stage; what bounds the server's load is `concurrency`.
    // Twice as many items queued as in flight keeps every slot busy while a slow batch finishes.
    this.batchSize = 16;
    this.batchesInFlight = Math.max(2, Math.ceil((2 * options.concurrency) / this.batchSize));
    this.histogram =
      options.mode === 'vqascore' ? { min: 0, max: 1, bins: 20 } : { min: 0.5, max: 5.5, bins: 5 };
    const identity = {
      mode: options.mode,
      model: options.model,
      prompt: options.prompt,
      maxSidePx: options.maxSidePx,
      jpegQuality: options.jpegQuality,
      normalizeYesNo: options.mode === 'vqascore' && options.normalizeYesNo,
    };
    this.fingerprint = createHash('sha256').update(JSON.stringify(identity)).digest('hex');
  }

  get unusable(): boolean {
    return this.options.onServerDown === 'stop' && this.client.breaker.isOpen;
  }

  get endpointUrl(): string {
    return this.client.url.href;
  }

  score(items: readonly ScoreItem[], ctx: ScoreCallContext): Promise<ItemOutcome[]> {
    return Promise.all(items.map((item) => this.scoreOne(item, ctx)));
  }

  private async scoreOne(item: ScoreItem, ctx: ScoreCallContext): Promise<ItemOutcome> {
    let url: string;
    try {
      const prepared = await modelImage(item.image, this.options);
      ctx.stats.count(prepared.passedThrough ? 'images.sent_as_is' : 'images.resized');
      url = dataUrl(prepared);
    } catch (error) {
      return failed('undecodable_image', (error as Error).message, 'input');
    }
    const body = vlmRequestBody(this.options, url, item.text);
    ctx.stats.count('request_bytes', body.length);
    const parse = (json: unknown): Reply => {
      const answer: Answer =
        this.options.mode === 'vqascore'
          ? yesProbability(json, { normalize: this.options.normalizeYesNo })
          : rubricRating(json);
      return answer.ok ? answer : { ...answer, retryable: false };
    };
    const reply = await this.client.post(body, ctx.signal, ctx.stats, parse);
    if (reply.ok) return { ok: true, score: reply.score };
    return failed(reply.reason, reply.message, 'service');
  }

  close(): Promise<void> {
    return this.client.close();
  }
}
