// The image value every record kind shares: encoded bytes plus what downstream stages need without decoding.
import { createHash } from 'node:crypto';
import { z } from 'zod';

export const IMAGE_FORMATS = [
  'jpeg',
  'png',
  'webp',
  'gif',
  'avif',
  'tiff',
  'bmp',
  'svg',
  'jp2',
  'heif',
] as const;
export const ImageFormat = z.enum(IMAGE_FORMATS);
export type ImageFormat = z.infer<typeof ImageFormat>;

export const ImageValue = z.object({
  /** Encoded image file bytes (what PIL opens). */
  bytes: z.custom<Uint8Array>((v) => v instanceof Uint8Array, 'expected image bytes (a Uint8Array)'),
  format: ImageFormat,
  widthPx: z.number().int().positive(),
  heightPx: z.number().int().positive(),
  /** Lowercase hex sha256 of `bytes`. */
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  /** Where the bytes came from (URL or file path); stored as the Image `path`. */
  source: z.string().optional(),
  /** 64-bit perceptual hash as 16 hex digits, for near-duplicate detection. */
  phash: z
    .string()
    .regex(/^[0-9a-f]{16}$/)
    .optional(),
});
export type ImageValue = z.infer<typeof ImageValue>;

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
