// Options of the `images` job (what `weft images` builds from its flags; a --config file may set any).
import { z } from 'zod';
import { FetchOptions } from '../fetch/fetch-options.js';
import { DEFAULT_OPT_OUT_DIRECTIVES } from '../fetch/opt-out.js';
import { ImageProcessOptions } from './image-options.js';

export const ImagesOptions = z.strictObject({
  /** A weft/`datasets` directory (web documents or image–text pairs), or a URL list file. */
  input: z.string().min(1),
  inputFormat: z.enum(['auto', 'dataset', 'txt', 'csv', 'tsv', 'jsonl']).default('auto'),
  /** URL lists: the URL and caption columns (csv/tsv) or fields (jsonl). */
  urlColumn: z.string().default('url'),
  captionColumn: z.string().default('caption'),
  /** URL lists: records per task. */
  urlsPerTask: z.number().int().positive().default(10_000),
  /** Largest download accepted, before and after Content-Encoding is removed. */
  maxImageBytes: z.number().int().positive().default(20_000_000),
  /** X-Robots-Tag directives that refuse an image (img2dataset's list by default). */
  optOutDirectives: z.array(z.string()).default([...DEFAULT_OPT_OUT_DIRECTIVES]),
  /** Images decoded at once per task (memory bound: each may be up to maxPixels). */
  decodeConcurrency: z.number().int().positive().max(64).default(2),
  /** Retry runs: only URLs listed in this failures file (with one of `onlyReasons`, if given). */
  onlyUrlsFrom: z.string().optional(),
  onlyReasons: z.array(z.string()).optional(),
  fetch: FetchOptions.prefault({}),
  image: ImageProcessOptions.prefault({}),
});
export type ImagesOptions = z.output<typeof ImagesOptions>;
