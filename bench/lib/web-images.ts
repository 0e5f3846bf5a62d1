// A web-like image set for bench/images, generated (no downloads): crops of the real photos in the
// corpora at common web sizes, mostly JPEG, with the metadata web images usually carry. Deterministic
// (seeded), so every run measures the same bytes. The mix, and why:
// - long side 200–1200 px, two thirds of it under 700 (LAION/CC-style pairs are mostly a few hundred px);
// - aspect ratios 4:3, 3:2, 16:9, 1:1 and portrait;
// - 85 % JPEG (quality 70–92, a quarter progressive), 8 % PNG (small graphics-like crops, some
//   palette-quantised), 7 % WebP;
// - of the JPEGs, about a third carry camera EXIF (orientation 1), a fifth an sRGB ICC profile, a few
//   an EXIF rotation (phone photos), the rest nothing (CMS-stripped);
// - qualities (and, failing that, crops) are redrawn so files land between 20 and 300 kB.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import sharp from 'sharp';
import { seededRandom } from '../../src/demo/synthetic-images.js';

export interface WebImage {
  name: string;
  bytes: Buffer;
}

/** Photos (not graphics or test patterns) from the corpora, decoded once. */
const SOURCES = [
  'images/sharp-fixtures/2569067123_aca715a2ee_o.jpg',
  'images/sharp-fixtures/gain-map.jpg',
  'images/sharp-fixtures/flowers.jpeg',
  'images/sharp-fixtures/4.webp',
  'sft/llava/waterview.jpg',
  'sft/llava/extreme_ironing.jpg',
  'images/sharp-fixtures/Landscape_1.jpg',
];

function pick<T>(random: () => number, weighted: [T, number][]): T {
  let x = random() * weighted.reduce((n, [, w]) => n + w, 0);
  for (const [value, weight] of weighted) {
    x -= weight;
    if (x <= 0) return value;
  }
  return weighted[weighted.length - 1]![0];
}

const KB = 1000;

export async function generateWebImages(
  corporaDir: string,
  count = 150,
  seed = 20240611,
): Promise<WebImage[]> {
  const random = seededRandom(seed);
  const sources = await Promise.all(
    SOURCES.map(async (path) => {
      const { data, info } = await sharp(readFileSync(resolve(corporaDir, path)))
        .rotate()
        .removeAlpha()
        .raw()
        .toBuffer({ resolveWithObject: true });
      return { data, width: info.width, height: info.height };
    }),
  );
  const images: WebImage[] = [];
  for (let i = 0; i < count; i++) {
    const format = pick(random, [
      ['jpeg', 85],
      ['png', 8],
      ['webp', 7],
    ] as [string, number][]);
    const [aw, ah] = pick(random, [
      [[4, 3], 35],
      [[3, 2], 20],
      [[16, 9], 15],
      [[1, 1], 15],
      [[3, 4], 10],
      [[2, 3], 5],
    ] as [[number, number], number][]);
    const [low, high] =
      format === 'png'
        ? [200, 400]
        : pick(random, [
            [[200, 450], 30],
            [[450, 700], 35],
            [[700, 1000], 25],
            [[1000, 1200], 10],
          ] as [[number, number], number][]);
    const longSide = Math.round(low + random() * (high - low));
    const width = aw >= ah ? longSide : Math.round((longSide * aw) / ah);
    const height = aw >= ah ? Math.round((longSide * ah) / aw) : longSide;
    const progressive = random() < 0.25;
    const metadata = random();
    const palette = random() < 0.5;
    let quality = Math.round(format === 'webp' ? 75 + random() * 10 : 70 + random() * 22);
    let bytes = Buffer.alloc(0);
    // Up to 8 tries: nudge the quality, and draw another crop when quality alone cannot bring the
    // file into 20–300 kB (a patch of sky stays small at any quality).
    for (let attempt = 0; attempt < 8; attempt++) {
      const fits = sources.filter((s) => s.width >= width && s.height >= height);
      const source = fits[Math.floor(random() * fits.length)] ?? sources[0]!;
      // A crop 1–2.5× the output size, so detail stays photographic.
      const scale = Math.min(source.width / width, source.height / height, 1 + random() * 1.5);
      const cropW = Math.max(1, Math.min(source.width, Math.round(width * scale)));
      const cropH = Math.max(1, Math.min(source.height, Math.round(height * scale)));
      let image = sharp(source.data, { raw: { width: source.width, height: source.height, channels: 3 } })
        .extract({
          left: Math.floor(random() * (source.width - cropW + 1)),
          top: Math.floor(random() * (source.height - cropH + 1)),
          width: cropW,
          height: cropH,
        })
        .resize(width, height, { fit: 'fill' });
      if (format === 'png') {
        image = image.png(palette ? { palette: true, colours: 128 } : { compressionLevel: 6 });
      } else {
        if (format === 'jpeg' && metadata < 0.33)
          image = image.withExif({ IFD0: { Make: 'Canon', Model: 'EOS 80D', Software: 'web export' } });
        else if (format === 'jpeg' && metadata < 0.53) image = image.withIccProfile('srgb');
        else if (format === 'jpeg' && metadata < 0.56) image = image.withMetadata({ orientation: 6 });
        image =
          format === 'webp'
            ? image.webp({ quality })
            : image.jpeg({ quality, progressive, chromaSubsampling: quality >= 90 ? '4:4:4' : '4:2:0' });
      }
      bytes = await image.toBuffer();
      if (bytes.byteLength > 300 * KB) quality = Math.max(50, quality - 12);
      else if (bytes.byteLength < 20 * KB) quality = Math.min(95, quality + 8);
      else break;
    }
    images.push({ name: `web-${String(i).padStart(3, '0')}.${format === 'jpeg' ? 'jpg' : format}`, bytes });
  }
  return images;
}
