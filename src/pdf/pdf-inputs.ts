// Where PDFs come from. Every source yields `PdfInput`s (bytes plus a source name), so files, URL
// downloads and WARC records all feed the same stages. Files, directories and globs are expanded here,
// once and in sorted order, so a run's task plan is deterministic.
import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { glob, isDynamicPattern } from 'tinyglobby';
import { WeftError } from '../errors.js';
import { type UrlListFormat, urlListFormat } from '../images/url-list.js';
import type { Source } from '../pipeline/stage.js';

/** One PDF to process: its bytes and where they came from (path, URL or WARC record). */
export interface PdfInput {
  source: string;
  bytes: Uint8Array;
}

export interface PdfFileRef {
  path: string;
  sizeBytes: number;
}

const isUrl = (input: string) => /^[a-z][a-z0-9+.-]*:\/\//i.test(input);

async function statOrUndefined(path: string) {
  try {
    return await stat(path);
  } catch {
    return undefined;
  }
}

export interface ExpandedInputs {
  pdfs: PdfFileRef[];
  /** WARC files (`.warc`, `.warc.gz`) named directly or by a glob: scanned for PDF responses. */
  warcs: string[];
  /** URL lists (`.txt`, `.csv`, `.tsv`, `.jsonl`) named directly or by a glob: their PDFs are fetched. */
  urlLists: Array<{ path: string; format: UrlListFormat }>;
}

const isWarc = (path: string) => /\.warc(\.gz)?$/i.test(path);

/**
 * Files, directories (every *.pdf below, any case) and globs → unique absolute paths, sorted. Files
 * named *.warc or *.warc.gz are WARC inputs, *.txt/.csv/.tsv/.jsonl are URL lists; any other file is
 * taken as a PDF whatever its name.
 */
export async function expandInputs(inputs: readonly string[], cwd = process.cwd()): Promise<ExpandedInputs> {
  const paths = new Set<string>();
  for (const input of inputs) {
    if (isUrl(input)) {
      throw new WeftError(
        'E_INPUT',
        `input "${input}" is a URL: put URLs in a list file (.txt, .csv, .tsv or .jsonl) and pass that`,
        { data: { input } },
      );
    }
    const direct = await statOrUndefined(resolve(cwd, input));
    let matched: string[];
    if (direct?.isFile()) matched = [resolve(cwd, input)];
    else if (direct?.isDirectory()) {
      matched = await glob('**/*.pdf', {
        cwd: resolve(cwd, input),
        absolute: true,
        onlyFiles: true,
        caseSensitiveMatch: false,
        followSymbolicLinks: false,
      });
    } else if (isDynamicPattern(input)) {
      matched = await glob(input, { cwd, absolute: true, onlyFiles: true, followSymbolicLinks: false });
    } else {
      throw new WeftError(
        'E_INPUT',
        `input "${input}" does not exist (expected a PDF or WARC file, a directory or a glob)`,
        { data: { input } },
      );
    }
    if (matched.length === 0) {
      throw new WeftError('E_INPUT', `input "${input}" matches no PDF files`, { data: { input } });
    }
    for (const path of matched) paths.add(resolve(path));
  }
  const pdfs: PdfFileRef[] = [];
  const warcs: string[] = [];
  const urlLists: ExpandedInputs['urlLists'] = [];
  for (const path of [...paths].sort()) {
    if (isWarc(path)) {
      warcs.push(path);
      continue;
    }
    const format = urlListFormat(path);
    if (format) {
      urlLists.push({ path, format });
      continue;
    }
    const info = await statOrUndefined(path);
    pdfs.push({ path, sizeBytes: info?.size ?? 0 });
  }
  return { pdfs, warcs, urlLists };
}

/** Splits the sorted file list into tasks of at most `filesPerTask` files. */
export function groupFiles(files: readonly PdfFileRef[], filesPerTask: number): PdfFileRef[][] {
  const groups: PdfFileRef[][] = [];
  for (let i = 0; i < files.length; i += filesPerTask) groups.push(files.slice(i, i + filesPerTask));
  return groups;
}

/** Reads PDF files; too-large, unreadable and empty files are counted drops (checked before reading). */
export function pdfFileSource(paths: readonly string[], options: { maxFileBytes: number }): Source<PdfInput> {
  return {
    name: 'read-pdfs',
    async *read(ctx) {
      for (const path of paths) {
        ctx.stats.count('files');
        const info = await statOrUndefined(path);
        if (!info?.isFile()) {
          ctx.stats.drop('unreadable_file');
          ctx.log.warn(`cannot read ${path}: not a file any more`);
          continue;
        }
        if (info.size > options.maxFileBytes) {
          ctx.stats.drop('file_too_large');
          continue;
        }
        if (info.size === 0) {
          ctx.stats.drop('empty_file');
          continue;
        }
        let bytes: Uint8Array;
        try {
          bytes = await readFile(path);
        } catch (error) {
          ctx.stats.drop('unreadable_file');
          ctx.log.warn(`cannot read ${path}: ${(error as Error).message}`);
          continue;
        }
        ctx.stats.count('bytes', bytes.byteLength);
        yield { source: path, bytes };
      }
    },
  };
}

/** A source over PDFs that arrive as bytes from elsewhere (downloads, WARC records, tests). */
export function pdfBytesSource(
  name: string,
  inputs: Iterable<PdfInput> | AsyncIterable<PdfInput>,
): Source<PdfInput> {
  return {
    name,
    async *read(ctx) {
      for await (const input of inputs) {
        ctx.stats.count('files');
        yield input;
      }
    },
  };
}
