// What dedup reads from each record kind: its text, its URL, its crawl date and its images. Web
// documents have many images (nodes); image-text pairs and PDF pages have one (the record itself).
import type { ImageValue } from '../records/image.js';
import type { AnyRecord } from '../records/index.js';
import type { ImageBlock, WebDocument } from '../records/web-document.js';

export function isWebDocument(record: AnyRecord): record is WebDocument {
  return record.kind === 'web-document';
}

export function textOf(record: AnyRecord): string {
  switch (record.kind) {
    case 'web-document':
      return record.blocks
        .filter((b) => b.kind === 'text')
        .map((b) => b.text)
        .join('\n\n');
    case 'image-text-pair':
      return record.caption;
    case 'pdf-page':
      return record.text;
    case 'sft-sample':
      return record.turns.map((t) => `${t.user}\n${t.assistant}`).join('\n');
  }
}

export function urlOf(record: AnyRecord): string | undefined {
  switch (record.kind) {
    case 'web-document':
    case 'image-text-pair':
      return record.url || undefined;
    case 'pdf-page':
      return `${record.source}#page=${record.page}`;
    default:
      return undefined;
  }
}

/** The URL as a dedup key: fragment dropped, scheme and host lowercased (URL parsing normalizes them). */
export function normalizedUrl(url: string): string {
  try {
    const u = new URL(url);
    u.hash = '';
    return u.href;
  } catch {
    return url.trim();
  }
}

/** Crawl time in ms since the epoch, for "keep the latest crawl"; -Infinity when unknown. */
export function crawlTimeOf(record: AnyRecord): number {
  if (record.kind !== 'web-document' || !record.crawlDate) return Number.NEGATIVE_INFINITY;
  const t = Date.parse(record.crawlDate);
  return Number.isFinite(t) ? t : Number.NEGATIVE_INFINITY;
}

export interface RecordImage {
  src: string;
  image: ImageValue | undefined;
}

/** The record's images in order (web documents: image nodes; pairs and pages: their one image). */
export function imagesOf(record: AnyRecord): RecordImage[] {
  switch (record.kind) {
    case 'web-document':
      return record.blocks
        .filter((b): b is ImageBlock => b.kind === 'image')
        .map((b) => ({ src: b.src, image: b.image }));
    case 'image-text-pair':
      return [{ src: record.url, image: record.image }];
    case 'pdf-page':
      return [{ src: `${record.source}#page=${record.page}`, image: record.image }];
    default:
      return record.images.map((image, i) => ({ src: image.source ?? String(i), image }));
  }
}

/** Removes a web document's image nodes by their ordinal among its images. */
export function withoutImages(doc: WebDocument, ordinals: ReadonlySet<number>): WebDocument {
  let ordinal = -1;
  const blocks = doc.blocks.filter((b) => {
    if (b.kind !== 'image') return true;
    ordinal += 1;
    return !ordinals.has(ordinal);
  });
  return { ...doc, blocks };
}

export function domainOf(url: string): string {
  try {
    return new URL(url).hostname.toLowerCase();
  } catch {
    return '';
  }
}
