// Source adapters: one input row → turns and image references, by the source's declared format.
// `fields` maps question/answer/image columns; `caption` turns captions into instructions with a
// seeded choice of prompt; `cauldron` re-reads rows already in The Cauldron layout.
import {
  type Adapted,
  getField,
  imagesField,
  problem,
  seededUnit,
  stripImageTags,
  type Turn,
  textField,
} from './adapted-row.js';
import { DEFAULT_CAPTION_PROMPTS, type SourceConfig } from './config.js';
import { adaptConversation } from './conversations.js';
import type { ImageRef } from './image-refs.js';

export interface AdaptContext {
  seed: number;
  /** The row's stable id (its `id` field, else file:line), for seeded choices. */
  rowId: string;
}

function adaptFields(row: Record<string, unknown>, source: SourceConfig): Adapted {
  const fields = source.fields;
  const question = textField(row, fields.question ?? 'question', 'question');
  if ('problem' in question) return question;
  const answer = textField(row, fields.answer ?? 'answer', 'answer');
  if ('problem' in answer) return answer;
  const images: ImageRef[] = [];
  for (const path of [fields.image, fields.images]) {
    if (!path) continue;
    const found = imagesField(row, path, true);
    if ('problem' in found) return found;
    images.push(...found.images);
  }
  return {
    row: {
      turns: [{ user: stripImageTags(question.text).text, assistant: answer.text }],
      images,
      checkQuestions: true,
    },
  };
}

function adaptCaption(row: Record<string, unknown>, source: SourceConfig, ctx: AdaptContext): Adapted {
  const path = source.fields.caption ?? 'caption';
  const value = getField(row, path);
  const captions = (Array.isArray(value) ? value : [value]).filter(
    (c): c is string => typeof c === 'string' && c.trim() !== '',
  );
  if (value === undefined || value === null)
    return problem('missing_field', `caption field "${path}" is missing`);
  if (captions.length === 0) return problem('empty_text', `caption field "${path}" holds no caption text`);
  const found = imagesField(row, source.fields.image ?? 'image', true);
  if ('problem' in found) return found;
  const prompts = source.prompts ?? DEFAULT_CAPTION_PROMPTS;
  const pick = (n: number, ...keys: string[]) =>
    Math.floor(seededUnit(ctx.seed, source.name, ctx.rowId, ...keys) * n);
  const chosen = source.captions === 'all' ? captions : [captions[pick(captions.length, 'caption')]!];
  const turns: Turn[] = chosen.map((caption, i) => ({
    user: prompts[pick(prompts.length, 'prompt', String(i))]!,
    assistant: caption.trim(),
  }));
  return { row: { turns, images: found.images, checkQuestions: false } };
}

function adaptCauldron(row: Record<string, unknown>, source: SourceConfig): Adapted {
  const found = imagesField(row, source.fields.images ?? 'images', false);
  if ('problem' in found) return found;
  const texts = row.texts;
  if (!Array.isArray(texts) || texts.length === 0)
    return problem('missing_field', 'field "texts" (a list of {user, assistant}) is missing or empty');
  const turns: Turn[] = [];
  for (const [i, t] of texts.entries()) {
    const turn = (t ?? {}) as Record<string, unknown>;
    if (typeof turn.user !== 'string' || typeof turn.assistant !== 'string')
      return problem('missing_field', `texts[${i}] needs string "user" and "assistant"`);
    if (turn.user.trim() === '' || turn.assistant.trim() === '')
      return problem('empty_text', `texts[${i}] has an empty user or assistant text`);
    turns.push({ user: turn.user, assistant: turn.assistant });
  }
  return { row: { turns, images: found.images, checkQuestions: true } };
}

/** Adapts one row by its source's format; problems carry a reason and a sentence naming the field. */
export function adaptRow(row: Record<string, unknown>, source: SourceConfig, ctx: AdaptContext): Adapted {
  switch (source.format) {
    case 'fields':
      return adaptFields(row, source);
    case 'caption':
      return adaptCaption(row, source, ctx);
    case 'cauldron':
      return adaptCauldron(row, source);
    case 'llava':
    case 'sharegpt':
    case 'openai':
      return adaptConversation(row, { ...source, format: source.format });
  }
}

/** The row's id: its `id` field when it has one, else `file:line`. */
export function rowIdOf(row: Record<string, unknown>, source: SourceConfig, fallback: string): string {
  const value = source.fields.id ? getField(row, source.fields.id) : undefined;
  return typeof value === 'string' || typeof value === 'number' ? String(value) : fallback;
}
