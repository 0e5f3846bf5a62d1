import { describe, expect, test } from 'vitest';
import { inkRatio, isBlankPage, needsOcr, textQuality } from '../../src/pdf/page-checks.js';

function page(width: number, height: number, background: [number, number, number]): Uint8Array {
  const px = new Uint8Array(width * height * 4);
  for (let i = 0; i < px.length; i += 4) px.set([...background, 255], i);
  return px;
}

function fillRect(
  px: Uint8Array,
  width: number,
  x0: number,
  y0: number,
  w: number,
  h: number,
  rgb: number[],
) {
  for (let y = y0; y < y0 + h; y++)
    for (let x = x0; x < x0 + w; x++) px.set([...rgb, 255], (y * width + x) * 4);
}

describe('inkRatio', () => {
  test('a white page and a uniformly tinted page have no ink', () => {
    expect(inkRatio(page(757, 980, [255, 255, 255]), 757, 980)).toBe(0);
    expect(inkRatio(page(757, 980, [250, 240, 200]), 757, 980)).toBe(0);
  });

  test('measures the share of pixels that differ from the background, on any background', () => {
    for (const background of [
      [255, 255, 255],
      [20, 30, 90],
    ] as [number, number, number][]) {
      const px = page(757, 980, background);
      // A block of 10% of the page in a contrasting colour.
      fillRect(px, 757, 100, 100, 757 / 2, 980 / 5, [200, 0, 0]);
      expect(inkRatio(px, 757, 980)).toBeCloseTo(0.1, 2);
    }
  });

  test('a single line of small text is ink, a lone speck is not enough to pass the default threshold', () => {
    const line = page(757, 980, [255, 255, 255]);
    fillRect(line, 757, 80, 500, 300, 9, [0, 0, 0]);
    expect(isBlankPage(inkRatio(line, 757, 980), { minInkRatio: 0.0001 })).toBe(false);
    const speck = page(757, 980, [255, 255, 255]);
    fillRect(speck, 757, 400, 400, 3, 3, [0, 0, 0]);
    expect(isBlankPage(inkRatio(speck, 757, 980), { minInkRatio: 0.0001 })).toBe(true);
  });
});

describe('text layer checks', () => {
  test('counts characters without spaces, and the unreadable ones', () => {
    expect(textQuality('Hello world\n')).toEqual({ chars: 10, bad: 0 });
    expect(textQuality('ab\uFFFD\uE001\u0001')).toEqual({ chars: 5, bad: 3 });
    expect(textQuality('我们都是黑体字')).toEqual({ chars: 7, bad: 0 });
  });

  test('a page needs OCR when its text layer is thin or mostly unreadable', () => {
    const options = { minTextChars: 20, maxBadCharRatio: 0.3 };
    expect(needsOcr(0, 0, options)).toBe(true);
    expect(needsOcr(19, 0, options)).toBe(true);
    expect(needsOcr(400, 0, options)).toBe(false);
    expect(needsOcr(400, 200, options)).toBe(true);
    expect(needsOcr(400, 100, options)).toBe(false);
  });
});
