// Image-text pairs and documents with real encoded images, for model-check tests.
import sharp from 'sharp';
import { type ImageTextPair, type ImageValue, sha256Hex } from '../../src/records/index.js';
import type { WebDocument } from '../../src/records/web-document.js';

export const RED: [number, number, number] = [220, 20, 20];
export const BLUE: [number, number, number] = [20, 20, 220];

/** A solid-colour image, with a few pixels varied by `seed` so that every image hashes differently. */
export async function solidImage(
  rgb: [number, number, number],
  options: { widthPx?: number; heightPx?: number; seed?: number; format?: 'png' | 'jpeg' } = {},
): Promise<ImageValue> {
  const widthPx = options.widthPx ?? 64;
  const heightPx = options.heightPx ?? 48;
  const pixels = Buffer.alloc(widthPx * heightPx * 3);
  for (let i = 0; i < widthPx * heightPx; i++) pixels.set(rgb, i * 3);
  pixels[0] = (options.seed ?? 0) % 256;
  pixels[1] = Math.floor((options.seed ?? 0) / 256) % 256;
  const format = options.format ?? 'png';
  const image = sharp(pixels, { raw: { width: widthPx, height: heightPx, channels: 3 } });
  const bytes = new Uint8Array(
    await (format === 'png' ? image.png() : image.jpeg({ quality: 95 })).toBuffer(),
  );
  return { bytes, format, widthPx, heightPx, sha256: sha256Hex(bytes) };
}

export async function pair(caption: string, rgb = RED, seed = 0): Promise<ImageTextPair> {
  return {
    kind: 'image-text-pair',
    url: `https://example.com/${seed}.png`,
    caption,
    captionSource: 'alt',
    image: await solidImage(rgb, { seed }),
  };
}

export async function pairs(n: number, caption: (i: number) => string): Promise<ImageTextPair[]> {
  return Promise.all(Array.from({ length: n }, (_, i) => pair(caption(i), RED, i)));
}

export async function document(parts: (string | ImageValue)[]): Promise<WebDocument> {
  return {
    kind: 'web-document',
    url: 'https://example.com/page',
    blocks: parts.map((p, i) =>
      typeof p === 'string'
        ? { kind: 'text', text: p }
        : { kind: 'image', src: `https://example.com/${i}.png`, image: p },
    ),
  };
}
