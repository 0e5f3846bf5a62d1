// Dedup on the set of images (OBELICS step 11): documents whose images are exactly the same set
// (syndicated articles, mirrors) keep only their latest crawl. Documents without images are left alone.
import { crawlTimeOf, imagesOf } from '../record-access.js';
import { keyedMethod } from './keyed.js';

export const imageSetMethod = keyedMethod<unknown>({
  name: 'image-set',
  reason: 'duplicate_image_set',
  keyOf(record) {
    const srcs = [...new Set(imagesOf(record).map((i) => i.image?.sha256 ?? i.src))].sort();
    return srcs.length === 0 ? undefined : srcs.join('\n');
  },
  rankOf: crawlTimeOf,
});
