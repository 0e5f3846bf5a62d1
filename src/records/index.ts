export * from './crawl-log.js';
export * from './image.js';
export * from './image-text-pair.js';
export * from './pdf-page.js';
export * from './sft-sample.js';
export * from './web-document.js';

import type { CrawlLogEntry } from './crawl-log.js';
import type { ImageTextPair } from './image-text-pair.js';
import type { PdfPage } from './pdf-page.js';
import type { SftSample } from './sft-sample.js';
import type { WebDocument } from './web-document.js';

/** The content record kinds (what datasets for training hold; each can carry model scores). */
export type AnyRecord = WebDocument | ImageTextPair | PdfPage | SftSample;

/** Every record kind a weft dataset can hold, including the crawl log of `weft crawl`. */
export type AnyDatasetRecord = AnyRecord | CrawlLogEntry;
