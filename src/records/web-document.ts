// An interleaved web document (OBELICS style): text and image blocks in page order, with provenance.
import { z } from 'zod';
import { ImageValue } from './image.js';

export const TextBlock = z.object({
  kind: z.literal('text'),
  text: z.string(),
});

export const ImageBlock = z.object({
  kind: z.literal('image'),
  /** Absolute image URL as found in the page (resolved against the page and `<base href>`). */
  src: z.string(),
  alt: z.string().optional(),
  title: z.string().optional(),
  caption: z.string().optional(),
  /** Rendered size from the HTML attributes, as written there (e.g. "640" or "100%"). */
  renderedWidth: z.string().optional(),
  renderedHeight: z.string().optional(),
  /** Present once the image has been downloaded. */
  image: ImageValue.optional(),
  /** Extra per-image metadata that ends up in the OBELICS `metadata` JSON. */
  extra: z.record(z.string(), z.unknown()).optional(),
});

export const Block = z.discriminatedUnion('kind', [TextBlock, ImageBlock]);
export type TextBlock = z.infer<typeof TextBlock>;
export type ImageBlock = z.infer<typeof ImageBlock>;
export type Block = z.infer<typeof Block>;

export const WarcPointer = z.object({
  filename: z.string(),
  offset: z.number().int().nonnegative(),
  length: z.number().int().nonnegative(),
});
export type WarcPointer = z.infer<typeof WarcPointer>;

export const Scores = z.record(z.string(), z.number().nullable());
export type Scores = z.infer<typeof Scores>;

export const WebDocument = z.object({
  kind: z.literal('web-document'),
  url: z.string(),
  blocks: z.array(Block),
  title: z.string().optional(),
  /** ISO 639 code from language identification, with its confidence in [0, 1]. */
  language: z.string().optional(),
  languageScore: z.number().optional(),
  warc: WarcPointer.optional(),
  /** Crawl date as an ISO 8601 string (WARC-Date). */
  crawlDate: z.string().optional(),
  /** Model scores keyed by scorer name; null means "could not be scored". */
  scores: Scores.optional(),
  extra: z.record(z.string(), z.unknown()).optional(),
});
export type WebDocument = z.infer<typeof WebDocument>;
