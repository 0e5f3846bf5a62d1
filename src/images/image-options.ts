// Options of image processing for downloaded images (zod; shared by `weft images` and library users).
import { z } from 'zod';

export const RESIZE_MODES = ['no', 'keep_ratio', 'center_crop', 'border'] as const;
export const ENCODE_FORMATS = ['jpeg', 'webp', 'png'] as const;

export const ImageProcessOptions = z.object({
  /**
   * `keep_ratio`: longest side at most `imageSizePx` (never enlarged), as Idefics2's 980 px;
   * `center_crop`: exactly N×N, cropped; `border`: exactly N×N, padded with black; `no`: as decoded.
   */
  resizeMode: z.enum(RESIZE_MODES).default('keep_ratio'),
  imageSizePx: z.number().int().min(8).max(16_384).default(980),
  /** Decoded pixel count above which an image is refused unread (decompression bombs). */
  maxPixels: z.number().int().positive().default(100_000_000),
  /** Re-encoding format and quality. */
  encodeFormat: z.enum(ENCODE_FORMATS).default('jpeg'),
  encodeQuality: z.number().int().min(1).max(100).default(90),
  /** Original bytes are kept (no re-encode) when already of one of these formats and within limits. */
  keepOriginalFormats: z.array(z.enum(ENCODE_FORMATS)).default(['jpeg', 'png', 'webp']),
  /** Input formats accepted at all; others are dropped as unsupported_format (SVG is off: it is code). */
  inputFormats: z
    .array(z.enum(['jpeg', 'png', 'webp', 'gif', 'avif', 'heif', 'tiff', 'svg']))
    .default(['jpeg', 'png', 'webp', 'gif', 'avif', 'heif', 'tiff']),
  /** Compute the 64-bit perceptual hash (for near-duplicate removal later). */
  phash: z.boolean().default(true),
});
export type ImageProcessOptions = z.output<typeof ImageProcessOptions>;
