import { describe, expect, test } from 'vitest';
import { rubricRating, yesProbability } from '../../src/model-check/scorers/vlm-answers.js';
import { contentResponse, vllmResponse, yesNoResponse } from '../helpers/chat-server.js';

describe('P("Yes") from chat-completion logprobs', () => {
  test('reads exp(logprob) of "Yes" from a vLLM response', () => {
    const answer = yesProbability(yesNoResponse(0.8));
    expect(answer.ok).toBe(true);
    if (answer.ok) expect(answer.score).toBeCloseTo(0.8 + 1e-6, 6);
  });

  test('sums case and whitespace variants of the answer ("Yes", " Yes", "yes", "▁Yes")', () => {
    const answer = yesProbability(
      vllmResponse([
        { token: ' Yes', logprob: Math.log(0.5) },
        { token: 'Yes', logprob: Math.log(0.2) },
        { token: '▁yes', logprob: Math.log(0.1) },
        { token: 'No', logprob: Math.log(0.15) },
      ]),
    );
    expect(answer).toEqual({ ok: true, score: expect.closeTo(0.8, 9) });
  });

  test('falls back to 1 − P("No") when "Yes" is not among the top tokens', () => {
    const answer = yesProbability(
      vllmResponse([
        { token: 'No', logprob: Math.log(0.7) },
        { token: 'The', logprob: Math.log(0.2) },
      ]),
    );
    expect(answer).toEqual({ ok: true, score: expect.closeTo(0.3, 9) });
  });

  test('uses the generated token itself when top_logprobs is empty or null', () => {
    const body = vllmResponse([{ token: 'No', logprob: Math.log(0.9) }]) as {
      choices: { logprobs: { content: { top_logprobs: unknown }[] } }[];
    };
    body.choices[0]!.logprobs.content[0]!.top_logprobs = null;
    expect(yesProbability(body)).toEqual({ ok: true, score: expect.closeTo(0.1, 9) });
  });

  test('reads TGI payloads (no bytes field, top 5)', () => {
    const tgi = {
      id: '',
      object: 'chat.completion',
      created: 1730000000,
      model: 'HuggingFaceM4/idefics2-8b',
      system_fingerprint: '2.4.1-native',
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: 'Yes' },
          logprobs: {
            content: [
              {
                token: 'Yes',
                logprob: -0.01,
                top_logprobs: [
                  { token: 'Yes', logprob: -0.01 },
                  { token: 'No', logprob: -4.4 },
                ],
              },
            ],
          },
          finish_reason: 'length',
        },
      ],
      usage: { prompt_tokens: 1300, completion_tokens: 1, total_tokens: 1301 },
    };
    expect(yesProbability(tgi)).toEqual({ ok: true, score: expect.closeTo(Math.exp(-0.01), 9) });
  });

  test('reads the Completions-style logprobs old vLLM returned for chat', () => {
    const legacy = {
      choices: [
        {
          message: { content: 'Yes' },
          logprobs: {
            tokens: ['Yes'],
            token_logprobs: [-0.2],
            top_logprobs: [{ Yes: -0.2, No: -1.8 }],
          },
        },
      ],
    };
    expect(yesProbability(legacy)).toEqual({ ok: true, score: expect.closeTo(Math.exp(-0.2), 9) });
  });

  test('optionally normalizes to P(yes) / (P(yes) + P(no))', () => {
    const body = vllmResponse([
      { token: 'Yes', logprob: Math.log(0.3) },
      { token: 'No', logprob: Math.log(0.1) },
      { token: 'Maybe', logprob: Math.log(0.6) },
    ]);
    expect(yesProbability(body, { normalize: true })).toEqual({ ok: true, score: expect.closeTo(0.75, 9) });
    expect(yesProbability(body)).toEqual({ ok: true, score: expect.closeTo(0.3, 9) });
  });

  test('names the failure when the answer is neither Yes nor No, or logprobs are missing', () => {
    const other = yesProbability(
      vllmResponse([
        { token: 'The', logprob: -0.1 },
        { token: 'A', logprob: -3 },
      ]),
    );
    expect(other).toMatchObject({ ok: false, reason: 'answer_not_yes_no' });
    expect(yesProbability(contentResponse('Yes'))).toMatchObject({ ok: false, reason: 'no_logprobs' });
    expect(yesProbability({ error: 'boom' })).toMatchObject({ ok: false, reason: 'malformed_response' });
    expect(yesProbability({ choices: [] })).toMatchObject({ ok: false, reason: 'malformed_response' });
  });
});

describe('rubric ratings', () => {
  test('parses {"rating": N} and tolerates a markdown fence', () => {
    expect(rubricRating(contentResponse('{"rating": 4}'))).toEqual({ ok: true, score: 4 });
    expect(rubricRating(contentResponse('```json\n{"rating": 2}\n```'))).toEqual({ ok: true, score: 2 });
  });

  test('refuses ratings outside 1–5, non-integers and prose', () => {
    for (const content of ['{"rating": 7}', '{"rating": 3.5}', '{"score": 3}', 'I would say 4', '']) {
      expect(rubricRating(contentResponse(content))).toMatchObject({
        ok: false,
        reason: 'invalid_rubric_answer',
      });
    }
  });
});
