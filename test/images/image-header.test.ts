// The header reader lets processImage skip libvips' header call; it is only safe if it never says
// something sharp's metadata would contradict. Checked on every corpus image, on variants written by
// sharp with the metadata web images carry, and on truncated copies; then processImage is run both
// ways (headers read here, and sharp's metadata only) and must give the same rows.
import { readdirSync, readFileSync } from 'node:fs';
import sharp, { type Metadata } from 'sharp';
import { describe, expect, it } from 'vitest';
import { readImageHeader } from '../../src/images/image-header.js';
import { ImageProcessOptions } from '../../src/images/image-options.js';
import { isClean, processImage } from '../../src/images/process-image.js';
import { corpus, hasCorpora } from '../helpers/paths.js';

async function variants(): Promise<Array<{ name: string; bytes: Uint8Array }>> {
  const base = sharp({
    create: { width: 640, height: 480, channels: 3, background: { r: 200, g: 90, b: 40 } },
  }).composite([
    { input: Buffer.from('<svg width="640" height="480"><circle cx="320" cy="240" r="150"/></svg>') },
  ]);
  const png = await base.clone().png().toBuffer();
  const exif = { IFD0: { Make: 'weft', Model: 'test' } };
  const made: Array<[string, Promise<Buffer>]> = [
    ['plain.jpg', base.clone().jpeg({ quality: 80 }).toBuffer()],
    ['progressive.jpg', base.clone().jpeg({ progressive: true }).toBuffer()],
    ['exif.jpg', base.clone().withExif(exif).jpeg().toBuffer()],
    ['rotated.jpg', base.clone().withMetadata({ orientation: 6 }).jpeg().toBuffer()],
    ['icc.jpg', base.clone().withIccProfile('srgb').jpeg().toBuffer()],
    ['cmyk.jpg', base.clone().toColourspace('cmyk').jpeg().toBuffer()],
    ['grey.jpg', base.clone().grayscale().jpeg().toBuffer()],
    ['plain.png', Promise.resolve(png)],
    ['palette.png', base.clone().png({ palette: true, colours: 16 }).toBuffer()],
    ['grey16.png', base.clone().grayscale().toColourspace('grey16').png().toBuffer()],
    ['icc.png', base.clone().withIccProfile('srgb').png().toBuffer()],
    ['exif.png', base.clone().withExif(exif).png().toBuffer()],
    ['alpha.png', base.clone().ensureAlpha(0.5).png().toBuffer()],
    ['lossy.webp', base.clone().webp({ quality: 70 }).toBuffer()],
    ['lossless.webp', base.clone().webp({ lossless: true }).toBuffer()],
    ['alpha.webp', base.clone().ensureAlpha(0.5).webp().toBuffer()],
    ['icc.webp', base.clone().withIccProfile('srgb').webp().toBuffer()],
    ['exif.webp', base.clone().withExif(exif).webp().toBuffer()],
    [
      'big.jpg',
      sharp({ create: { width: 3000, height: 2000, channels: 3, background: '#345' } })
        .jpeg()
        .toBuffer(),
    ],
  ];
  const out: Array<{ name: string; bytes: Uint8Array }> = [];
  for (const [name, bytes] of made) {
    const full = await bytes;
    out.push({ name, bytes: full });
    // Truncated copies: the header may still be readable, the pixels are not.
    out.push({ name: `${name} (first 60%)`, bytes: full.subarray(0, Math.floor(full.length * 0.6)) });
    out.push({ name: `${name} (first 40 bytes)`, bytes: full.subarray(0, 40) });
  }
  return out;
}

function corpusImages(): Array<{ name: string; bytes: Uint8Array }> {
  if (!hasCorpora) return [];
  const files: Array<{ name: string; bytes: Uint8Array }> = [];
  for (const dir of ['images/sharp-fixtures', 'sft/llava']) {
    for (const name of readdirSync(corpus(dir))) {
      if (/\.(json|jsonl|txt|md)$/i.test(name)) continue;
      files.push({ name: `${dir}/${name}`, bytes: readFileSync(corpus(`${dir}/${name}`)) });
    }
  }
  return files;
}

describe('readImageHeader', () => {
  it('never contradicts sharp: format, stored size and whether the file is clean', async () => {
    if (!hasCorpora) console.warn('*** corpora absent: header check runs on generated images only ***');
    const images = [...(await variants()), ...corpusImages()];
    let judged = 0;
    for (const { name, bytes } of images) {
      const facts = readImageHeader(bytes);
      if (!facts) continue;
      let meta: Metadata;
      try {
        meta = await sharp(bytes, { limitInputPixels: false }).metadata();
      } catch {
        continue; // sharp cannot read it at all: processImage drops it either way (checked below)
      }
      expect(meta.format === 'jpeg' || meta.format === 'png' || meta.format === 'webp', name).toBe(true);
      expect(facts.format, name).toBe(meta.format);
      expect([facts.widthPx, facts.heightPx], name).toEqual([meta.width, meta.pageHeight ?? meta.height]);
      if (facts.clean !== undefined) {
        judged += 1;
        expect(facts.clean, name).toBe(isClean(meta));
      }
    }
    expect(judged).toBeGreaterThan(20);
  });

  it('processImage gives the same rows with and without the header shortcut', async () => {
    const images = [...(await variants()), ...corpusImages()];
    for (const options of [
      ImageProcessOptions.parse({}),
      ImageProcessOptions.parse({ imageSizePx: 256, keepOriginalFormats: ['jpeg'] }),
      ImageProcessOptions.parse({ maxPixels: 1_000_000 }),
    ]) {
      for (const { name, bytes } of images) {
        const fast = await processImage(bytes, options);
        const reference = await processImage(bytes, options, { readHeaders: false });
        if (!reference.ok) {
          expect(fast.ok, name).toBe(false);
          // A file sharp's metadata cannot read may be refused for its header's size instead.
          if (!fast.ok && fast.reason !== reference.reason) {
            expect([fast.reason, reference.reason].sort(), name).toEqual(['decode_error', 'too_many_pixels']);
          }
          continue;
        }
        if (!fast.ok) throw new Error(`${name}: ${fast.reason} ${fast.detail}`);
        expect(fast.kept, name).toBe(reference.kept);
        expect(fast.image.sha256, name).toBe(reference.image.sha256);
        expect([fast.image.widthPx, fast.image.heightPx], name).toEqual([
          reference.image.widthPx,
          reference.image.heightPx,
        ]);
        expect(fast.image.phash, name).toBe(reference.image.phash);
      }
    }
  }, 120_000);
});
