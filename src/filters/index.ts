// The filter registry: one line per filter, key = file name = filter name.
import { c4Quality } from './c4-quality.js';
import { charRepetition } from './char-repetition.js';
import { finewebQuality } from './fineweb-quality.js';
import { flaggedWords } from './flagged-words.js';
import { gopherQuality } from './gopher-quality.js';
import { gopherRepetition } from './gopher-repetition.js';
import { imageFormat } from './image-format.js';
import { imageSize } from './image-size.js';
import { imageUrlWords } from './image-url-words.js';
import { imagesPerDocument } from './images-per-document.js';
import { languageId } from './language-id.js';
import { nsfw } from './nsfw.js';
import { punctuation } from './punctuation.js';
import { spamWords } from './spam-words.js';
import { specialChars } from './special-chars.js';
import { stopwords } from './stopwords.js';
import { wordCount } from './word-count.js';
import { wordRepetition } from './word-repetition.js';

export const filters = {
  'image-size': imageSize,
  'image-format': imageFormat,
  'image-url-words': imageUrlWords,
  'images-per-document': imagesPerDocument,
  nsfw: nsfw,
  'word-count': wordCount,
  'char-repetition': charRepetition,
  'word-repetition': wordRepetition,
  'special-chars': specialChars,
  stopwords: stopwords,
  'flagged-words': flaggedWords,
  punctuation: punctuation,
  'language-id': languageId,
  'spam-words': spamWords,
  'gopher-quality': gopherQuality,
  'gopher-repetition': gopherRepetition,
  'c4-quality': c4Quality,
  'fineweb-quality': finewebQuality,
} as const;

export type FilterName = keyof typeof filters;
export { type DropReason, defineFilter, type FilterDefinition, type FilterFactory } from './define-filter.js';
export {
  defineImageFilter,
  defineTextFilter,
  type ImageFilterFactory,
  type TextFilterFactory,
} from './define-node-filter.js';
