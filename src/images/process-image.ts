// Turns downloaded bytes into a validated, normalised image: refuses non-images and decompression bombs
// from the header alone, decodes fully (so truncated files are caught), applies EXIF orientation, takes
// the first frame of animations, converts to sRGB, resizes, and either keeps the original bytes (already
// fine: allowed format, no metadata, upright, sRGB, within size) or re-encodes without metadata.
import sharp, { type Metadata, type OutputInfo } from 'sharp';
import { type ImageFormat, type ImageValue, sha256Hex } from '../records/image.js';
import { type HeaderFacts, readImageHeader } from './image-header.js';
import type { ImageProcessOptions } from './image-options.js';
import { phash } from './phash.js';
import { toImageFormat } from './probe-image.js';

export type ImageDropReason = 'not_an_image' | 'unsupported_format' | 'too_many_pixels' | 'decode_error';

export type ProcessedImage =
  | { ok: true; image: ImageValue; kept: boolean }
  | { ok: false; reason: ImageDropReason; detail: string };

/** What to do with an image that passed the checks: keep its bytes, or decode and re-encode it. */
interface Plan {
  format: ImageFormat;
  keep: boolean;
  needsResize: boolean;
  /** Displayed size (EXIF orientation applied); only needed when the bytes are kept. */
  upright: { w: number; h: number };
}

export interface ProcessImageSettings {
  /**
   * Decide from the JPEG/PNG/WebP header read here when it is conclusive (default), sparing a libvips
   * header call; false always asks sharp's metadata (the reference the header reader is tested against).
   */
  readHeaders?: boolean;
}

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

function needsResizeFor(widthPx: number, heightPx: number, options: ImageProcessOptions): boolean {
  const N = options.imageSizePx;
  // Symmetric in width and height, so EXIF orientation does not change the answer.
  return options.resizeMode === 'keep_ratio'
    ? Math.max(widthPx, heightPx) > N
    : options.resizeMode === 'no'
      ? false
      : widthPx !== N || heightPx !== N;
}

function tooManyPixels(widthPx: number, heightPx: number, options: ImageProcessOptions): ProcessedImage {
  return drop('too_many_pixels', `${widthPx}×${heightPx} px exceeds ${options.maxPixels} pixels`);
}

/** The plan from the header alone, or undefined when it is not conclusive (then sharp is asked). */
function planFromHeader(
  header: HeaderFacts,
  options: ImageProcessOptions,
): Plan | ProcessedImage | undefined {
  const { format, widthPx, heightPx, clean } = header;
  if (!(options.inputFormats as readonly string[]).includes(format))
    return drop('unsupported_format', `${format} images are not accepted`);
  if (widthPx * heightPx > options.maxPixels) return tooManyPixels(widthPx, heightPx, options);
  const needsResize = needsResizeFor(widthPx, heightPx, options);
  const upright = { w: widthPx, h: heightPx }; // only used when kept, and kept files have no EXIF
  if (needsResize || clean === false || !(options.keepOriginalFormats as readonly string[]).includes(format))
    return { format, keep: false, needsResize, upright };
  return clean === true ? { format, keep: true, needsResize, upright } : undefined;
}

/** Bytes that may be kept as they are: upright, one frame, 8-bit sRGB or grey, no EXIF/XMP/IPTC/ICC. */
export function isClean(meta: Metadata): boolean {
  return (
    (meta.orientation ?? 1) === 1 &&
    (meta.pages ?? 1) === 1 &&
    (meta.space === 'srgb' || meta.space === 'b-w') &&
    (meta.depth === 'uchar' || meta.depth === undefined) &&
    !meta.exif &&
    !meta.xmp &&
    !meta.iptc &&
    !meta.icc
  );
}

async function planFromMetadata(
  bytes: Uint8Array,
  options: ImageProcessOptions,
): Promise<Plan | ProcessedImage> {
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
  if (width * height > options.maxPixels) return tooManyPixels(width, height, options);

  const orientation = meta.orientation ?? 1;
  const upright = orientation >= 5 ? { w: height, h: width } : { w: width, h: height };
  const needsResize = needsResizeFor(width, height, options);
  const keep =
    !needsResize && (options.keepOriginalFormats as readonly string[]).includes(format) && isClean(meta);
  return { format, keep, needsResize, upright };
}

export async function processImage(
  bytes: Uint8Array,
  options: ImageProcessOptions,
  settings: ProcessImageSettings = {},
): Promise<ProcessedImage> {
  const header = settings.readHeaders === false ? undefined : readImageHeader(bytes);
  const planned = (header && planFromHeader(header, options)) ?? (await planFromMetadata(bytes, options));
  if ('ok' in planned) return planned;
  const { format, keep, needsResize, upright } = planned;
  const N = options.imageSizePx;
  const mode = options.resizeMode;

  // One full decode either way: it validates the whole file (truncated data fails here), and the
  // pixel limit is enforced again by libvips from the header it reads itself.
  let out: Buffer;
  let info: OutputInfo;
  let outFormat: ImageFormat = format;
  let keptHash: string | undefined;
  try {
    if (keep) {
      // The pHash decode is the validating decode (same pixels as phash() of the stored bytes).
      out = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      keptHash = await phash(out, { failOn: 'truncated', limitInputPixels: options.maxPixels });
      info = { width: upright.w, height: upright.h } as OutputInfo;
    } else {
      let pipeline = sharp(bytes, {
        failOn: 'truncated',
        limitInputPixels: options.maxPixels,
        page: 0,
        pages: 1,
      }).rotate();
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
    const message = (error as Error).message;
    return /exceeds pixel limit/i.test(message)
      ? drop('too_many_pixels', `${message} (${options.maxPixels} pixels allowed)`)
      : drop('decode_error', message);
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
  return { ok: true, image, kept: keep };
}
