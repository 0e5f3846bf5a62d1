// The `Image` cell (`{bytes, path}`) that `datasets` decodes to a PIL image.
import { imageValueFromBytes } from '../../images/probe-image.js';
import type { ImageValue } from '../../records/image.js';

export interface ImageCell {
  bytes: Uint8Array | null;
  path: string | null;
}

export function toImageCell(image: ImageValue | undefined): ImageCell | null {
  if (!image) return null;
  return { bytes: image.bytes, path: image.source ?? null };
}

export function isImageCell(value: unknown): value is ImageCell {
  return value !== null && typeof value === 'object' && 'bytes' in value;
}

/** An ImageValue from a stored cell; facts already known (size, hash) skip probing. */
export async function fromImageCell(
  cell: unknown,
  known: Partial<Omit<ImageValue, 'bytes'>> = {},
): Promise<ImageValue | undefined> {
  if (!isImageCell(cell) || !cell.bytes || cell.bytes.byteLength === 0) return undefined;
  const facts = { ...known };
  if (cell.path && facts.source === undefined) facts.source = cell.path;
  return imageValueFromBytes(cell.bytes, facts);
}
