// Language identification with Google's CLD3 (compiled to WebAssembly, model inside the npm package, no
// network). One identifier per process, loaded on first use.
import { loadModule } from 'cld3-asm';

export interface LanguageGuess {
  /** BCP-47-ish code from CLD3 (`en`, `de`, `ja`, `zh-Latn`…). */
  language: string;
  /** CLD3's probability for that language, in [0, 1]. */
  score: number;
  reliable: boolean;
}

type Identifier = {
  findLanguage(text: string): { language: string; probability: number; is_reliable: boolean };
};

let identifier: Promise<Identifier> | undefined;

/** Bytes of text CLD3 looks at: enough for a stable guess, bounded for speed. */
const MAX_SAMPLE_CHARS = 1500;
const MIN_SAMPLE_CHARS = 20;

export function languageIdentifier(): Promise<Identifier> {
  identifier ??= loadModule().then(
    (factory) => factory.create(0, MAX_SAMPLE_CHARS * 3) as unknown as Identifier,
  );
  return identifier;
}

/** Guesses the language of `text`; undefined when there is too little text or CLD3 has no answer. */
export async function identifyLanguage(text: string): Promise<LanguageGuess | undefined> {
  const sample = text.replace(/\s+/g, ' ').trim().slice(0, MAX_SAMPLE_CHARS);
  if (sample.length < MIN_SAMPLE_CHARS) return undefined;
  const result = (await languageIdentifier()).findLanguage(sample);
  if (!result.language || result.language === 'und') return undefined;
  return { language: result.language, score: result.probability, reliable: result.is_reliable };
}
