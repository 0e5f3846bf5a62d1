// Interleaved documents in the OBELICS layout: `texts` and `images` aligned lists with exactly one
// non-null per position, `metadata` (JSON list, per image) and `general_metadata` (JSON, per document).
// `images` holds URLs (list<string>) until images are downloaded, then Image cells whose path is the URL.
import type { Block, WebDocument } from '../../records/web-document.js';
import { type Features, f } from '../features.js';
import type { Row } from '../shard-writer.js';
import { fromImageCell, isImageCell, toImageCell } from './image-cell.js';
import {
  type DatasetLayout,
  optionalNumber,
  optionalString,
  parseJsonObject,
  scoreColumnName,
  scoresFromRow,
  scoresToRow,
} from './layout.js';

export interface WebDocumentsLayoutOptions {
  /** `urls`: images as URL strings (after extraction); `bytes`: downloaded images. */
  images: 'urls' | 'bytes';
  scoreNames?: readonly string[];
}

function imageMetadata(block: Extract<Block, { kind: 'image' }>): Record<string, unknown> {
  const meta: Record<string, unknown> = { src: block.src };
  if (block.alt !== undefined) meta.alt_text = block.alt;
  if (block.title !== undefined) meta.title = block.title;
  if (block.caption !== undefined) meta.caption = block.caption;
  if (block.renderedWidth !== undefined) meta.rendered_width = block.renderedWidth;
  if (block.renderedHeight !== undefined) meta.rendered_height = block.renderedHeight;
  if (block.image) {
    meta.original_width = block.image.widthPx;
    meta.original_height = block.image.heightPx;
    meta.format = block.image.format;
    meta.sha256 = block.image.sha256;
    if (block.image.phash) meta.phash = block.image.phash;
  }
  return { ...block.extra, ...meta };
}

const KNOWN_IMAGE_KEYS = new Set([
  'src',
  'alt_text',
  'title',
  'caption',
  'rendered_width',
  'rendered_height',
  'original_width',
  'original_height',
  'format',
  'sha256',
  'phash',
]);

export function webDocumentsLayout(options: WebDocumentsLayoutOptions): DatasetLayout<WebDocument> {
  const scoreNames = options.scoreNames ?? [];
  const features: Features = {
    images: f.list(options.images === 'urls' ? f.string : f.image),
    metadata: f.string,
    general_metadata: f.string,
    texts: f.list(f.string),
    ...Object.fromEntries(scoreNames.map((name) => [scoreColumnName(name), f.float32])),
  };
  return {
    name: 'web-documents',
    features,
    toRow(doc): Row {
      const images: unknown[] = [];
      const texts: (string | null)[] = [];
      const metadata: (Record<string, unknown> | null)[] = [];
      for (const block of doc.blocks) {
        if (block.kind === 'text') {
          images.push(null);
          texts.push(block.text);
          metadata.push(null);
        } else if (options.images === 'urls') {
          images.push(block.src);
          texts.push(null);
          metadata.push(imageMetadata(block));
        } else if (block.image) {
          images.push(toImageCell({ ...block.image, source: block.src }));
          texts.push(null);
          metadata.push(imageMetadata(block));
        }
        // With `bytes`, an image block that was never downloaded has nothing to store; the stage that
        // failed to download it has already counted why.
      }
      const general: Record<string, unknown> = { ...doc.extra, url: doc.url };
      if (doc.warc) {
        general.warc_filename = doc.warc.filename;
        general.warc_record_offset = doc.warc.offset;
        general.warc_record_length = doc.warc.length;
      }
      if (doc.crawlDate) general.crawl_date = doc.crawlDate;
      if (doc.title !== undefined) general.title = doc.title;
      if (doc.language) general.language = doc.language;
      if (doc.languageScore !== undefined) general.language_score = doc.languageScore;
      return {
        images,
        metadata: JSON.stringify(metadata),
        general_metadata: JSON.stringify(general),
        texts,
        ...scoresToRow(doc.scores, scoreNames),
      };
    },
    async fromRow(row) {
      const images = Array.isArray(row.images) ? row.images : [];
      const texts = Array.isArray(row.texts) ? row.texts : [];
      let metadata: unknown[] = [];
      try {
        const parsed = JSON.parse(typeof row.metadata === 'string' ? row.metadata : '[]') as unknown;
        if (Array.isArray(parsed)) metadata = parsed;
      } catch {
        // Unparseable per-image metadata: the images are still usable without it.
      }
      const blocks: Block[] = [];
      const positions = Math.max(images.length, texts.length);
      for (let i = 0; i < positions; i++) {
        const text = texts[i];
        const image = images[i];
        if (typeof text === 'string') {
          blocks.push({ kind: 'text', text });
          continue;
        }
        if (image === null || image === undefined) continue;
        const meta = (metadata[i] ?? {}) as Record<string, unknown>;
        const src =
          optionalString(meta.src) ??
          (typeof image === 'string' ? image : (optionalString((image as { path?: unknown }).path) ?? ''));
        const block: Extract<Block, { kind: 'image' }> = { kind: 'image', src };
        if (optionalString(meta.alt_text) !== undefined) block.alt = meta.alt_text as string;
        if (optionalString(meta.title) !== undefined) block.title = meta.title as string;
        if (optionalString(meta.caption) !== undefined) block.caption = meta.caption as string;
        if (meta.rendered_width !== undefined && meta.rendered_width !== null)
          block.renderedWidth = String(meta.rendered_width);
        if (meta.rendered_height !== undefined && meta.rendered_height !== null)
          block.renderedHeight = String(meta.rendered_height);
        if (isImageCell(image)) {
          const known: Record<string, unknown> = { source: src };
          if (optionalNumber(meta.original_width)) known.widthPx = meta.original_width;
          if (optionalNumber(meta.original_height)) known.heightPx = meta.original_height;
          if (optionalString(meta.format)) known.format = meta.format;
          if (optionalString(meta.sha256)) known.sha256 = meta.sha256;
          if (optionalString(meta.phash)) known.phash = meta.phash;
          const value = await fromImageCell(image, known);
          if (value) block.image = value;
        }
        const extra = Object.fromEntries(Object.entries(meta).filter(([k]) => !KNOWN_IMAGE_KEYS.has(k)));
        if (Object.keys(extra).length > 0) block.extra = extra;
        blocks.push(block);
      }
      const general = parseJsonObject(row.general_metadata);
      const doc: WebDocument = { kind: 'web-document', url: optionalString(general.url) ?? '', blocks };
      if (optionalString(general.warc_filename) !== undefined) {
        doc.warc = {
          filename: general.warc_filename as string,
          offset: optionalNumber(general.warc_record_offset) ?? 0,
          length: optionalNumber(general.warc_record_length) ?? 0,
        };
      }
      if (optionalString(general.crawl_date)) doc.crawlDate = general.crawl_date as string;
      if (optionalString(general.title) !== undefined) doc.title = general.title as string;
      if (optionalString(general.language)) doc.language = general.language as string;
      if (optionalNumber(general.language_score) !== undefined)
        doc.languageScore = general.language_score as number;
      const known = new Set([
        'url',
        'warc_filename',
        'warc_record_offset',
        'warc_record_length',
        'crawl_date',
        'title',
        'language',
        'language_score',
      ]);
      const extra = Object.fromEntries(Object.entries(general).filter(([k]) => !known.has(k)));
      if (Object.keys(extra).length > 0) doc.extra = extra;
      const scores = scoresFromRow(row);
      if (scores) doc.scores = scores;
      return doc;
    },
  };
}
