// One rendered PDF page with the text on it (OCR-style pretraining data).
import { z } from 'zod';
import { ImageValue } from './image.js';
import { Scores } from './web-document.js';

/** A word or line with its box in normalized page coordinates (0..1, origin top-left). */
export const PositionedText = z.object({
  text: z.string(),
  x0: z.number(),
  y0: z.number(),
  x1: z.number(),
  y1: z.number(),
});
export type PositionedText = z.infer<typeof PositionedText>;

export const PdfMetadata = z.object({
  title: z.string().optional(),
  author: z.string().optional(),
  language: z.string().optional(),
  creator: z.string().optional(),
  producer: z.string().optional(),
});
export type PdfMetadata = z.infer<typeof PdfMetadata>;

export const PdfPage = z.object({
  kind: z.literal('pdf-page'),
  /** Path or URL of the PDF. */
  source: z.string(),
  /** 1-based page number. */
  page: z.number().int().positive(),
  pageCount: z.number().int().positive(),
  image: ImageValue,
  /** Page text in reading order. */
  text: z.string(),
  words: z.array(PositionedText),
  /** True when the text layer is missing or too thin to trust. */
  needsOcr: z.boolean(),
  metadata: PdfMetadata,
  scores: Scores.optional(),
});
export type PdfPage = z.infer<typeof PdfPage>;
