// Ready filter chains. `obelics` is OBELICS's node- then document-level filtering with its exact
// thresholds (common-word ratio and KenLM perplexity are left out: their word list and model were never
// published in a form weft can ship); `gopher`, `c4` and `fineweb` follow datatrove's defaults.
import type { FilterName } from './index.js';

export type FilterLevel = 'image' | 'paragraph' | 'line' | 'document';

export interface FilterStep {
  level: FilterLevel;
  filter: FilterName;
  options?: Record<string, unknown>;
}

export const PRESET_NAMES = ['obelics', 'gopher', 'c4', 'fineweb'] as const;
export type PresetName = (typeof PRESET_NAMES)[number];

const obelics: FilterStep[] = [
  { level: 'image', filter: 'image-format' },
  { level: 'image', filter: 'image-size' },
  { level: 'image', filter: 'image-url-words' },
  { level: 'paragraph', filter: 'word-count' },
  { level: 'paragraph', filter: 'char-repetition' },
  { level: 'paragraph', filter: 'word-repetition' },
  { level: 'paragraph', filter: 'special-chars' },
  { level: 'paragraph', filter: 'stopwords' },
  { level: 'paragraph', filter: 'flagged-words' },
  { level: 'paragraph', filter: 'punctuation' },
  { level: 'paragraph', filter: 'spam-words' },
  { level: 'document', filter: 'images-per-document' },
  { level: 'document', filter: 'word-count' },
  { level: 'document', filter: 'char-repetition' },
  { level: 'document', filter: 'word-repetition' },
  { level: 'document', filter: 'special-chars' },
  { level: 'document', filter: 'stopwords' },
  { level: 'document', filter: 'flagged-words' },
  { level: 'document', filter: 'punctuation' },
  { level: 'document', filter: 'language-id' },
  { level: 'document', filter: 'nsfw' },
];

export const PRESETS: Record<PresetName, FilterStep[]> = {
  obelics,
  gopher: [
    { level: 'document', filter: 'gopher-repetition' },
    { level: 'document', filter: 'gopher-quality' },
  ],
  c4: [
    { level: 'line', filter: 'c4-quality' },
    { level: 'document', filter: 'c4-quality' },
  ],
  // FineWeb's chain after extraction: language ID (datatrove's threshold 0.65), Gopher repetition and
  // quality, C4 without the terminal-punctuation rule, then its own rules.
  fineweb: [
    { level: 'document', filter: 'language-id', options: { minScore: 0.65 } },
    { level: 'document', filter: 'gopher-repetition' },
    { level: 'document', filter: 'gopher-quality' },
    { level: 'line', filter: 'c4-quality', options: { filterNoTerminalPunct: false } },
    { level: 'document', filter: 'c4-quality' },
    { level: 'document', filter: 'fineweb-quality' },
  ],
};
