// Turns downloaded bytes into a validated, normalised image: refuses non-images and decompression bombs
// from the header alone, decodes fully (so truncated files are caught), applies EXIF orientation, takes
// the first frame of animations, converts to sRGB, resizes, and either keeps the original bytes (already
// fine: allowed format, no metadata, upright, sRGB, within size) or re-encodes without metadata.
import sharp, { type Metadata, type OutputInfo } from 'sharp';
import { type ImageFormat, type ImageValue, sha256Hex } from '../records/image.js';
import type { ImageProcessOptions } from './image-options.js';
import { phash } from './phash.js';
import { toImageFormat } from './probe-image.js';

export type ImageDropReason = 'not_an_image' | 'unsupported_format' | 'too_many_pixels' | 'decode_error';

export type ProcessedImage =
  | {
      ok: true;
      image: ImageValue;
      kept: boolean;
      original: { format: ImageFormat; widthPx: number; heightPx: number };
    }
  | { ok: false; reason: ImageDropReason; detail: string };

/** Formats sharp's prebuilt libvips cannot decode but that are images (Pillow reads some of them). */
function sniffUnsupported(bytes: Uint8Array): string | undefined {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.byteLength, 16));
  if (b.length >= 12 && b.readUInt32BE(0) === 12 && b.toString('latin1', 4, 8) === 'jP  ') return 'jp2';
  if (b.length >= 4 && b.readUInt32BE(0) === 0xff4fff51) return 'j2k';
  if (b.length >= 2 && b.toString('latin1', 0, 2) === 'BM') return 'bmp';
  if (b.length >= 4 && b.readUInt32BE(0) === 0x00000100) return 'ico';
  return undefined;
}

function drop(reason: ImageDropReason, detail: string): ProcessedImage {
  return { ok: false, reason, detail };
}

export async function processImage(bytes: Uint8Array, options: ImageProcessOptions): Promise<ProcessedImage> {
  let meta: Metadata;
  try {
    meta = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch (error) {
    const unsupported = sniffUnsupported(bytes);
    if (unsupported) return drop('unsupported_format', `${unsupported} is not decoded`);
    const message = (error as Error).message;
    return /unsupported image format/i.test(message)
      ? drop('not_an_image', 'bytes are not an image')
      : drop('decode_error', message);
  }
  const format = toImageFormat(meta.format);
  if (!format || !(options.inputFormats as readonly string[]).includes(format))
    return drop('unsupported_format', `${meta.format ?? 'unknown'} images are not accepted`);
  const width = meta.width ?? 0;
  const height = meta.pageHeight ?? meta.height ?? 0;
  if (width <= 0 || height <= 0) return drop('decode_error', 'image has no size');
  if (width * height > options.maxPixels)
    return drop('too_many_pixels', `${width}×${height} px exceeds ${options.maxPixels} pixels`);

  const orientation = meta.orientation ?? 1;
  const upright = orientation >= 5 ? { w: height, h: width } : { w: width, h: height };
  const original = { format, widthPx: upright.w, heightPx: upright.h };
  const N = options.imageSizePx;
  const mode = options.resizeMode;
  const needsResize =
    mode === 'keep_ratio'
      ? Math.max(upright.w, upright.h) > N
      : mode === 'no'
        ? false
        : upright.w !== N || upright.h !== N;
  const keep =
    !needsResize &&
    (options.keepOriginalFormats as readonly string[]).includes(format) &&
    orientation === 1 &&
    (meta.pages ?? 1) === 1 &&
    (meta.space === 'srgb' || meta.space === 'b-w') &&
    (meta.depth === 'uchar' || meta.depth === undefined) &&
    !meta.exif &&
    !meta.xmp &&
    !meta.iptc &&
    !meta.icc;

  // One full decode either way: it validates the whole file (truncated data fails here).
  let out: Buffer;
  let info: OutputInfo;
  let outFormat: ImageFormat = format;
  let keptHash: string | undefined;
  try {
    const input = () =>
      sharp(bytes, {
        failOn: 'truncated',
        limitInputPixels: options.maxPixels,
        page: 0,
        pages: 1,
      });
    if (keep) {
      // The pHash decode is the validating decode (same pixels as phash() of the stored bytes).
      out = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      keptHash = await phash(out, { failOn: 'truncated' });
      info = { width: upright.w, height: upright.h } as OutputInfo;
    } else {
      let pipeline = input().rotate();
      if (needsResize) {
        pipeline =
          mode === 'keep_ratio'
            ? pipeline.resize({ width: N, height: N, fit: 'inside', withoutEnlargement: true })
            : pipeline.resize({
                width: N,
                height: N,
                fit: mode === 'center_crop' ? 'cover' : 'contain',
                background: { r: 0, g: 0, b: 0, alpha: 1 },
              });
      }
      const q = options.encodeQuality;
      pipeline =
        options.encodeFormat === 'jpeg'
          ? pipeline.flatten({ background: '#ffffff' }).jpeg({ quality: q })
          : options.encodeFormat === 'webp'
            ? pipeline.webp({ quality: q })
            : pipeline.png({ compressionLevel: 6 });
      ({ data: out, info } = await pipeline.toBuffer({ resolveWithObject: true }));
      outFormat = options.encodeFormat;
    }
  } catch (error) {
    return drop('decode_error', (error as Error).message);
  }
  const image: ImageValue = {
    bytes: new Uint8Array(out.buffer, out.byteOffset, out.byteLength),
    format: outFormat,
    widthPx: info.width,
    heightPx: info.height,
    sha256: sha256Hex(out),
  };
  // The shared pHash of the stored bytes, so every weft command hashes the same picture the same way.
  if (options.phash) image.phash = keptHash ?? (await phash(out));
  return { ok: true, image, kept: keep, original };
}
