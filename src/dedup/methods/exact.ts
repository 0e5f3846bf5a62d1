// Exact duplicates of the text (white space collapsed): the first copy in corpus order is kept.

import { textOf } from '../record-access.js';
import { keyedMethod } from './keyed.js';

export const exactMethod = keyedMethod<unknown>({
  name: 'exact',
  reason: 'duplicate_text',
  keyOf(record) {
    const text = textOf(record).replace(/\s+/g, ' ').trim();
    return text === '' ? undefined : text;
  },
});
