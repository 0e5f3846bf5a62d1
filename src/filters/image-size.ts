// Image dimensions (OBELICS: both sides within 150–20,000 px, aspect ratio ≤ 2), and, for web
// documents, the rendered size the page gave the image (a 16-px-wide <img> is an icon whatever its file).
import { z } from 'zod';
import { defineImageFilter } from './define-node-filter.js';

/** A rendered size attribute in pixels ("640", "640px", "50%" of the original); undefined if unusable. */
export function renderedPx(value: string | undefined, originalPx: number): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim().toLowerCase();
  const pct = /^(\d+(?:\.\d+)?)\s*%$/.exec(text);
  if (pct) return Math.round((originalPx * Number(pct[1])) / 100);
  const px = /^(\d+(?:\.\d+)?)\s*(px)?$/.exec(text);
  return px ? Math.round(Number(px[1])) : undefined;
}

export const imageSize = defineImageFilter({
  name: 'image-size',
  description:
    'Drops images that are missing, too small, too large or too elongated (OBELICS: 150–20,000 px, ratio ≤ 2).',
  options: z.strictObject({
    minSidePx: z.number().int().positive().default(150),
    maxSidePx: z.number().int().positive().default(20_000),
    /** Longest side / shortest side. */
    maxAspectRatio: z.number().min(1).default(2),
    /** Also apply minSidePx / maxSidePx to the HTML width/height the page rendered the image at. */
    checkRenderedSize: z.boolean().default(true),
  }),
  needsImage: true,
  reasonToDrop({ image, renderedWidth, renderedHeight }, o) {
    if (!image) return 'no_image';
    const shortSide = Math.min(image.widthPx, image.heightPx);
    const longSide = Math.max(image.widthPx, image.heightPx);
    if (shortSide < o.minSidePx) return 'image_too_small';
    if (longSide > o.maxSidePx) return 'image_too_large';
    if (longSide / shortSide > o.maxAspectRatio) return 'aspect_ratio_too_high';
    if (o.checkRenderedSize) {
      for (const px of [
        renderedPx(renderedWidth, image.widthPx),
        renderedPx(renderedHeight, image.heightPx),
      ]) {
        if (px !== undefined && (px < o.minSidePx || px > o.maxSidePx)) return 'rendered_size_out_of_range';
      }
    }
    return undefined;
  },
});
