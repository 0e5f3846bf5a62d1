// The `web` job: WARC files → interleaved web documents (OBELICS layout, images as URLs). One task per
// WARC file; each task streams its file once: read records → decode HTML → extract documents.
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { glob } from 'tinyglobby';
import { z } from 'zod';
import { webDocumentsLayout } from '../dataset/layouts/web-documents.js';
import { WeftError } from '../errors.js';
import { defineJob } from '../run/job.js';
import { decodeHtml } from './decode-html.js';
import { extractDocuments } from './extract-documents.js';
import { readWarc } from './read-warc.js';

export const WebOptions = z.strictObject({
  /** WARC/ARC files, directories (searched for *.warc[.gz], *.arc[.gz]) or glob patterns. */
  inputs: z.array(z.string().min(1)).min(1),
  /** WARC records with a larger block are skipped as `record_too_large`. */
  maxRecordBytes: z
    .number()
    .int()
    .positive()
    .default(64 << 20),
  /** Cap on a page body after content-encoding is undone (gzip bombs stop here). */
  maxBodyBytes: z
    .number()
    .int()
    .positive()
    .default(16 << 20),
  /** Pages with more HTML characters than this are skipped as `html_too_large`. */
  maxHtmlChars: z
    .number()
    .int()
    .positive()
    .default(8 << 20),
  /** Documents with less text than this and no image are `no_content`. */
  minTextChars: z.number().int().nonnegative().default(1),
});
export type WebOptions = z.output<typeof WebOptions>;

const WARC_GLOB = '**/*.{warc,arc,warc.gz,arc.gz,warc.lz4,WARC,ARC,WARC.GZ,ARC.GZ}';

/** Expands the inputs to a sorted, de-duplicated list of absolute file paths. */
export async function expandWarcInputs(inputs: readonly string[], cwd = process.cwd()): Promise<string[]> {
  const files = new Set<string>();
  for (const input of inputs) {
    const path = resolve(cwd, input);
    const info = await stat(path).catch(() => undefined);
    let matched: string[];
    if (info?.isFile()) matched = [path];
    else if (info?.isDirectory())
      matched = await glob(WARC_GLOB, { cwd: path, absolute: true, onlyFiles: true });
    else matched = await glob(input, { cwd, absolute: true, onlyFiles: true });
    if (matched.length === 0) {
      throw new WeftError(
        'E_INPUT',
        `no WARC files match "${input}" (a file, a directory or a glob is allowed)`,
        {
          data: { input },
        },
      );
    }
    for (const file of matched) files.add(resolve(file));
  }
  return [...files].sort();
}

export const webJob = defineJob({
  name: 'web',
  description: 'Interleaved web documents (OBELICS layout) from WARC files',
  options: WebOptions,
  async planTasks(options) {
    const files = await expandWarcInputs(options.inputs);
    return files.map((path) => ({ label: path.split('/').pop() ?? path, input: { path } }));
  },
  layout: () => webDocumentsLayout({ images: 'urls' }),
  buildPipeline(options, task) {
    const { path } = task.input as { path: string };
    return {
      source: readWarc({ path, maxRecordBytes: options.maxRecordBytes }),
      stages: [
        decodeHtml({ maxBodyBytes: options.maxBodyBytes }),
        extractDocuments({ maxHtmlChars: options.maxHtmlChars, minTextChars: options.minTextChars }),
      ],
    };
  },
});
