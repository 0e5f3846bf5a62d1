// Idefics2 training text for a conversation, and its length in tokens: counted with a real tokenizer
// when the user gives a local tokenizer.json, otherwise estimated (and labelled as such in the stats).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';
import { WeftError } from '../errors.js';
import type { Turn } from './adapted-row.js';

export const IMAGE_TOKEN = '<image>';
export const FAKE_IMAGE_TOKEN = '<fake_token_around_image>';
export const END_OF_UTTERANCE = '<end_of_utterance>';

export interface TemplateSettings {
  imageTokens: number;
  fakeTokenAroundImage: boolean;
}

/** The image string for `count` images; adjacent images share one `<fake_token_around_image>`. */
export function imageString(count: number, settings: TemplateSettings): string {
  if (count === 0) return '';
  const one = IMAGE_TOKEN.repeat(settings.imageTokens);
  if (!settings.fakeTokenAroundImage) return one.repeat(count);
  return FAKE_IMAGE_TOKEN + `${one}${FAKE_IMAGE_TOKEN}`.repeat(count);
}

/**
 * Idefics2's format (its chat template, with the images of the conversation in the first user turn as
 * m4's SFT packing puts them): `User:<images>Q<end_of_utterance>\nAssistant: A<end_of_utterance>\n`,
 * later turns `User: Q…`.
 */
export function renderIdefics2(
  imageCount: number,
  turns: readonly Turn[],
  settings: TemplateSettings,
): string {
  let text = '';
  for (const [i, turn] of turns.entries()) {
    const images = i === 0 ? imageString(imageCount, settings) : '';
    text += `User:${images === '' ? ' ' : images}${turn.user}${END_OF_UTTERANCE}\nAssistant: ${turn.assistant}${END_OF_UTTERANCE}\n`;
  }
  return text;
}

export interface TokenCounter {
  /** True when counts are estimates (no tokenizer given). */
  readonly estimated: boolean;
  count(text: string): number;
}

const SPECIAL = new RegExp(`${IMAGE_TOKEN}|${FAKE_IMAGE_TOKEN}|${END_OF_UTTERANCE}`, 'g');
const CJK_CHAR = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/gu;

/** Without a tokenizer: special tokens exactly, CJK characters one each, other text ≈ 4 characters a token. */
export const estimatingCounter: TokenCounter = {
  estimated: true,
  count(text) {
    let special = 0;
    const plain = text.replace(SPECIAL, () => {
      special += 1;
      return '';
    });
    let cjk = 0;
    const rest = plain.replace(CJK_CHAR, () => {
      cjk += 1;
      return '';
    });
    return special + cjk + Math.ceil(rest.length / 4);
  },
};

/** A counter over a local tokenizer.json (tokenizer_config.json beside it is read when present). */
export function loadTokenizerCounter(path: string): TokenCounter {
  let tokenizer: Tokenizer;
  try {
    const json = JSON.parse(readFileSync(path, 'utf8')) as object;
    const configPath = join(dirname(path), 'tokenizer_config.json');
    const config = existsSync(configPath) ? (JSON.parse(readFileSync(configPath, 'utf8')) as object) : {};
    tokenizer = new Tokenizer(json, config);
  } catch (error) {
    throw new WeftError('E_CONFIG', `template.tokenizer: cannot load ${path}: ${(error as Error).message}`, {
      data: { path },
      cause: error,
    });
  }
  return {
    estimated: false,
    count: (text) => tokenizer.encode(text).ids.length,
  };
}
