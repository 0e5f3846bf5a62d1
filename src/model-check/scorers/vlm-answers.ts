// Reads scores out of OpenAI-compatible chat-completion responses (vLLM, SGLang, TGI): P("Yes") from
// the first generated token's logprobs, or a 1–5 rubric rating from a JSON answer. Anything else is
// a named failure, never a guessed score.
import { z } from 'zod';

export type Answer = { ok: true; score: number } | { ok: false; reason: string; message: string };

const TopLogprob = z.object({ token: z.string(), logprob: z.number() });
const ChatLogprobs = z.object({
  content: z
    .array(
      z.object({
        token: z.string(),
        logprob: z.number(),
        top_logprobs: z.array(TopLogprob).nullish(),
      }),
    )
    .nullish(),
});
// Older vLLM (before early 2024) answered chat requests in the Completions logprobs schema.
const LegacyLogprobs = z.object({
  tokens: z.array(z.string()),
  token_logprobs: z.array(z.number().nullable()),
  top_logprobs: z.array(z.record(z.string(), z.number()).nullable()).nullish(),
});
const ChatResponse = z.object({
  choices: z
    .array(
      z.object({
        message: z.object({ content: z.string().nullish() }).nullish(),
        logprobs: z.unknown().optional(),
      }),
    )
    .min(1),
});

function normalizeToken(token: string): string {
  // "Yes", " Yes", "yes", "▁Yes", "Ġyes" all mean the same answer.
  return token
    .replace(/^[\s▁Ġ]+/u, '')
    .trim()
    .toLowerCase();
}

/** The first generated token and its alternatives, from either logprobs schema. */
function firstTokenCandidates(logprobs: unknown): { token: string; logprob: number }[] | undefined {
  const chat = ChatLogprobs.safeParse(logprobs);
  const first = chat.success ? chat.data.content?.[0] : undefined;
  if (first) {
    const top = first.top_logprobs ?? [];
    return top.some((t) => t.token === first.token)
      ? top
      : [{ token: first.token, logprob: first.logprob }, ...top];
  }
  const legacy = LegacyLogprobs.safeParse(logprobs);
  if (legacy.success && legacy.data.tokens.length > 0) {
    const top = Object.entries(legacy.data.top_logprobs?.[0] ?? {}).map(([token, logprob]) => ({
      token,
      logprob,
    }));
    const token = legacy.data.tokens[0]!;
    const logprob = legacy.data.token_logprobs[0];
    if (logprob !== null && logprob !== undefined && !top.some((t) => t.token === token))
      top.unshift({ token, logprob });
    return top;
  }
  return undefined;
}

export interface YesNoOptions {
  /** Score P(yes) / (P(yes) + P(no)) instead of P(yes) (needs both in the top list). */
  normalize: boolean;
}

/**
 * VQAScore: P("Yes") for the first token (summing case and whitespace variants), else 1 − P("No")
 * when only "No" made the top list, as t2v_metrics does for API models.
 */
export function yesProbability(body: unknown, options: YesNoOptions = { normalize: false }): Answer {
  const parsed = ChatResponse.safeParse(body);
  if (!parsed.success)
    return { ok: false, reason: 'malformed_response', message: 'response has no choices[0]' };
  const choice = parsed.data.choices[0]!;
  if (choice.logprobs === undefined || choice.logprobs === null)
    return {
      ok: false,
      reason: 'no_logprobs',
      message: 'response has no logprobs (the server must support "logprobs": true, "top_logprobs")',
    };
  const candidates = firstTokenCandidates(choice.logprobs);
  if (!candidates) return { ok: false, reason: 'no_logprobs', message: 'logprobs hold no generated token' };
  let yes = 0;
  let no = 0;
  let sawYes = false;
  let sawNo = false;
  const seen = new Set<string>();
  for (const { token, logprob } of candidates) {
    if (seen.has(token) || !Number.isFinite(logprob)) continue;
    seen.add(token);
    const word = normalizeToken(token);
    if (word === 'yes') {
      yes += Math.exp(logprob);
      sawYes = true;
    } else if (word === 'no') {
      no += Math.exp(logprob);
      sawNo = true;
    }
  }
  const clamp = (p: number) => Math.min(1, Math.max(0, p));
  if (options.normalize && sawYes && sawNo) return { ok: true, score: clamp(yes / (yes + no)) };
  if (sawYes) return { ok: true, score: clamp(yes) };
  if (sawNo) return { ok: true, score: clamp(1 - no) };
  const first = candidates[0]?.token ?? '';
  return {
    ok: false,
    reason: 'answer_not_yes_no',
    message: `neither "Yes" nor "No" among the ${candidates.length} most likely first tokens (first: ${JSON.stringify(first)})`,
  };
}

export const RubricAnswer = z.object({ rating: z.number().int().min(1).max(5) });

/** The JSON schema sent as `response_format`, so servers with guided decoding can only answer validly. */
export const RUBRIC_JSON_SCHEMA = {
  type: 'object',
  properties: { rating: { type: 'integer', minimum: 1, maximum: 5 } },
  required: ['rating'],
  additionalProperties: false,
} as const;

/** Rubric: a 1–5 rating in `{"rating": N}`, validated with zod. */
export function rubricRating(body: unknown): Answer {
  const parsed = ChatResponse.safeParse(body);
  if (!parsed.success)
    return { ok: false, reason: 'malformed_response', message: 'response has no choices[0]' };
  const content = parsed.data.choices[0]!.message?.content;
  if (typeof content !== 'string' || content.trim() === '')
    return { ok: false, reason: 'invalid_rubric_answer', message: 'empty answer' };
  // Without guided decoding some models wrap the JSON in a markdown fence.
  const text = content
    .trim()
    .replace(/^```(?:json)?\s*/i, '')
    .replace(/\s*```$/, '');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return {
      ok: false,
      reason: 'invalid_rubric_answer',
      message: `answer is not JSON: ${JSON.stringify(content.slice(0, 80))}`,
    };
  }
  const rating = RubricAnswer.safeParse(json);
  if (!rating.success)
    return {
      ok: false,
      reason: 'invalid_rubric_answer',
      message: `answer is not {"rating": 1..5}: ${JSON.stringify(content.slice(0, 80))}`,
    };
  return { ok: true, score: rating.data.rating };
}
