// Perceptual hash (pHash): 32×32 grayscale → 2-D DCT → the 8×8 lowest frequencies (DC excluded from
// the median) → 64 bits as 16 hex digits. Robust to re-encoding, resizing and small edits; compare
// with `hammingDistance` (≤ 8–10 of 64 bits usually means the same picture).
import sharp from 'sharp';

const SIZE = 32;
const LOW = 8;

const cosines: Float64Array[] = Array.from({ length: LOW }, (_, u) => {
  const row = new Float64Array(SIZE);
  for (let x = 0; x < SIZE; x++) row[x] = Math.cos(((2 * x + 1) * u * Math.PI) / (2 * SIZE));
  return row;
});

/** 64-bit pHash of grayscale pixels already reduced to 32×32. */
export function phashFromPixels(pixels: Uint8Array | Uint8ClampedArray): string {
  const rows: Float64Array[] = [];
  for (let u = 0; u < LOW; u++) {
    const rowDct = new Float64Array(SIZE);
    const cu = cosines[u]!;
    for (let y = 0; y < SIZE; y++) {
      let sum = 0;
      for (let x = 0; x < SIZE; x++) sum += pixels[y * SIZE + x]! * cu[x]!;
      rowDct[y] = sum;
    }
    rows.push(rowDct);
  }
  const coefficients: number[] = [];
  for (let v = 0; v < LOW; v++) {
    const cv = cosines[v]!;
    for (let u = 0; u < LOW; u++) {
      const rowDct = rows[u]!;
      let sum = 0;
      for (let y = 0; y < SIZE; y++) sum += rowDct[y]! * cv[y]!;
      coefficients.push(sum);
    }
  }
  const sorted = coefficients.slice(1).sort((a, b) => a - b);
  const median = (sorted[31]! + sorted[32]!) / 2;
  let hex = '';
  for (let nibble = 0; nibble < 16; nibble++) {
    let value = 0;
    for (let bit = 0; bit < 4; bit++)
      value = (value << 1) | (coefficients[nibble * 4 + bit]! > median ? 1 : 0);
    hex += value.toString(16);
  }
  return hex;
}

/**
 * pHash of an encoded image (any format sharp decodes); EXIF orientation is applied first. With
 * `failOn: 'truncated'` the same decode also validates the file (it throws on truncated data), and
 * `limitInputPixels` refuses it from its header above that many pixels, so a caller that needs all
 * three pays for one decode; the hash is the same either way.
 */
export async function phash(
  bytes: Uint8Array,
  options: { failOn?: 'none' | 'truncated'; limitInputPixels?: number } = {},
): Promise<string> {
  const pixels = await sharp(bytes, {
    failOn: options.failOn ?? 'none',
    ...(options.limitInputPixels !== undefined ? { limitInputPixels: options.limitInputPixels } : {}),
  })
    .rotate()
    .flatten({ background: '#ffffff' })
    .grayscale()
    .resize(SIZE, SIZE, { fit: 'fill', kernel: 'lanczos3' })
    .raw()
    .toBuffer();
  return phashFromPixels(pixels);
}

/** Number of differing bits between two 16-hex-digit hashes. */
export function hammingDistance(a: string, b: string): number {
  let distance = 0;
  for (let i = 0; i < 16; i += 8) {
    let x = (Number.parseInt(a.slice(i, i + 8), 16) ^ Number.parseInt(b.slice(i, i + 8), 16)) >>> 0;
    while (x) {
      x &= x - 1;
      distance += 1;
    }
  }
  return distance;
}
