// An image URL (and, once downloaded, its bytes) with one caption: the LAION / CC3M shape.
import { z } from 'zod';
import { ImageValue } from './image.js';
import { Scores } from './web-document.js';

export const CaptionSource = z.enum(['figcaption', 'alt', 'title', 'caption-column', 'generated']);
export type CaptionSource = z.infer<typeof CaptionSource>;

export const ImageTextPair = z.object({
  kind: z.literal('image-text-pair'),
  /** Image URL, or a file path for local inputs. */
  url: z.string(),
  caption: z.string(),
  captionSource: CaptionSource,
  /** The page the pair was found on, when it came from a web page. */
  pageUrl: z.string().optional(),
  image: ImageValue.optional(),
  scores: Scores.optional(),
  extra: z.record(z.string(), z.unknown()).optional(),
});
export type ImageTextPair = z.infer<typeof ImageTextPair>;
