// URL lists as inputs (img2dataset's input formats): `.txt` (one URL a line), `.csv` / `.tsv` (a header
// row; a URL column and optionally a caption column, other columns kept as metadata) and `.jsonl`
// (objects with the same fields). Tasks are byte ranges that end on record boundaries, found in one
// scan at planning time, so a task reads only its own slice of a large list.
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { extname } from 'node:path';
import { createInterface } from 'node:readline';
import { WeftError } from '../errors.js';

export type UrlListFormat = 'txt' | 'csv' | 'tsv' | 'jsonl';

export interface UrlListRange {
  start: number;
  end: number;
  /** Column names (csv/tsv). */
  header?: string[];
}

export interface UrlListEntry {
  url: string;
  caption?: string;
  /** Other columns or fields, kept as the record's metadata. */
  extra?: Record<string, unknown>;
}

export function urlListFormat(path: string): UrlListFormat | undefined {
  const ext = extname(path).toLowerCase();
  if (ext === '.txt' || ext === '.lst') return 'txt';
  if (ext === '.csv') return 'csv';
  if (ext === '.tsv') return 'tsv';
  if (ext === '.jsonl' || ext === '.ndjson') return 'jsonl';
  return undefined;
}

/** Splits one CSV/TSV record into fields (RFC 4180 quoting: "a, b" and "" for a quote). */
export function splitDelimited(line: string, delimiter: string): string[] {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"' && field === '') quoted = true;
    else if (c === delimiter) {
      fields.push(field);
      field = '';
    } else field += c;
  }
  fields.push(field);
  return fields.map((f) => f.replace(/\r$/, ''));
}

/** Counts quote characters: a record continues on the next line while the count is odd. */
function quoteCount(line: string): number {
  let n = 0;
  for (let i = line.indexOf('"'); i >= 0; i = line.indexOf('"', i + 1)) n++;
  return n;
}

/** Reads the records (logical lines: CSV fields may hold newlines) of a byte range. */
async function* records(path: string, range: { start: number; end: number }, quoted: boolean) {
  if (range.end <= range.start) return;
  const lines = createInterface({
    input: createReadStream(path, { start: range.start, end: range.end - 1, encoding: 'utf8' }),
    crlfDelay: Number.POSITIVE_INFINITY,
  });
  let pending = '';
  let quotes = 0;
  for await (const line of lines) {
    pending = pending ? `${pending}\n${line}` : line;
    if (quoted) {
      quotes += quoteCount(line);
      if (quotes % 2 === 1) continue;
    }
    yield pending;
    pending = '';
    quotes = 0;
  }
  if (pending) yield pending;
}

/**
 * Plans tasks over a URL list: ranges of about `perTask` records each. CSV/TSV ranges start after
 * the header row, which every range carries.
 */
export async function planUrlList(
  path: string,
  format: UrlListFormat,
  perTask: number,
): Promise<UrlListRange[]> {
  const handle = await open(path, 'r').catch((error: NodeJS.ErrnoException) => {
    throw new WeftError('E_INPUT', `cannot read URL list ${path}: ${error.message}`, {
      data: { path },
      cause: error,
    });
  });
  const quoted = format === 'csv' || format === 'tsv';
  const buffer = Buffer.alloc(1 << 20);
  const ranges: UrlListRange[] = [];
  let header: string[] | undefined;
  const headerBytes: number[] = [];
  let position = 0;
  let recordStart = 0;
  let rangeStart = 0;
  let count = 0;
  let inQuotes = false;
  let lineHasText = false;
  try {
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, position);
      if (bytesRead === 0) break;
      for (let i = 0; i < bytesRead; i++) {
        const byte = buffer[i]!;
        if (quoted && byte === 0x22) inQuotes = !inQuotes;
        if (byte !== 0x0a || inQuotes) {
          if (byte !== 0x0d && byte !== 0x20) lineHasText = true;
          if (quoted && !header) headerBytes.push(byte);
          continue;
        }
        const end = position + i + 1;
        if (quoted && !header) {
          header = splitDelimited(
            Buffer.from(headerBytes).toString('utf8').trim(),
            format === 'tsv' ? '\t' : ',',
          );
          rangeStart = end;
        } else if (lineHasText) {
          count += 1;
          if (count % perTask === 0) {
            ranges.push({ start: rangeStart, end, ...(header ? { header } : {}) });
            rangeStart = end;
          }
        }
        recordStart = end;
        lineHasText = false;
      }
      position += bytesRead;
    }
  } finally {
    await handle.close();
  }
  if (quoted && !header) {
    throw new WeftError('E_INPUT', `${path}: a ${format} URL list needs a header row (e.g. "url,caption")`, {
      data: { path },
    });
  }
  if (recordStart < position || rangeStart < position) {
    ranges.push({ start: rangeStart, end: position, ...(header ? { header } : {}) });
  }
  return ranges.filter((r) => r.end > r.start);
}

export interface UrlListFields {
  urlField: string;
  captionField: string;
}

/** The entries of one range; malformed records are reported through `onBad` and skipped. */
export async function* readUrlList(
  path: string,
  format: UrlListFormat,
  range: UrlListRange,
  fields: UrlListFields,
  onBad: (reason: 'unparseable_record' | 'missing_url') => void,
): AsyncGenerator<UrlListEntry> {
  const delimiter = format === 'tsv' ? '\t' : ',';
  for await (const text of records(path, range, format === 'csv' || format === 'tsv')) {
    const line = text.trim();
    if (line === '') continue;
    if (format === 'txt') {
      if (!line.startsWith('#')) yield { url: line };
      continue;
    }
    let object: Record<string, unknown>;
    if (format === 'jsonl') {
      try {
        const parsed = JSON.parse(line) as unknown;
        if (typeof parsed === 'string') {
          yield { url: parsed };
          continue;
        }
        if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
        object = parsed as Record<string, unknown>;
      } catch {
        onBad('unparseable_record');
        continue;
      }
    } else {
      const values = splitDelimited(text, delimiter);
      object = Object.fromEntries((range.header ?? []).map((name, i) => [name, values[i] ?? '']));
    }
    const url = object[fields.urlField];
    if (typeof url !== 'string' || url.trim() === '') {
      onBad('missing_url');
      continue;
    }
    const caption = object[fields.captionField];
    const extra = Object.fromEntries(
      Object.entries(object).filter(([k]) => k !== fields.urlField && k !== fields.captionField),
    );
    yield {
      url: url.trim(),
      ...(typeof caption === 'string' ? { caption } : {}),
      ...(Object.keys(extra).length > 0 ? { extra } : {}),
    };
  }
}
