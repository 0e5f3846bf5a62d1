// Format, URL words and images-per-document filters, and the NSFW classifier run for real.
import { readFile } from 'node:fs/promises';
import sharp from 'sharp';
import { describe, expect, test } from 'vitest';
import { imageFormat } from '../../src/filters/image-format.js';
import { imageUrlWords, urlWords } from '../../src/filters/image-url-words.js';
import { imagesPerDocument } from '../../src/filters/images-per-document.js';
import { nsfw, nsfwRecords } from '../../src/filters/nsfw.js';
import { loadNsfwClassifier } from '../../src/models/nsfw.js';
import { type ImageValue, sha256Hex } from '../../src/records/image.js';
import type { ImageTextPair } from '../../src/records/index.js';
import { corpus, hasCorpora } from '../helpers/paths.js';
import { runStage } from '../helpers/run-stage.js';
import { doc, img } from '../helpers/web-docs.js';

const value = (
  bytes: Uint8Array,
  format: ImageValue['format'],
  widthPx: number,
  heightPx: number,
): ImageValue => ({
  bytes,
  format,
  widthPx,
  heightPx,
  sha256: sha256Hex(bytes),
});

test('image-format keeps jpeg, png and webp (OBELICS) and drops the rest', async () => {
  const b = new Uint8Array(1);
  const input = doc(
    'https://example.com/',
    'text',
    img('a.jpg', value(b, 'jpeg', 300, 300)),
    img('a.gif', value(b, 'gif', 300, 300)),
    img('a.svg', value(b, 'svg', 300, 300)),
    img('a.webp', value(b, 'webp', 300, 300)),
  );
  const { kept, stats } = await runStage(imageFormat.nodes(), [input]);
  expect(kept[0]!.blocks.map((x) => (x.kind === 'image' ? x.src : 'text'))).toEqual([
    'text',
    'a.jpg',
    'a.webp',
  ]);
  expect(stats['images_dropped.image_format_not_allowed']).toBe(2);
  expect(() => imageFormat({ formats: ['jpg'] as never })).toThrowError(/image-format: formats\[0\]/);
});

describe('image-url-words', () => {
  test('whole words of the path and query, camelCase and plurals; never substrings of other words', () => {
    expect(urlWords('https://cdn.example.com/static/SiteLogo_2x.png?size=small')).toEqual([
      'static',
      'site',
      'logo',
      '2x',
      'png',
      'size',
      'small',
    ]);
  });
  test.each([
    ['https://example.com/img/site-logo.png', 'url_banned_word'],
    ['https://example.com/social/ShareButton.svg', 'url_banned_word'],
    ['https://example.com/icons/arrow.png', 'url_banned_word'],
    ['https://example.com/w/widgets/x.png', 'url_banned_word'],
    ['https://example.com/photos/essex-coast.jpg', 'kept'],
    ['https://example.com/photos/sussex.jpg', 'kept'],
    ['https://example.com/photos/iconic-bridge.jpg', 'kept'],
    ['https://example.com/photos/logopedics-lecture.jpg', 'kept'],
    ['https://icons.example.com/photos/harbour.jpg', 'kept'],
  ])('%s: %s', async (src, expected) => {
    const { stats } = await runStage(imageUrlWords.nodes(), [doc('https://example.com/', 'text', img(src))]);
    expect(stats['images_dropped.url_banned_word'] ? 'url_banned_word' : 'kept').toBe(expected);
  });
});

test.each([
  [0, 'too_few_images'],
  [1, 'kept'],
  [2, 'kept'],
  [30, 'kept'],
  [31, 'too_many_images'],
])('images-per-document with %i images: %s (OBELICS 1–30)', async (n, expected) => {
  const input = doc(
    'https://example.com/',
    'text',
    ...Array.from({ length: n }, (_, i) => img(`https://example.com/${i}.jpg`)),
  );
  const { stats } = await runStage(imagesPerDocument(), [input]);
  expect(
    Object.keys(stats)
      .find((k) => k.startsWith('dropped.'))
      ?.slice(8) ?? 'kept',
  ).toBe(expected);
});

describe.skipIf(!hasCorpora)('NSFW (nsfwjs MobileNetV2 on the tfjs wasm backend, offline)', () => {
  test('real photos score as safe; the score is kept; thresholds decide the drop', async () => {
    const classifier = await loadNsfwClassifier();
    const photo = new Uint8Array(await readFile(corpus('images/sharp-fixtures', 'Landscape_1.jpg')));
    const scores = await classifier.classify(photo);
    expect(scores).toBeDefined();
    const sum = Object.values(scores!).reduce((a, b) => a + b, 0);
    expect(sum).toBeCloseTo(1, 3);
    expect(scores!.porn).toBeLessThan(0.85);
    expect(scores!.hentai).toBeLessThan(0.9);
    expect(await classifier.classify(new Uint8Array([1, 2, 3]))).toBeUndefined();

    const meta = await sharp(photo).metadata();
    const docs = [
      doc(
        'https://example.com/',
        'text',
        img('https://example.com/p.jpg', value(photo, 'jpeg', meta.width!, meta.height!)),
      ),
    ];
    const kept = await runStage(nsfw(), docs);
    expect(kept.kept).toHaveLength(1);
    const expected = Math.max(scores!.porn, scores!.hentai);
    expect(kept.kept[0]!.scores?.nsfw).toBeCloseTo(expected, 6);
    // A threshold under this photo's porn score makes the same classifier output drop the document.
    const strict = await runStage(nsfw({ pornThreshold: scores!.porn * 0.99 }), [
      doc(
        'https://example.com/',
        'text',
        img('https://example.com/p.jpg', value(photo, 'jpeg', meta.width!, meta.height!)),
      ),
    ]);
    expect(strict.stats['dropped.nsfw_image']).toBe(1);
    const atThreshold = await runStage(nsfw({ pornThreshold: scores!.porn }), [
      doc(
        'https://example.com/',
        'text',
        img('https://example.com/p.jpg', value(photo, 'jpeg', meta.width!, meta.height!)),
      ),
    ]);
    expect(atThreshold.kept).toHaveLength(1);

    const pair: ImageTextPair = {
      kind: 'image-text-pair',
      url: 'https://example.com/p.jpg',
      caption: 'a landscape',
      captionSource: 'alt',
      image: value(photo, 'jpeg', meta.width!, meta.height!),
    };
    const pairs = await runStage(nsfwRecords(), [pair, { ...pair, image: undefined }]);
    expect(pairs.kept.map((p) => p.scores?.nsfw ?? null)).toEqual([expect.closeTo(expected, 6), null]);
  });
});
