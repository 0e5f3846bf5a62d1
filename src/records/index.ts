export * from './crawl-log.js';
export * from './image.js';
export * from './image-text-pair.js';
export * from './pdf-page.js';
export * from './sft-sample.js';
export * from './web-document.js';

import type { z } from 'zod';
import { CrawlLogEntry } from './crawl-log.js';
import { ImageTextPair } from './image-text-pair.js';
import { PdfPage } from './pdf-page.js';
import { SftSample } from './sft-sample.js';
import { WebDocument } from './web-document.js';

/** The content record kinds (what datasets for training hold; each can carry model scores). */
export type AnyRecord = WebDocument | ImageTextPair | PdfPage | SftSample;

/** Every record kind a weft dataset can hold, including the crawl log of `weft crawl`. */
export type AnyDatasetRecord = AnyRecord | CrawlLogEntry;

const SCHEMAS: Record<AnyDatasetRecord['kind'], z.ZodType> = {
  'web-document': WebDocument,
  'image-text-pair': ImageTextPair,
  'pdf-page': PdfPage,
  'sft-sample': SftSample,
  'crawl-log-entry': CrawlLogEntry,
};

/**
 * What is wrong with a record, checked against the schema of its `kind` ("blocks.3.image.sha256: …"),
 * or undefined when it is valid. Values of other kinds (a stage's own intermediate items) pass.
 */
export function recordProblem(value: unknown): string | undefined {
  const kind = (value as { kind?: unknown } | null)?.kind;
  const schema = typeof kind === 'string' ? SCHEMAS[kind as AnyDatasetRecord['kind']] : undefined;
  if (!schema) return undefined;
  const result = schema.safeParse(value);
  if (result.success) return undefined;
  const issue = result.error.issues[0]!;
  return `${issue.path.join('.') || '(record)'}: ${issue.message}`;
}
