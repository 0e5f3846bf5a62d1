// Image references against hostile files: every fixture resolves or gets a named reason; bombs are
// refused before decoding; the pixel hash ignores how the picture was encoded.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, test } from 'vitest';
import { imageRefOf } from '../../src/sft/image-refs.js';
import { ImageResolver, localCopyUrlSource } from '../../src/sft/image-resolver.js';
import { corpus, hasCorpora } from '../helpers/paths.js';
import { tempDir } from '../helpers/temp-dir.js';
import { noisePicture, writeFileIn } from './fixtures.js';

const FORMATS = ['jpeg', 'png', 'webp', 'gif', 'tiff'];

describe.skipIf(!hasCorpora)('image resolver on the sharp fixtures', () => {
  test('each file resolves or gets a reason; bombs and truncated files are refused', {
    timeout: 120_000,
  }, async () => {
    const dir = corpus('images/sharp-fixtures');
    const resolver = new ImageResolver({
      root: dir,
      maxPixels: 50_000_000,
      formats: FORMATS,
      urlSource: localCopyUrlSource(undefined),
    });
    const reasons = new Map<string, string>();
    let resolved = 0;
    for (const name of (await readdir(dir)).sort()) {
      const result = await resolver.resolve({ kind: 'path', path: name });
      if ('image' in result) {
        resolved += 1;
        expect(result.image.pixelSha256).toMatch(/^[0-9a-f]{64}$/);
        expect(result.image.phash).toMatch(/^[0-9a-f]{16}$/);
      } else reasons.set(name, result.problem.reason);
    }
    expect(reasons.get('giant-image.jpg')).toBe('image_too_large');
    expect(reasons.get('65536-uint32-limit.png')).toBe('image_too_large');
    expect(reasons.get('truncated.jpg')).toBe('image_unreadable');
    expect(reasons.get('corrupt-header.jpg')).toBe('image_unreadable');
    expect(reasons.get('circle.svg')).toBe('image_format_not_allowed');
    expect(reasons.get('relax.jp2')).toMatch(/image_format_not_allowed|image_unreadable/);
    expect(resolved).toBeGreaterThan(60);
  });
});

test('the same pixels in different files share a pixel hash; EXIF orientation is applied first', async () => {
  const dir = await tempDir();
  const png = await noisePicture(4, { format: 'png', compressionLevel: 9 });
  await writeFileIn(dir, 'a.png', png);
  await writeFileIn(dir, 'b.png', await noisePicture(4, { format: 'png', compressionLevel: 0 }));
  // Stored rotated with an EXIF tag saying "rotate 90° clockwise to display": the same picture upright.
  const rotated = await sharp(png).rotate(-90).png().withMetadata({ orientation: 6 }).toBuffer();
  await writeFileIn(dir, 'c.png', rotated);
  const resolver = new ImageResolver({
    root: dir,
    maxPixels: 1e8,
    formats: FORMATS,
    urlSource: localCopyUrlSource(undefined),
  });
  const get = async (path: string) => {
    const result = await resolver.resolve({ kind: 'path', path });
    if (!('image' in result)) throw new Error(result.problem.message);
    return result.image;
  };
  const [a, b, c] = [await get('a.png'), await get('b.png'), await get('c.png')];
  expect(a.sha256).not.toBe(b.sha256);
  expect(a.pixelSha256).toBe(b.pixelSha256);
  expect(c.pixelSha256).toBe(a.pixelSha256);
});

test('image values: data URIs, base64 cells, URLs and paths; other schemes are refused', async () => {
  const dir = await tempDir();
  const jpeg = await noisePicture(9);
  const dataUri = `data:image/jpeg;base64,${jpeg.toString('base64')}`;
  const ref = imageRefOf(dataUri);
  expect('ref' in ref && ref.ref.kind === 'bytes' && Buffer.from(ref.ref.bytes).equals(jpeg)).toBe(true);
  const cell = imageRefOf({ bytes: jpeg.toString('base64'), path: 'x.jpg' });
  expect('ref' in cell && cell.ref.kind === 'bytes' && cell.ref.path === 'x.jpg').toBe(true);
  expect(imageRefOf('https://example.com/a.jpg')).toEqual({
    ref: { kind: 'url', url: 'https://example.com/a.jpg' },
  });
  expect(imageRefOf('s3://bucket/a.jpg')).toMatchObject({ problem: { reason: 'unsupported_image_scheme' } });
  expect(imageRefOf(42)).toMatchObject({ problem: { reason: 'bad_image_value' } });

  // A URL with a local copy (named by the sha256 of the URL) resolves; one without is a counted reason.
  const { createHash } = await import('node:crypto');
  const url = 'https://example.com/pictures/1.jpg';
  await writeFileIn(dir, `cache/${createHash('sha256').update(url).digest('hex')}.jpg`, jpeg);
  const resolver = new ImageResolver({
    root: dir,
    maxPixels: 1e8,
    formats: FORMATS,
    urlSource: localCopyUrlSource(join(dir, 'cache')),
  });
  const hit = await resolver.resolve({ kind: 'url', url });
  expect('image' in hit && hit.image.label).toBe(url);
  const miss = await resolver.resolve({ kind: 'url', url: 'https://example.com/other.jpg' });
  expect(miss).toMatchObject({ problem: { reason: 'image_url_not_local' } });
});
