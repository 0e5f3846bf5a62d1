import { expect, test } from 'vitest';
import { WeftError } from '../../src/errors.js';
import { imageSize } from '../../src/filters/image-size.js';
import type { ImageTextPair } from '../../src/records/index.js';
import { runStage } from '../helpers/run-stage.js';

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
