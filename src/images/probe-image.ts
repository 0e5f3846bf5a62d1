// Reads an encoded image's format and size from its header (no full decode).
import sharp from 'sharp';
import { IMAGE_FORMATS, type ImageFormat, type ImageValue, sha256Hex } from '../records/image.js';

const SHARP_TO_FORMAT: Record<string, ImageFormat> = { jpg: 'jpeg', heic: 'heif', tif: 'tiff' };

export function toImageFormat(sharpFormat: string | undefined): ImageFormat | undefined {
  if (!sharpFormat) return undefined;
  const mapped = SHARP_TO_FORMAT[sharpFormat] ?? sharpFormat;
  return (IMAGE_FORMATS as readonly string[]).includes(mapped) ? (mapped as ImageFormat) : undefined;
}

export interface ImageHeader {
  format: ImageFormat;
  widthPx: number;
  heightPx: number;
}

/** Format and displayed size (EXIF orientation applied), or undefined when the bytes are not an image. */
export async function probeImage(bytes: Uint8Array): Promise<ImageHeader | undefined> {
  try {
    const meta = await sharp(bytes, { failOn: 'none', limitInputPixels: false }).metadata();
    const format = toImageFormat(meta.format);
    if (!format || !meta.width || !meta.height) return undefined;
    const rotated = (meta.orientation ?? 1) >= 5;
    return {
      format,
      widthPx: rotated ? meta.height : meta.width,
      heightPx: rotated ? meta.width : meta.height,
    };
  } catch {
    return undefined;
  }
}

/** Builds an ImageValue from stored bytes, taking known facts from `known` and probing the rest. */
export async function imageValueFromBytes(
  bytes: Uint8Array,
  known: Partial<Omit<ImageValue, 'bytes'>> = {},
): Promise<ImageValue | undefined> {
  let { format, widthPx, heightPx } = known;
  if (!format || !widthPx || !heightPx) {
    const header = await probeImage(bytes);
    if (!header) return undefined;
    ({ format, widthPx, heightPx } = header);
  }
  const value: ImageValue = { bytes, format, widthPx, heightPx, sha256: known.sha256 ?? sha256Hex(bytes) };
  if (known.source !== undefined) value.source = known.source;
  if (known.phash !== undefined) value.phash = known.phash;
  return value;
}
