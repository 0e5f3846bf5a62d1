// One record as the files of a webdataset sample (img2dataset style): the image as `KEY.jpg` (its
// real format's extension), the text as `KEY.txt`, everything else as `KEY.json`. Several images are
// `KEY.0.jpg`, `KEY.1.png`… The bytes are stored as they are, never re-encoded.
import type { ImageValue } from '../records/image.js';
import type { AnyRecord } from '../records/index.js';

export interface SampleFile {
  /** Field name after the key: `jpg`, `txt`, `json`, `0.png`. */
  field: string;
  data: Uint8Array | string;
}

const EXT: Record<string, string> = { jpeg: 'jpg', tiff: 'tif' };

export function imageExt(image: ImageValue): string {
  return EXT[image.format] ?? image.format;
}

function json(value: Record<string, unknown>): SampleFile {
  return { field: 'json', data: JSON.stringify(value, null, 4) };
}

/** The files of a record's sample, or undefined when it has nothing to store (a pair with no image). */
export function sampleFiles(record: AnyRecord): SampleFile[] | undefined {
  const scores = record.scores ? { scores: record.scores } : {};
  switch (record.kind) {
    case 'image-text-pair': {
      const image = record.image;
      if (!image) return undefined;
      return [
        { field: imageExt(image), data: image.bytes },
        { field: 'txt', data: record.caption },
        json({
          url: record.url,
          caption: record.caption,
          caption_source: record.captionSource,
          page_url: record.pageUrl ?? null,
          width: image.widthPx,
          height: image.heightPx,
          format: image.format,
          sha256: image.sha256,
          phash: image.phash ?? null,
          ...scores,
          ...(record.extra ? { metadata: record.extra } : {}),
        }),
      ];
    }
    case 'pdf-page':
      return [
        { field: imageExt(record.image), data: record.image.bytes },
        { field: 'txt', data: record.text },
        json({
          source: record.source,
          page: record.page,
          page_count: record.pageCount,
          width: record.image.widthPx,
          height: record.image.heightPx,
          needs_ocr: record.needsOcr,
          sha256: record.image.sha256,
          metadata: record.metadata,
          words: record.words,
          ...scores,
        }),
      ];
    case 'sft-sample': {
      const images = record.images.map((image, i) => ({
        field: `${i}.${imageExt(image)}`,
        data: image.bytes,
      }));
      return [
        ...images,
        ...(record.text !== undefined ? [{ field: 'txt', data: record.text }] : []),
        json({ texts: record.turns, images: images.map((f) => f.field), ...scores }),
      ];
    }
    case 'web-document': {
      const files: SampleFile[] = [];
      const texts: (string | null)[] = [];
      const images: (Record<string, unknown> | null)[] = [];
      for (const block of record.blocks) {
        if (block.kind === 'text') {
          texts.push(block.text);
          images.push(null);
          continue;
        }
        texts.push(null);
        let file: string | null = null;
        if (block.image) {
          file = `${files.length}.${imageExt(block.image)}`;
          files.push({ field: file, data: block.image.bytes });
        }
        images.push({ src: block.src, alt_text: block.alt ?? null, file });
      }
      return [
        ...files,
        { field: 'txt', data: texts.filter((t): t is string => t !== null).join('\n\n') },
        json({
          url: record.url,
          title: record.title ?? null,
          language: record.language ?? null,
          crawl_date: record.crawlDate ?? null,
          warc: record.warc ?? null,
          texts,
          images,
          ...scores,
        }),
      ];
    }
  }
}
