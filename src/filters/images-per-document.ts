// Number of images in a web document (OBELICS: 1–30): text-only pages and galleries go.
import { z } from 'zod';
import type { WebDocument } from '../records/web-document.js';
import { defineFilter } from './define-filter.js';

export const imagesPerDocument = defineFilter({
  name: 'images-per-document',
  description: 'Keeps documents with between min and max images (OBELICS: 1–30).',
  options: z.strictObject({
    min: z.number().int().nonnegative().default(1),
    max: z.number().int().positive().default(30),
  }),
  reasonToDrop(doc: WebDocument, { min, max }) {
    let n = 0;
    for (const block of doc.blocks) if (block.kind === 'image') n += 1;
    if (n < min) return 'too_few_images';
    if (n > max) return 'too_many_images';
    return undefined;
  },
});
