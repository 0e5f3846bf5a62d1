// Cheap facts about a rendered page that decide whether it is worth keeping: how much ink is on it,
// and whether its text layer can be trusted or the page needs OCR.

/**
 * Share of pixels that differ visibly from the page background. The background is the most common
 * colour of a sparse sample (pages are not always white); ink is then counted on every third pixel of
 * every third row, which is plenty to see a line of text at 980 px and costs about a millisecond.
 * `channels`: 4 for RGBA, 3 for RGB.
 */
export function inkRatio(pixels: Uint8Array, widthPx: number, heightPx: number, channels: 3 | 4 = 4): number {
  const histogram = new Uint32Array(4096);
  for (let y = 0; y < heightPx; y += 7) {
    const row = y * widthPx * channels;
    for (let x = 0; x < widthPx; x += 7) {
      const i = row + x * channels;
      histogram[((pixels[i]! >> 4) << 8) | ((pixels[i + 1]! >> 4) << 4) | (pixels[i + 2]! >> 4)]! += 1;
    }
  }
  let mode = 0;
  for (let b = 1; b < 4096; b++) if (histogram[b]! > histogram[mode]!) mode = b;
  const r0 = ((mode >> 8) << 4) + 8;
  const g0 = (((mode >> 4) & 15) << 4) + 8;
  const b0 = ((mode & 15) << 4) + 8;
  let ink = 0;
  let sampled = 0;
  const step = 3 * channels;
  for (let y = 0; y < heightPx; y += 3) {
    const end = (y + 1) * widthPx * channels;
    for (let i = y * widthPx * channels; i < end; i += step) {
      sampled++;
      if (
        Math.abs(pixels[i]! - r0) > 40 ||
        Math.abs(pixels[i + 1]! - g0) > 40 ||
        Math.abs(pixels[i + 2]! - b0) > 40
      )
        ink++;
    }
  }
  return sampled === 0 ? 0 : ink / sampled;
}

/** Counts non-space characters and those that carry no text (U+FFFD, private use, C0/C1 controls). */
export function textQuality(text: string): { chars: number; bad: number } {
  let chars = 0;
  let bad = 0;
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    if (cp === 0x20 || cp === 0x0a || cp === 0x09 || cp === 0x0d || cp === 0xa0) continue;
    chars++;
    if (
      cp === 0xfffd ||
      cp < 0x20 ||
      (cp >= 0x7f && cp < 0xa0) ||
      (cp >= 0xe000 && cp <= 0xf8ff) ||
      cp >= 0xf0000
    )
      bad++;
  }
  return { chars, bad };
}

export interface PageVerdictOptions {
  /** Pages with less ink than this share of their pixels are blank. */
  minInkRatio: number;
  /** Fewer readable text-layer characters than this: the page needs OCR. */
  minTextChars: number;
  /** More than this share of unreadable characters: the text layer is garbage, the page needs OCR. */
  maxBadCharRatio: number;
}

export function isBlankPage(inkShare: number, options: Pick<PageVerdictOptions, 'minInkRatio'>): boolean {
  return inkShare < options.minInkRatio;
}

export function needsOcr(
  chars: number,
  bad: number,
  options: Pick<PageVerdictOptions, 'minTextChars' | 'maxBadCharRatio'>,
): boolean {
  if (chars - bad < options.minTextChars) return true;
  return chars > 0 && bad / chars > options.maxBadCharRatio;
}
