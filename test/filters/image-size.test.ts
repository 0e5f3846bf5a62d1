import { describe, expect, test } from 'vitest';
import { WeftError } from '../../src/errors.js';
import { imageSize } from '../../src/filters/image-size.js';
import type { ImageTextPair } from '../../src/records/index.js';
import { runStage } from '../helpers/run-stage.js';
import { doc } from '../helpers/web-docs.js';

function pair(widthPx: number, heightPx: number): ImageTextPair {
  return {
    kind: 'image-text-pair',
    url: `https://example.com/${widthPx}x${heightPx}.jpg`,
    caption: 'a picture',
    captionSource: 'alt',
    image: { bytes: new Uint8Array(4), format: 'jpeg', widthPx, heightPx, sha256: '0'.repeat(64) },
  };
}

test('drops images outside the OBELICS size and ratio limits, each with its reason', async () => {
  const noImage: ImageTextPair = { ...pair(10, 10), image: undefined };
  const { kept, stats } = await runStage(imageSize(), [
    pair(400, 300),
    pair(100, 400),
    pair(30_000, 20_000),
    pair(900, 300),
    noImage,
    pair(300, 600),
  ]);
  expect(kept.map((p) => p.image?.widthPx)).toEqual([400, 300]);
  expect(stats).toEqual({
    kept: 2,
    'dropped.image_too_small': 1,
    'dropped.image_too_large': 1,
    'dropped.aspect_ratio_too_high': 1,
    'dropped.no_image': 1,
  });
});

test('options are validated once, with a message naming the option and the value', () => {
  expect(() => imageSize({ minSidePx: -3 })).toThrowError(WeftError);
  expect(() => imageSize({ minSidePx: -3 })).toThrowError(/filter image-size: minSidePx: .*received -3/);
  expect(() => imageSize({ maxSide: 10 } as never)).toThrowError(/Unrecognized key.*maxSide/);
});

describe('node level (web documents)', () => {
  const image = (widthPx: number, heightPx: number) => ({
    bytes: new Uint8Array(4),
    format: 'jpeg' as const,
    widthPx,
    heightPx,
    sha256: '0'.repeat(64),
  });
  test.each([
    [149, 300, 'image_too_small'],
    [150, 300, 'kept'],
    [151, 300, 'kept'],
    [20_000, 10_000, 'kept'],
    [20_001, 10_001, 'image_too_large'],
    [600, 300, 'kept'], // ratio 2, at
    [601, 300, 'aspect_ratio_too_high'],
    [300, 601, 'aspect_ratio_too_high'],
  ] as const)('%i×%i: %s', async (w, h, expected) => {
    const input = doc('https://example.com/a', 'Some text stays.', {
      kind: 'image',
      src: 'https://example.com/p.jpg',
      image: image(w, h),
    });
    const { kept, stats } = await runStage(imageSize.nodes(), [input]);
    const removed = Object.keys(stats).find((k) => k.startsWith('images_dropped.'));
    expect(removed ? removed.slice('images_dropped.'.length) : 'kept').toBe(expected);
    expect(kept[0]!.blocks.length).toBe(expected === 'kept' ? 2 : 1);
  });

  test('rendered size from the HTML: pixels and percentages of the original', async () => {
    const block = (renderedWidth: string) => ({
      kind: 'image' as const,
      src: 'https://example.com/p.jpg',
      renderedWidth,
      image: image(400, 300),
    });
    const { kept, stats } = await runStage(imageSize.nodes(), [
      doc(
        'https://example.com/a',
        block('16'),
        block('149px'),
        block('150'),
        block('50%'),
        block('30%'),
        block('auto'),
      ),
    ]);
    expect(kept[0]!.blocks.map((b) => (b.kind === 'image' ? b.renderedWidth : ''))).toEqual([
      '150',
      '50%',
      'auto',
    ]);
    expect(stats['images_dropped.rendered_size_out_of_range']).toBe(3);
  });

  test('images never downloaded (a urls dataset) stay, counted as unchecked; empty documents go', async () => {
    const { kept, stats } = await runStage(imageSize.nodes(), [
      doc('https://example.com/a', 'text', { kind: 'image', src: 'https://example.com/x.jpg' }),
      doc('https://example.com/b', { kind: 'image', src: 'https://example.com/y.jpg', image: image(10, 10) }),
    ]);
    expect(kept).toHaveLength(1);
    expect(stats).toMatchObject({
      images_unchecked: 1,
      'images_dropped.image_too_small': 1,
      'dropped.no_content_left': 1,
    });
  });
});
