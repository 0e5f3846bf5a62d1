// The records an `images` task reads: a shard of a documents/pairs dataset, or a slice of a URL list
// (each entry becomes an image–text pair). Both the URL-collecting phase and the main tasks use it.
import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { layoutOf, openDataset } from '../dataset/dataset-reader.js';
import { datasetShardSource, planDatasetTasks } from '../dataset/dataset-source.js';
import { WeftError } from '../errors.js';
import type { Source } from '../pipeline/stage.js';
import type { ImageTextPair, WebDocument } from '../records/index.js';
import type { TaskSpec } from '../run/job.js';
import type { ImagesOptions } from './images-options.js';
import {
  planUrlList,
  readUrlList,
  type UrlListFormat,
  type UrlListRange,
  urlListFormat,
} from './url-list.js';

export type ImagesRecord = WebDocument | ImageTextPair;
export type InputKind = 'documents' | 'pairs';

export function resolveInputFormat(options: ImagesOptions): 'dataset' | UrlListFormat {
  if (options.inputFormat !== 'auto') return options.inputFormat;
  if (!existsSync(options.input)) {
    throw new WeftError('E_INPUT', `input ${options.input} does not exist`, {
      data: { path: options.input },
    });
  }
  if (statSync(options.input).isDirectory()) return 'dataset';
  const format = urlListFormat(options.input);
  if (!format) {
    throw new WeftError(
      'E_INPUT',
      `cannot tell what ${options.input} is: give a dataset directory or a URL list ending in .txt, .csv, .tsv or .jsonl (or set inputFormat)`,
      { data: { path: options.input } },
    );
  }
  return format;
}

/** What the output holds: documents stay documents; pairs and URL lists become pairs. */
export async function inputKind(options: ImagesOptions): Promise<InputKind> {
  if (resolveInputFormat(options) !== 'dataset') return 'pairs';
  const layout = layoutOf(await openDataset(options.input));
  if (layout.name === 'web-documents') return 'documents';
  if (layout.name === 'image-text-pairs') return 'pairs';
  throw new WeftError(
    'E_INPUT',
    `${options.input} holds ${layout.name}; weft images reads web documents, image–text pairs or URL lists`,
    { data: { path: options.input } },
  );
}

export async function planImagesTasks(options: ImagesOptions): Promise<TaskSpec[]> {
  const format = resolveInputFormat(options);
  if (format === 'dataset') return planDatasetTasks(options.input);
  const ranges = await planUrlList(options.input, format, options.urlsPerTask);
  return ranges.map((range, i) => ({ label: `urls ${i} (bytes ${range.start}-${range.end})`, input: range }));
}

export async function imagesInputSource(
  options: ImagesOptions,
  task: TaskSpec,
): Promise<Source<ImagesRecord>> {
  const format = resolveInputFormat(options);
  if (format === 'dataset') {
    const handle = await openDataset(options.input);
    return datasetShardSource(handle, task.input as { file: string }) as Source<ImagesRecord>;
  }
  return {
    name: 'read-url-list',
    async *read(ctx) {
      const entries = readUrlList(
        options.input,
        format,
        task.input as UrlListRange,
        { urlField: options.urlColumn, captionField: options.captionColumn },
        (reason) => ctx.stats.drop(reason),
      );
      for await (const entry of entries) {
        const pair: ImageTextPair = {
          kind: 'image-text-pair',
          url: entry.url,
          caption: entry.caption ?? '',
          captionSource: 'caption-column',
        };
        if (entry.extra) pair.extra = entry.extra;
        yield pair;
      }
    },
  };
}

/** The image URLs of a record that still need downloading. */
export function urlsOf(record: ImagesRecord): string[] {
  if (record.kind === 'image-text-pair') return record.image ? [] : [record.url];
  return record.blocks.flatMap((b) => (b.kind === 'image' && !b.image && b.src ? [b.src] : []));
}

/** Retry runs: the URLs of a failures file, optionally only those failed for some reasons. */
export async function loadUrlFilter(options: ImagesOptions): Promise<Set<string> | undefined> {
  if (!options.onlyUrlsFrom) return undefined;
  const text = await readFile(options.onlyUrlsFrom, 'utf8').catch((error: Error) => {
    throw new WeftError('E_INPUT', `cannot read failures file ${options.onlyUrlsFrom}: ${error.message}`, {
      data: { path: options.onlyUrlsFrom },
    });
  });
  const reasons = options.onlyReasons ? new Set(options.onlyReasons) : undefined;
  const urls = new Set<string>();
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    const entry = JSON.parse(line) as { url?: string; reason?: string };
    if (typeof entry.url === 'string' && (!reasons || reasons.has(entry.reason ?? ''))) urls.add(entry.url);
  }
  return urls;
}
