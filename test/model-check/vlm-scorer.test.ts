import { describe, expect, test } from 'vitest';
import { WeftError } from '../../src/errors.js';
import type { CheckOptions } from '../../src/model-check/check-options.js';
import { ScoreCache } from '../../src/model-check/score-cache.js';
import { scoreSamples } from '../../src/model-check/score-stage.js';
import { VlmScorer, type VlmScorerOptions } from '../../src/model-check/scorers/vlm.js';
import type { AnyRecord } from '../../src/records/index.js';
import {
  type ChatReply,
  type ChatRequest,
  contentResponse,
  deadEndpoint,
  startChatServer,
  yesNoResponse,
} from '../helpers/chat-server.js';
import { runStage } from '../helpers/run-stage.js';
import { tempDir } from '../helpers/temp-dir.js';
import { BLUE, document, pair, pairs, RED, solidImage } from './make-samples.js';

function vlm(endpoint: string, overrides: Partial<VlmScorerOptions> = {}): VlmScorer {
  return new VlmScorer({
    mode: 'vqascore',
    endpoint,
    model: 'test-vlm',
    prompt: 'Does this figure show "{text}"? Please answer Yes or No.',
    maxSidePx: 980,
    jpegQuality: 90,
    concurrency: 8,
    timeoutMs: 5_000,
    retries: 2,
    retryBaseMs: 10,
    breakerThreshold: 5,
    onServerDown: 'stop',
    topLogprobs: 20,
    normalizeYesNo: false,
    ...overrides,
  });
}

const stageFor = (
  scorer: VlmScorer,
  extra: { cache?: ScoreCache; aggregate?: CheckOptions['aggregate']; contextChars?: number } = {},
) =>
  scoreSamples({
    scorer,
    name: 'vqascore',
    aggregate: 'min',
    contextChars: 200,
    maxTextChars: 500,
    ...extra,
  });

/** The caption's number decides P(Yes): "sample 7" → 0.07, like a model that finds some captions apt. */
const byCaption = (r: ChatRequest): ChatReply => {
  const n = Number(/sample (\d+)/.exec(r.text)?.[1] ?? 50);
  return { kind: 'json', body: yesNoResponse(n / 100) };
};

const scoresOf = (records: AnyRecord[]) => records.map((r) => r.scores?.vqascore);

describe('VLM scorer over a chat-completions server', () => {
  test('sends the VQAScore request and writes P(Yes) per sample, in input order', async () => {
    const server = await startChatServer(byCaption);
    const scorer = vlm(server.endpoint);
    const input = await pairs(20, (i) => `sample ${i * 5}`);
    const { kept, stats } = await runStage(stageFor(scorer), input);
    await scorer.close();
    expect(kept).toHaveLength(20);
    expect(scoresOf(kept)).toEqual(kept.map((_, i) => expect.closeTo((i * 5) / 100 + 1e-6, 5)));
    expect(stats.scored).toBe(20);
    const request = server.requests[0]!;
    expect(request.body).toMatchObject({
      model: 'test-vlm',
      max_tokens: 1,
      temperature: 0,
      logprobs: true,
      top_logprobs: 20,
    });
    expect(request.text).toMatch(/^Does this figure show "sample \d+"\? Please answer Yes or No\.$/);
    // A small PNG already fits: sent as it is, no re-encode.
    expect(request.image).toMatchObject({ mime: 'image/png', widthPx: 64, heightPx: 48 });
    expect(request.image.meanRgb[0]).toBeGreaterThan(200);
  });

  test('downsizes large images to the longest side before sending (and keeps them upright RGB JPEG)', async () => {
    const server = await startChatServer(byCaption);
    const scorer = vlm(server.endpoint, { maxSidePx: 320 });
    const big = await pair('sample 10');
    big.image = await solidImage(BLUE, { widthPx: 1600, heightPx: 900, format: 'jpeg' });
    await runStage(stageFor(scorer), [big]);
    await scorer.close();
    expect(server.requests[0]!.image).toMatchObject({ mime: 'image/jpeg', widthPx: 320, heightPx: 180 });
    expect(server.requests[0]!.image.meanRgb[2]).toBeGreaterThan(200);
  });

  test('keeps exactly `concurrency` requests in flight, never more', async () => {
    const server = await startChatServer((r) => ({
      ...(byCaption(r) as { kind: 'json'; body: unknown }),
      delayMs: 40,
    }));
    const scorer = vlm(server.endpoint, { concurrency: 6 });
    const { kept } = await runStage(stageFor(scorer), await pairs(60, (i) => `sample ${i}`));
    await scorer.close();
    expect(kept).toHaveLength(60);
    expect(server.requests).toHaveLength(60);
    expect(server.maxInFlight).toBe(6);
  });

  test('retries 5xx and 429 answers with backoff, then scores', async () => {
    const server = await startChatServer((r) =>
      r.attempt === 1
        ? { kind: 'raw', status: 503, text: '{"error":"overloaded"}' }
        : r.attempt === 2 && r.text.includes('sample 3')
          ? { kind: 'raw', status: 429, text: 'slow down' }
          : byCaption(r),
    );
    const scorer = vlm(server.endpoint);
    const { kept, stats } = await runStage(stageFor(scorer), await pairs(8, (i) => `sample ${i}`));
    await scorer.close();
    expect(scoresOf(kept).every((s) => typeof s === 'number')).toBe(true);
    expect(stats['requests.retried']).toBe(9);
    expect(server.requests).toHaveLength(17);
  });

  test('honours Retry-After on 429 before asking again', async () => {
    const server = await startChatServer((r) =>
      r.attempt === 1
        ? { kind: 'raw', status: 429, text: 'busy', headers: { 'retry-after': '1' } }
        : byCaption(r),
    );
    const scorer = vlm(server.endpoint);
    const started = Date.now();
    const { kept } = await runStage(stageFor(scorer), await pairs(2, (i) => `sample ${i}`));
    await scorer.close();
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(scoresOf(kept)).toEqual([expect.closeTo(0, 5), expect.closeTo(0.01, 5)]);
  });

  test('times out a stalled response, retries it, and leaves the sample unscored only when every attempt stalls', async () => {
    const server = await startChatServer((r) =>
      r.text.includes('sample 1"') || (r.text.includes('sample 2"') && r.attempt === 1)
        ? { kind: 'stall' }
        : byCaption(r),
    );
    const scorer = vlm(server.endpoint, { timeoutMs: 300, retries: 1, onServerDown: 'unscored' });
    const started = Date.now();
    const { kept, stats } = await runStage(stageFor(scorer), await pairs(4, (i) => `sample ${i}`));
    await scorer.close();
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(kept).toHaveLength(4);
    expect(scoresOf(kept)).toEqual([expect.any(Number), null, expect.any(Number), expect.any(Number)]);
    expect(stats['unscored.timeout']).toBe(1);
    expect(stats['requests.failed.timeout']).toBe(1);
  });

  test('a dead server stops the run with E_SERVICE naming the endpoint, quickly', async () => {
    const endpoint = await deadEndpoint();
    const scorer = vlm(endpoint, { concurrency: 16 });
    const started = Date.now();
    const error = await runStage(stageFor(scorer), await pairs(40, (i) => `sample ${i}`)).catch(
      (e: unknown) => e,
    );
    await scorer.close();
    expect(error).toBeInstanceOf(WeftError);
    expect((error as WeftError).code).toBe('E_SERVICE');
    expect((error as WeftError).message).toContain(`${endpoint}/v1/chat/completions`);
    expect((error as WeftError).message).toMatch(/connection_failed/);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  test('with --on-server-down unscored, a dead server leaves every sample in place, unscored', async () => {
    const scorer = vlm(await deadEndpoint(), { onServerDown: 'unscored' });
    const input = await pairs(30, (i) => `sample ${i}`);
    const { kept, stats } = await runStage(stageFor(scorer), input);
    await scorer.close();
    expect(kept.map((r) => (r as { url: string }).url)).toEqual(input.map((r) => r.url));
    expect(scoresOf(kept).every((s) => s === null)).toBe(true);
    expect((stats['unscored.connection_failed'] ?? 0) + (stats['unscored.server_unavailable'] ?? 0)).toBe(30);
    expect(stats['unscored.server_unavailable']).toBeGreaterThan(0); // the breaker spared most of them the retries
  });

  test('malformed JSON is retried, then counted; a server answering only garbage trips the breaker', async () => {
    const flaky = await startChatServer((r) =>
      r.text.includes('sample 2"')
        ? { kind: 'raw', text: '{"choices": [{"message"' }
        : r.attempt === 1 && r.text.includes('sample 3"')
          ? { kind: 'raw', text: 'not json' }
          : byCaption(r),
    );
    const scorer = vlm(flaky.endpoint);
    const { kept, stats } = await runStage(stageFor(scorer), await pairs(5, (i) => `sample ${i}`));
    await scorer.close();
    expect(scoresOf(kept)).toEqual(
      [expect.any(Number), expect.any(Number), null, 0.03 + 1e-6, expect.any(Number)].map((v) =>
        typeof v === 'number' ? expect.closeTo(v, 5) : v,
      ),
    );
    expect(stats['unscored.malformed_response']).toBe(1);

    const garbage = await startChatServer(() => ({ kind: 'json', body: { object: 'error', message: 'ok' } }));
    const broken = vlm(garbage.endpoint);
    const error = await runStage(stageFor(broken), await pairs(20, (i) => `sample ${i}`)).catch(
      (e: unknown) => e,
    );
    await broken.close();
    expect((error as WeftError).code).toBe('E_SERVICE');
    expect((error as WeftError).message).toMatch(/malformed_response/);
  });

  test('rubric mode asks for a JSON-schema answer and stores the 1–5 rating', async () => {
    const server = await startChatServer((r) => {
      const format = r.body.response_format as {
        type: string;
        json_schema: { schema: { required: string[] } };
      };
      expect(format.type).toBe('json_schema');
      expect(format.json_schema.schema.required).toEqual(['rating']);
      const n = Number(/sample (\d)/.exec(r.text)![1]);
      return {
        kind: 'json',
        body: contentResponse(n === 9 ? 'no idea' : JSON.stringify({ rating: (n % 5) + 1 })),
      };
    });
    const scorer = vlm(server.endpoint, {
      mode: 'rubric',
      prompt: 'Rate "{text}" 1-5 as JSON.',
      onServerDown: 'unscored',
    });
    const stage = scoreSamples({
      scorer,
      name: 'rubric',
      aggregate: 'min',
      contextChars: 200,
      maxTextChars: 500,
    });
    const { kept, stats } = await runStage(stage, await pairs(10, (i) => `sample ${i}`));
    await scorer.close();
    expect(kept.map((r) => r.scores?.rubric)).toEqual([1, 2, 3, 4, 5, 1, 2, 3, 4, null]);
    expect(stats['unscored.invalid_rubric_answer']).toBe(1);
  });

  test('scores each document image against its surrounding text and aggregates (min or mean)', async () => {
    const server = await startChatServer((r) => ({
      kind: 'json',
      body: yesNoResponse(r.text.includes('red') ? 0.9 : 0.2),
    }));
    const scorer = vlm(server.endpoint);
    const make = async () =>
      document([
        'Intro text.',
        'A red square follows.',
        await solidImage(RED, { seed: 1 }),
        'Then text about the sea.',
        await solidImage(BLUE, { seed: 2 }),
        'The end.',
      ]);
    const min = await runStage(stageFor(scorer, { aggregate: 'min', contextChars: 20 }), [await make()]);
    const mean = await runStage(stageFor(scorer, { aggregate: 'mean', contextChars: 20 }), [await make()]);
    await scorer.close();
    expect(min.kept[0]!.scores?.vqascore).toBeCloseTo(0.2, 5);
    expect(mean.kept[0]!.scores?.vqascore).toBeCloseTo(0.55, 5);
    const texts = server.requests.slice(0, 2).map((r) => r.text);
    // Each image gets the nearest text on both sides, clipped to contextChars.
    expect(texts).toContain(
      'Does this figure show "…red square follows.\nThen text about the…"? Please answer Yes or No.',
    );
    expect(texts).toContain(
      'Does this figure show "…text about the sea.\nThe end."? Please answer Yes or No.',
    );
    const blocks = (
      min.kept[0] as { blocks: { kind: string; extra?: Record<string, unknown> }[] }
    ).blocks.filter((b) => b.kind === 'image');
    expect(blocks.map((b) => b.extra?.vqascore_score)).toEqual([
      expect.closeTo(0.9, 5),
      expect.closeTo(0.2, 5),
    ]);
  });

  test('a re-run reads scores from the content-hash cache and sends nothing', async () => {
    const dir = await tempDir();
    const server = await startChatServer(byCaption);
    const scorer = vlm(server.endpoint);
    const first = await runStage(
      stageFor(scorer, { cache: await ScoreCache.open(dir) }),
      await pairs(12, (i) => `sample ${i}`),
    );
    expect(server.requests).toHaveLength(12);
    const second = await runStage(
      stageFor(scorer, { cache: await ScoreCache.open(dir) }),
      await pairs(12, (i) => `sample ${i}`),
    );
    await scorer.close();
    expect(server.requests).toHaveLength(12);
    expect(second.stats['items.cache_hits']).toBe(12);
    expect(scoresOf(second.kept)).toEqual(scoresOf(first.kept));
    // A changed caption is a different item: it is scored.
    const third = await runStage(stageFor(vlm(server.endpoint), { cache: await ScoreCache.open(dir) }), [
      await pair('sample 99', RED, 0),
    ]);
    expect(third.stats['items.scored']).toBe(1);
  });

  test('undecodable images are unscored (input blame), the record is kept and the breaker is untouched', async () => {
    const server = await startChatServer(byCaption);
    const scorer = vlm(server.endpoint, { breakerThreshold: 1 });
    const broken = await pair('sample 5', RED, 1);
    broken.image = {
      ...broken.image!,
      bytes: new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]),
      widthPx: 2000,
    };
    const { kept, stats } = await runStage(stageFor(scorer), [broken, await pair('sample 6', RED, 2)]);
    await scorer.close();
    expect(scoresOf(kept)).toEqual([null, expect.closeTo(0.06, 5)]);
    expect(stats['unscored.undecodable_image']).toBe(1);
  });
});
