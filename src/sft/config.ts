// The `weft sft` configuration (YAML or JSON), validated with zod: training sources and evaluation
// sets (each a file or dataset directory plus an adapter), decontamination, mixture, merging, template.
import { isAbsolute, resolve } from 'node:path';
import { z } from 'zod';

export const SOURCE_FORMATS = ['fields', 'caption', 'llava', 'sharegpt', 'openai', 'cauldron'] as const;
export const FILE_TYPES = ['jsonl', 'json', 'csv', 'dataset'] as const;

/** Field paths (dot notation, numeric segments index lists: `captions.0`). */
const FieldMapping = z.strictObject({
  question: z.string().optional(),
  answer: z.string().optional(),
  /** One image (path, URL, data: URI, or an `{bytes, path}` cell), or a list of them. */
  image: z.string().optional(),
  /** A list of images (same value kinds as `image`). */
  images: z.string().optional(),
  /** A caption string or a list of captions (caption format). */
  caption: z.string().optional(),
  /** A stable row id, used for provenance and seeded choices; defaults to file and line. */
  id: z.string().optional(),
});
export type FieldMapping = z.infer<typeof FieldMapping>;

/** Overrides for the conversation formats (the defaults follow each format's own convention). */
const ConversationKeys = z.strictObject({
  messages: z.string().optional(),
  role: z.string().optional(),
  content: z.string().optional(),
  images: z.string().optional(),
  userRoles: z.array(z.string()).min(1).optional(),
  assistantRoles: z.array(z.string()).min(1).optional(),
  systemRoles: z.array(z.string()).optional(),
});
export type ConversationKeys = z.infer<typeof ConversationKeys>;

export const DEFAULT_CAPTION_PROMPTS = [
  'Describe this image briefly.',
  'Write a short caption for this picture.',
  'What does this image show?',
  'Give a concise description of the image.',
  'Summarize the visual content of the image.',
  'Provide a one-sentence caption for the photo.',
  'What is shown in this picture?',
  'Describe the image in a sentence.',
];

export const SourceConfig = z.strictObject({
  /** Name stored in every turn's `source` and used in the per-source stats. */
  name: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'use letters, digits, _ . - (it becomes a stats key)'),
  /** A file (or several) or a weft / `datasets` directory. Relative paths are relative to the config file. */
  path: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]),
  /** Inferred from the extension (.jsonl/.ndjson, .json, .csv/.tsv) or a directory with state.json. */
  type: z.enum(FILE_TYPES).optional(),
  format: z.enum(SOURCE_FORMATS).default('fields'),
  fields: FieldMapping.default({}),
  conversation: ConversationKeys.default({}),
  /** Caption format: the instruction phrasings, one chosen per row from the seed and row id. */
  prompts: z.array(z.string().min(1)).min(1).optional(),
  /** Caption format, when a row has several captions: one (seeded pick) or all (one turn each). */
  captions: z.enum(['one', 'all']).default('one'),
  /** Folder image paths resolve against and may not leave (default: the source file's folder). */
  imageRoot: z.string().optional(),
  /** Relative weight: a source keeps round(rows × weight / max weight) rows (seeded sample). */
  weight: z.number().positive().max(1e6).default(1),
  /** Cap on rows taken from this source (The Cauldron capped each source at 200,000). */
  maxRows: z.number().int().positive().optional(),
});
export type SourceConfig = z.infer<typeof SourceConfig>;

export const SftOptions = z.strictObject({
  /** Folder relative paths are resolved against (`weft sft` sets it to the config file's folder). */
  baseDir: z.string().optional(),
  seed: z.number().int().default(0),
  /** Bad rows: `skip` drops each with a counted reason; `fail` stops the run before anything is written. */
  onError: z.enum(['skip', 'fail']).default('skip'),
  sources: z.array(SourceConfig).min(1),
  /** Evaluation sets (same adapters) that training rows are decontaminated against. */
  evaluation: z.array(SourceConfig).default([]),
  decontamination: z
    .strictObject({
      /** Drop training images within this pHash Hamming distance of an evaluation image; null: exact only. */
      phashMaxDistance: z.number().int().min(0).max(16).nullable().default(6),
      /** Word n-gram size for question overlap; false disables the question check. */
      ngram: z.union([z.number().int().min(1).max(32), z.literal(false)]).default(8),
      /** Drop when this share of a question's n-grams occur in evaluation questions. */
      overlapThreshold: z.number().gt(0).max(1).default(0.5),
    })
    .prefault({}),
  mixture: z
    .strictObject({
      /** Default cap on rows per source (The Cauldron: 200,000). */
      maxRowsPerSource: z.number().int().positive().default(200_000),
      /** Shuffle the conversations (seeded); false keeps input order. */
      shuffle: z.boolean().default(true),
    })
    .prefault({}),
  merge: z
    .strictObject({
      /** Rows about the same image (sha256 of the decoded pixels) become one conversation. */
      byImage: z.boolean().default(true),
      /** Turns per conversation; longer merged conversations are split into several rows. */
      maxTurns: z.number().int().positive().default(10),
    })
    .prefault({}),
  images: z
    .strictObject({
      /** Decoded size cap; larger images are refused before decoding (decompression bombs). */
      maxPixels: z.number().int().positive().default(100_000_000),
      /** Formats kept as they are (what PIL opens everywhere); others are refused with a reason. */
      formats: z
        .array(z.enum(['jpeg', 'png', 'webp', 'gif', 'tiff']))
        .min(1)
        .default(['jpeg', 'png', 'webp', 'gif', 'tiff']),
      /** Local copies of URL images, named by the sha256 of the URL (any extension). */
      urlCacheDir: z.string().optional(),
    })
    .prefault({}),
  /** Render each conversation as Idefics2 training text into a `text` column. */
  template: z
    .strictObject({
      format: z.literal('idefics2').default('idefics2'),
      /** `<image>` tokens per image (Idefics2: 64 after the perceiver resampler). */
      imageTokens: z.number().int().min(1).max(4096).default(64),
      /** Wrap each image's tokens in `<fake_token_around_image>` (adjacent images share one). */
      fakeTokenAroundImage: z.boolean().default(true),
      /** A local tokenizer.json for real token counts; without it counts are labelled estimates. */
      tokenizer: z.string().optional(),
    })
    .optional(),
});
export type SftOptions = z.output<typeof SftOptions>;
export type SftOptionsInput = z.input<typeof SftOptions>;

export function resolvePath(options: { baseDir?: string | undefined }, path: string): string {
  return isAbsolute(path) ? path : resolve(options.baseDir ?? process.cwd(), path);
}

export function sourcePaths(options: SftOptions, source: SourceConfig): string[] {
  return (Array.isArray(source.path) ? source.path : [source.path]).map((p) => resolvePath(options, p));
}
