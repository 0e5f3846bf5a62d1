import type { Features } from '../features.js';
import { crawlLogLayout } from './crawl-log.js';
import { imageTextPairsLayout } from './image-text-pairs.js';
import type { DatasetLayout, LayoutName } from './layout.js';
import { pdfPagesLayout } from './pdf-pages.js';
import { sftSamplesLayout } from './sft-samples.js';
import { webDocumentsLayout } from './web-documents.js';

export * from './crawl-log.js';
export * from './image-cell.js';
export * from './image-text-pairs.js';
export * from './layout.js';
export * from './pdf-pages.js';
export * from './sft-samples.js';
export * from './web-documents.js';

/**
 * Picks the layout that reads a dataset: by the name weft stored, else by its columns, so datasets
 * written by Python (`save_to_disk`) in the OBELICS, Cauldron or img2dataset shapes are readable too.
 */
export function layoutForDataset(
  features: Features,
  storedName?: string,
): DatasetLayout<unknown> | undefined {
  const has = (...names: string[]) => names.every((n) => n in features);
  const name: LayoutName | undefined =
    storedName === 'web-documents' ||
    storedName === 'image-text-pairs' ||
    storedName === 'pdf-pages' ||
    storedName === 'sft-samples' ||
    storedName === 'crawl-log'
      ? storedName
      : has('images', 'texts', 'general_metadata')
        ? 'web-documents'
        : has('images', 'texts')
          ? 'sft-samples'
          : has('image', 'page', 'text')
            ? 'pdf-pages'
            : has('image') || has('url', 'caption')
              ? 'image-text-pairs'
              : has('url', 'status', 'warc_filename')
                ? 'crawl-log'
                : undefined;
  const scoreNames = Object.keys(features)
    .filter((k) => k.endsWith('_score'))
    .map((k) => k.slice(0, -'_score'.length));
  switch (name) {
    case 'web-documents': {
      const images = features.images;
      const isBytes = images?.type === 'list' && images.item.type === 'image';
      return webDocumentsLayout({ images: isBytes ? 'bytes' : 'urls', scoreNames }) as DatasetLayout<unknown>;
    }
    case 'image-text-pairs':
      return imageTextPairsLayout({ scoreNames }) as DatasetLayout<unknown>;
    case 'pdf-pages':
      return pdfPagesLayout({ scoreNames }) as DatasetLayout<unknown>;
    case 'sft-samples':
      return sftSamplesLayout({ withText: 'text' in features, scoreNames }) as DatasetLayout<unknown>;
    case 'crawl-log':
      return crawlLogLayout() as DatasetLayout<unknown>;
    default:
      return undefined;
  }
}
