// Fixture builders: real encoded images and records of every kind, made by the tests themselves.
import sharp from 'sharp';
import type { ImageTextPair } from '../../src/records/image-text-pair.js';
import {
  type ImageValue,
  type PdfPage,
  type SftSample,
  sha256Hex,
  type WebDocument,
} from '../../src/records/index.js';

/** A real JPEG/PNG of the given size with a colour gradient (unique per `seed`). */
export async function makeImage(
  widthPx: number,
  heightPx: number,
  options: { format?: 'jpeg' | 'png' | 'webp'; seed?: number; source?: string } = {},
): Promise<ImageValue> {
  const seed = options.seed ?? 1;
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${widthPx}" height="${heightPx}"><defs><linearGradient id="g"><stop offset="0" stop-color="hsl(${(seed * 47) % 360},70%,50%)"/><stop offset="1" stop-color="hsl(${(seed * 91) % 360},60%,30%)"/></linearGradient></defs><rect width="100%" height="100%" fill="url(#g)"/><circle cx="${(seed * 13) % widthPx}" cy="${(seed * 7) % heightPx}" r="${Math.min(widthPx, heightPx) / 4}" fill="#fff"/></svg>`;
  const format = options.format ?? 'jpeg';
  const image = sharp(Buffer.from(svg));
  const bytes = new Uint8Array(
    await (format === 'jpeg'
      ? image.jpeg({ quality: 85 })
      : format === 'png'
        ? image.png()
        : image.webp()
    ).toBuffer(),
  );
  const value: ImageValue = { bytes, format, widthPx, heightPx, sha256: sha256Hex(bytes) };
  if (options.source) value.source = options.source;
  return value;
}

export function makeDoc(overrides: Partial<WebDocument> = {}): WebDocument {
  return {
    kind: 'web-document',
    url: 'https://example.com/article',
    blocks: [
      { kind: 'text', text: 'First paragraph.' },
      { kind: 'image', src: 'https://example.com/a.jpg', alt: 'a cat' },
      { kind: 'text', text: 'Second paragraph.' },
    ],
    ...overrides,
  };
}

export function makePair(image: ImageValue | undefined, caption = 'a caption'): ImageTextPair {
  const pair: ImageTextPair = {
    kind: 'image-text-pair',
    url: 'https://example.com/x.jpg',
    caption,
    captionSource: 'alt',
  };
  if (image) pair.image = image;
  return pair;
}

export function makePdfPage(image: ImageValue, page = 1): PdfPage {
  return {
    kind: 'pdf-page',
    source: '/data/paper.pdf',
    page,
    pageCount: 3,
    image,
    text: `Page ${page} text`,
    words: [{ text: 'Page', x0: 0.1, y0: 0.1, x1: 0.2, y1: 0.12 }],
    needsOcr: false,
    metadata: { title: 'A paper', author: 'Someone' },
  };
}

export function makeSft(images: ImageValue[]): SftSample {
  return {
    kind: 'sft-sample',
    images,
    turns: [
      { user: 'What is shown?', assistant: 'A gradient.', source: 'vqa' },
      { user: 'Which colour?', assistant: 'Mostly green.', source: 'captions' },
    ],
  };
}
