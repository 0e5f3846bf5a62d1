import { z } from 'zod';
import type { ImageValue } from '../records/image.js';
import { defineFilter } from './define-filter.js';

/** Records that carry one image (pairs, PDF pages). */
type WithImage = { image?: ImageValue | undefined };

export const imageSize = defineFilter({
  name: 'image-size',
  description:
    'Drops records whose image is missing, too small, too large or too elongated (OBELICS: 150–20,000 px, ratio ≤ 2).',
  options: z.strictObject({
    minSidePx: z.number().int().positive().default(150),
    maxSidePx: z.number().int().positive().default(20_000),
    /** Longest side / shortest side. */
    maxAspectRatio: z.number().min(1).default(2),
  }),
  reasonToDrop(record: WithImage, { minSidePx, maxSidePx, maxAspectRatio }) {
    const image = record.image;
    if (!image) return 'no_image';
    const shortSide = Math.min(image.widthPx, image.heightPx);
    const longSide = Math.max(image.widthPx, image.heightPx);
    if (shortSide < minSidePx) return 'image_too_small';
    if (longSide > maxSidePx) return 'image_too_large';
    if (longSide / shortSide > maxAspectRatio) return 'aspect_ratio_too_high';
    return undefined;
  },
});
