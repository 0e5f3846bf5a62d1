// Images as a model server wants them: at most the model's resolution (longest side), upright, RGB,
// in a format every server decodes. Images that already fit are sent as they are, without a decode.
import sharp from 'sharp';
import type { ImageValue } from '../records/image.js';

export interface ModelImageOptions {
  /** Longest side sent to the model; larger images are downscaled (Idefics2: 980). */
  maxSidePx: number;
  jpegQuality: number;
}

export interface ModelImage {
  mime: 'image/jpeg' | 'image/png' | 'image/webp';
  bytes: Uint8Array;
  /** True when the original bytes were sent unchanged. */
  passedThrough: boolean;
}

const PASS_THROUGH = { jpeg: 'image/jpeg', png: 'image/png', webp: 'image/webp' } as const;

/** Resizes and re-encodes when needed; throws on bytes that are not a decodable image. */
export async function modelImage(image: ImageValue, options: ModelImageOptions): Promise<ModelImage> {
  const mime = PASS_THROUGH[image.format as keyof typeof PASS_THROUGH];
  if (mime && Math.max(image.widthPx, image.heightPx) <= options.maxSidePx) {
    // The header is cheap to read; it tells whether the stored size is trustworthy and upright.
    const meta = await sharp(image.bytes, { failOn: 'none', limitInputPixels: false }).metadata();
    const upright = (meta.orientation ?? 1) === 1;
    const fits = Math.max(meta.width ?? Infinity, meta.height ?? Infinity) <= options.maxSidePx;
    if (upright && fits && (meta.pages ?? 1) === 1) return { mime, bytes: image.bytes, passedThrough: true };
  }
  // Idefics2's own processor downsizes with bilinear filtering, so 'linear' matches what the model
  // was trained on and costs less than lanczos. Alpha is flattened: chat models take RGB.
  const bytes = await sharp(image.bytes, { failOn: 'error', limitInputPixels: 268_402_689 })
    .rotate()
    .resize({
      width: options.maxSidePx,
      height: options.maxSidePx,
      fit: 'inside',
      withoutEnlargement: true,
      kernel: 'linear',
    })
    .flatten({ background: '#ffffff' })
    .jpeg({ quality: options.jpegQuality, optimiseCoding: false })
    .toBuffer();
  return { mime: 'image/jpeg', bytes, passedThrough: false };
}

export function dataUrl(image: ModelImage): string {
  return `data:${image.mime};base64,${Buffer.from(image.bytes.buffer, image.bytes.byteOffset, image.bytes.byteLength).toString('base64')}`;
}
