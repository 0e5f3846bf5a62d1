import { readFile } from 'node:fs/promises';
import sharp from 'sharp';
import { describe, expect, test } from 'vitest';
import { hammingDistance, phash } from '../../src/images/phash.js';
import { corpus, hasCorpora } from '../helpers/paths.js';

describe.skipIf(!hasCorpora)('phash on real photos', () => {
  test('re-encoded and resized copies stay within a few bits; different photos are far apart', async () => {
    const names = ['Landscape_1.jpg', 'concert.jpg', 'Portrait_2.jpg', '320x240.jpg'];
    const photos = await Promise.all(names.map((n) => readFile(corpus('images/sharp-fixtures', n))));
    const hashes = await Promise.all(photos.map((p) => phash(p)));
    for (const [i, photo] of photos.entries()) {
      // rotate(): the copy is made upright, as phash() sees the original.
      const copy = await sharp(photo).rotate().resize(200).webp({ quality: 60 }).toBuffer();
      expect(hammingDistance(hashes[i]!, await phash(copy))).toBeLessThanOrEqual(8);
    }
    for (let i = 0; i < hashes.length; i++) {
      for (let j = i + 1; j < hashes.length; j++)
        expect(hammingDistance(hashes[i]!, hashes[j]!)).toBeGreaterThan(16);
    }
  });
});

test('hamming distance counts differing bits', () => {
  expect(hammingDistance('0000000000000000', 'ffffffffffffffff')).toBe(64);
  expect(hammingDistance('00000000000000f0', '0000000000000010')).toBe(3);
  expect(hammingDistance('8c9787c682733379', '8c9787c682733379')).toBe(0);
});
