// What gets scored in each record kind: a pair's image with its caption, a PDF page with its text,
// every image of an interleaved document (or SFT sample) with the text around it. Per-image outcomes
// are then folded into one score per sample (min or mean).
import type { AnyRecord } from '../records/index.js';
import type { Block, ImageBlock } from '../records/web-document.js';
import type { ItemOutcome, ScoreItem } from './scorer.js';

export interface ItemOptions {
  usesText: boolean;
  contextChars: number;
  maxTextChars: number;
}

export interface SampleItems {
  items: ScoreItem[];
  /** Document image blocks, aligned with `items`, to note per-image scores in their metadata. */
  blocks?: ImageBlock[];
  /** Why there is nothing to score (snake_case), when `items` is empty. */
  emptyReason?: string;
}

function clip(text: string, max: number, fromEnd = false): string {
  const t = text.trim();
  if (t.length <= max) return t;
  return fromEnd ? `…${t.slice(t.length - max).trimStart()}` : `${t.slice(0, max).trimEnd()}…`;
}

/** The text around block `at`: the end of the text before it and the start of the text after it. */
function surroundingText(blocks: readonly Block[], at: number, chars: number): string {
  let before = '';
  for (let i = at - 1; i >= 0 && before.length < chars; i--) {
    const b = blocks[i]!;
    if (b.kind === 'text') before = `${b.text} ${before}`;
  }
  let after = '';
  for (let i = at + 1; i < blocks.length && after.length < chars; i++) {
    const b = blocks[i]!;
    if (b.kind === 'text') after = `${after} ${b.text}`;
  }
  return [clip(before, chars, true), clip(after, chars)].filter((t) => t !== '').join('\n');
}

export function sampleItems(record: AnyRecord, options: ItemOptions): SampleItems {
  const text = (t: string) => (options.usesText ? clip(t, options.maxTextChars) : '');
  switch (record.kind) {
    case 'image-text-pair':
      if (!record.image) return { items: [], emptyReason: 'no_image' };
      if (options.usesText && record.caption.trim() === '') return { items: [], emptyReason: 'no_text' };
      return { items: [{ image: record.image, text: text(record.caption) }] };
    case 'pdf-page':
      if (options.usesText && record.text.trim() === '') return { items: [], emptyReason: 'no_text' };
      return { items: [{ image: record.image, text: text(record.text) }] };
    case 'sft-sample': {
      if (record.images.length === 0) return { items: [], emptyReason: 'no_image' };
      const conversation = record.turns.map((t) => `${t.user}\n${t.assistant}`).join('\n');
      return { items: record.images.map((image) => ({ image, text: text(conversation) })) };
    }
    case 'web-document': {
      const items: ScoreItem[] = [];
      const blocks: ImageBlock[] = [];
      let sawImage = false;
      record.blocks.forEach((block, at) => {
        if (block.kind !== 'image' || !block.image) return;
        sawImage = true;
        let context = options.usesText ? surroundingText(record.blocks, at, options.contextChars) : '';
        // An image with no text around it is still described by its alt text or caption, if any.
        if (options.usesText && context === '')
          context = clip(block.caption ?? block.alt ?? '', options.maxTextChars);
        if (options.usesText && context === '') return;
        items.push({ image: block.image, text: context });
        blocks.push(block);
      });
      if (items.length === 0) return { items, emptyReason: sawImage ? 'no_text' : 'no_image' };
      return { items, blocks };
    }
  }
}

export type SampleScore =
  | { ok: true; score: number }
  | { ok: false; reason: string; blame: 'input' | 'service' };

/**
 * One score per sample. A service failure on any image leaves the sample unscored (its min or mean
 * would be a guess); images that cannot be decoded are left out, like images never downloaded.
 */
export function aggregate(outcomes: readonly ItemOutcome[], how: 'min' | 'mean'): SampleScore {
  const serviceFailure = outcomes.find((o) => !o.ok && o.blame === 'service');
  if (serviceFailure && !serviceFailure.ok)
    return { ok: false, reason: serviceFailure.reason, blame: 'service' };
  const scores = outcomes.flatMap((o) => (o.ok ? [o.score] : []));
  if (scores.length === 0) {
    const first = outcomes.find((o) => !o.ok);
    return { ok: false, reason: first && !first.ok ? first.reason : 'no_image', blame: 'input' };
  }
  const score = how === 'min' ? Math.min(...scores) : scores.reduce((a, b) => a + b, 0) / scores.length;
  return { ok: true, score };
}
