// URL dedup (OBELICS step 08): of the documents with the same URL, the latest crawl is kept.
import { crawlTimeOf, normalizedUrl, urlOf } from '../record-access.js';
import { keyedMethod } from './keyed.js';

export const urlMethod = keyedMethod<unknown>({
  name: 'url',
  reason: 'duplicate_url',
  keyOf(record) {
    const url = urlOf(record);
    return url ? normalizedUrl(url) : undefined;
  },
  rankOf: crawlTimeOf,
});
