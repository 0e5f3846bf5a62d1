// Images that occur too often across the corpus (OBELICS step 06: more than 10 times): logos, ads,
// share buttons and spacer GIFs that slipped past the URL rules. Counted by URL, as OBELICS did, or by
// content (sha256) when the images are downloaded. Web documents lose those image nodes; image-text
// pairs and PDF pages with such an image are dropped.
import { join } from 'node:path';
import { z } from 'zod';
import type { AnyRecord } from '../../records/index.js';
import { ColumnsFile, writeColumns } from '../columns-file.js';
import { hash64, hexPrefix64, U64Table, u32Column } from '../hash64.js';
import { type DedupMethod, KEYS_FILE } from '../method.js';
import { imagesOf, isWebDocument, type RecordImage, withoutImages } from '../record-access.js';

export const FrequentImagesOptions = z.strictObject({
  /** Images seen more often than this are removed. */
  maxOccurrences: z.number().int().min(1).default(10),
  /** `url`: count image URLs (OBELICS); `content`: count sha256 of the bytes, URL when not downloaded. */
  key: z.enum(['url', 'content']).default('url'),
});
export type FrequentImagesOptions = z.output<typeof FrequentImagesOptions>;

const FREQUENT_FILE = 'frequent.bin';

function keyOf(image: RecordImage, key: FrequentImagesOptions['key']): [number, number] {
  if (key === 'content' && image.image) return hexPrefix64(image.image.sha256);
  return hash64(image.src);
}

export const frequentImagesMethod: DedupMethod<FrequentImagesOptions> = {
  name: 'frequent-images',
  collect(options, ctx) {
    const hi = u32Column();
    const lo = u32Column();
    return {
      add(record: AnyRecord) {
        for (const image of imagesOf(record)) {
          const [h, l] = keyOf(image, options.key);
          hi.push(h);
          lo.push(l);
        }
      },
      finish: () => writeColumns(join(ctx.outDir, KEYS_FILE), { hi: hi.toArray(), lo: lo.toArray() }),
    };
  },
  async reduce(options, { taskDirs, outDir, log }) {
    const counts = new U64Table(1 << 16);
    for (const dir of taskDirs) {
      const file = await ColumnsFile.open(join(dir, KEYS_FILE));
      const hi = await file.column('hi');
      const lo = await file.column('lo');
      for (let i = 0; i < hi.length; i++) counts.set(hi[i]!, lo[i]!, (counts.get(hi[i]!, lo[i]!) ?? 0) + 1);
    }
    const hiOut = u32Column();
    const loOut = u32Column();
    for (const [h, l, n] of counts.entries()) {
      if (n > options.maxOccurrences) {
        hiOut.push(h);
        loOut.push(l);
      }
    }
    log.info(
      `frequent-images: ${counts.size} distinct images, ${hiOut.length} seen more than ${options.maxOccurrences}×`,
    );
    await writeColumns(join(outDir, FREQUENT_FILE), { hi: hiOut.toArray(), lo: loOut.toArray() });
  },
  async applier(options, dir) {
    const file = await ColumnsFile.open(join(dir, FREQUENT_FILE));
    const hi = await file.column('hi');
    const lo = await file.column('lo');
    const frequent = new U64Table(hi.length);
    for (let i = 0; i < hi.length; i++) frequent.set(hi[i]!, lo[i]!, 1);
    return {
      apply(record, _index, stats) {
        const images = imagesOf(record);
        const remove = new Set<number>();
        images.forEach((image, ordinal) => {
          const [h, l] = keyOf(image, options.key);
          if (frequent.get(h, l) !== undefined) remove.add(ordinal);
        });
        stats.count('images_in', images.length);
        if (remove.size === 0) return record;
        if (!isWebDocument(record)) return { drop: 'frequent_image' };
        stats.count('images_dropped.frequent_image', remove.size);
        const doc = withoutImages(record, remove);
        return doc.blocks.length === 0 ? { drop: 'no_content_left' } : doc;
      },
    };
  },
};
