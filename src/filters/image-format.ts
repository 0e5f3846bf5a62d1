// Image file format (OBELICS kept jpg/jpeg, png and webp): drops GIF animations, SVG drawings, BMP…
import { z } from 'zod';
import { ImageFormat } from '../records/image.js';
import { defineImageFilter } from './define-node-filter.js';

export const imageFormat = defineImageFilter({
  name: 'image-format',
  description: 'Keeps images whose format is in `formats` (OBELICS: jpeg, png, webp).',
  options: z.strictObject({
    formats: z.array(ImageFormat).min(1).default(['jpeg', 'png', 'webp']),
  }),
  needsImage: true,
  reasonToDrop({ image }, { formats }) {
    if (!image) return 'no_image';
    return formats.includes(image.format) ? undefined : 'image_format_not_allowed';
  },
});
