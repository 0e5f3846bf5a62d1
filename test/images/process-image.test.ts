import { readdirSync, readFileSync } from 'node:fs';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { ImageProcessOptions } from '../../src/images/image-options.js';
import { phash } from '../../src/images/phash.js';
import { processImage } from '../../src/images/process-image.js';
import { corpus, hasCorpora } from '../helpers/paths.js';

const defaults = ImageProcessOptions.parse({});
const REASONS = ['not_an_image', 'unsupported_format', 'too_many_pixels', 'decode_error'];

describe.skipIf(!hasCorpora)('processImage on the sharp fixtures', () => {
  it('decodes every fixture to valid output or refuses it with a reason; Pillow agrees', async () => {
    const dir = corpus('images/sharp-fixtures');
    const expectations = new Map(
      (
        JSON.parse(readFileSync(corpus('images/OPENS-IN-OTHER-READERS.json'), 'utf8')) as {
          path: string;
          decoded: boolean;
        }[]
      ).map((e) => [e.path.split('/').pop()!, e.decoded]),
    );
    const disagreements: string[] = [];
    let decoded = 0;
    for (const name of readdirSync(dir)) {
      const result = await processImage(readFileSync(`${dir}/${name}`), defaults);
      if (result.ok) {
        decoded += 1;
        const { image } = result;
        // The output is a real image of the size it claims, within 980 px, without metadata.
        const meta = await sharp(image.bytes).metadata();
        expect(meta.width, name).toBe(image.widthPx);
        expect(meta.height, name).toBe(image.heightPx);
        expect(Math.max(image.widthPx, image.heightPx), name).toBeLessThanOrEqual(980);
        expect(meta.exif, name).toBeUndefined();
        expect(meta.pages ?? 1, name).toBe(1);
        expect(['srgb', 'b-w'], name).toContain(meta.space);
        expect(image.phash, name).toMatch(/^[0-9a-f]{16}$/);
        expect(image.sha256, name).toMatch(/^[0-9a-f]{64}$/);
      } else {
        expect(REASONS, name).toContain(result.reason);
      }
      if (result.ok !== expectations.get(name))
        disagreements.push(`${name}: ${result.ok ? 'ok' : result.reason}`);
    }
    expect(decoded).toBeGreaterThan(80);
    // Where we differ from Pillow: JPEG 2000 (libvips here has no OpenJPEG), and a CIELAB TIFF Pillow
    // cannot open but libvips can.
    expect(disagreements.sort()).toEqual([
      'cielab-dagams.tiff: ok',
      'relax.jp2: unsupported_format',
      'relax_tileparts.jp2: unsupported_format',
    ]);
  });

  it('refuses both decompression bombs from the header, without decoding them', async () => {
    for (const name of ['giant-image.jpg', '65536-uint32-limit.png']) {
      const before = process.memoryUsage().rss;
      const started = performance.now();
      const result = await processImage(readFileSync(corpus('images/sharp-fixtures', name)), defaults);
      expect(result).toMatchObject({ ok: false, reason: 'too_many_pixels' });
      expect(performance.now() - started).toBeLessThan(1000);
      expect(process.memoryUsage().rss - before).toBeLessThan(200 * 1024 * 1024);
    }
  });

  it('applies EXIF orientation: every Landscape_N is landscape and every Portrait_N portrait', async () => {
    for (let n = 1; n <= 8; n++) {
      const landscape = await processImage(
        readFileSync(corpus('images/sharp-fixtures', `Landscape_${n}.jpg`)),
        defaults,
      );
      const portrait = await processImage(
        readFileSync(corpus('images/sharp-fixtures', `Portrait_${n}.jpg`)),
        defaults,
      );
      expect(landscape.ok && [landscape.image.widthPx, landscape.image.heightPx]).toEqual([600, 450]);
      expect(portrait.ok && [portrait.image.widthPx, portrait.image.heightPx]).toEqual([450, 600]);
    }
  });

  it('resizes in each mode and keeps clean originals byte for byte', async () => {
    const photo = readFileSync(corpus('images/sharp-fixtures/2569067123_aca715a2ee_o.jpg')); // 2725×2225
    const size = async (mode: string, px: number) => {
      const r = await processImage(photo, ImageProcessOptions.parse({ resizeMode: mode, imageSizePx: px }));
      return r.ok ? [r.image.widthPx, r.image.heightPx] : r.reason;
    };
    expect(await size('keep_ratio', 980)).toEqual([980, 800]);
    expect(await size('center_crop', 256)).toEqual([256, 256]);
    expect(await size('border', 256)).toEqual([256, 256]);
    expect(await size('no', 256)).toEqual([2725, 2225]);

    const clean = readFileSync(corpus('images/sharp-fixtures/random.jpg')); // 200×200, no metadata
    const kept = await processImage(clean, defaults);
    expect(kept.ok && kept.kept).toBe(true);
    expect(kept.ok && Buffer.from(kept.image.bytes).equals(clean)).toBe(true);
    // The pHash is the shared one (phash.ts) of the stored bytes.
    expect(kept.ok && kept.image.phash).toBe(await phash(clean));

    const webp = await processImage(
      photo,
      ImageProcessOptions.parse({ encodeFormat: 'webp', encodeQuality: 80 }),
    );
    expect(webp.ok && (await sharp(webp.image.bytes).metadata()).format).toBe('webp');
  });

  it('converts CMYK to sRGB and takes the first frame of animations', async () => {
    const cmyk = await processImage(
      readFileSync(corpus('images/sharp-fixtures/Channel_digital_image_CMYK_color.jpg')),
      defaults,
    );
    expect(cmyk.ok && (await sharp(cmyk.image.bytes).metadata()).space).toBe('srgb');
    const gif = await processImage(
      readFileSync(corpus('images/sharp-fixtures/animated-loop-3.gif')),
      defaults,
    );
    expect(gif.ok && gif.kept).toBe(false);
    expect(gif.ok && (await sharp(gif.image.bytes).metadata()).pages).toBeUndefined();
  });
});
