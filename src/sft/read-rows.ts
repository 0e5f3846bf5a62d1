// Raw rows of one SFT input file (JSONL, JSON array, CSV/TSV, or one Arrow shard of a dataset), each
// with the line (or row number) it starts at, so every problem can be reported as `file:line`.
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { parse as parseCsv } from 'csv-parse';
import { readArrowFileRows } from '../dataset/dataset-reader.js';
import { WeftError } from '../errors.js';

export type FileType = 'jsonl' | 'json' | 'csv' | 'dataset';

export interface RawRow {
  /** 1-based line where the row starts (JSONL, JSON, CSV), or 1-based row number in a dataset shard. */
  line: number;
  value?: Record<string, unknown>;
  /** Set when the row could not be parsed at all. */
  problem?: { reason: string; message: string };
}

export function inferFileType(path: string): FileType | undefined {
  const lower = path.toLowerCase();
  if (lower.endsWith('.jsonl') || lower.endsWith('.ndjson')) return 'jsonl';
  if (lower.endsWith('.json')) return 'json';
  if (lower.endsWith('.csv') || lower.endsWith('.tsv')) return 'csv';
  return undefined;
}

function asObject(value: unknown, line: number): RawRow {
  if (value !== null && typeof value === 'object' && !Array.isArray(value))
    return { line, value: value as Record<string, unknown> };
  return { line, problem: { reason: 'row_not_an_object', message: 'the row is not a JSON object' } };
}

async function* jsonlRows(file: string): AsyncGenerator<RawRow> {
  const lines = createInterface({
    input: createReadStream(file, { encoding: 'utf8' }),
    crlfDelay: Number.POSITIVE_INFINITY,
  });
  let line = 0;
  for await (const text of lines) {
    line += 1;
    if (text.trim() === '') continue;
    try {
      yield asObject(JSON.parse(text), line);
    } catch (error) {
      yield { line, problem: { reason: 'bad_json', message: `invalid JSON: ${(error as Error).message}` } };
    }
  }
}

/**
 * Splits a top-level JSON array into its elements' source text and starting lines (a small scanner that
 * tracks strings and nesting), so one broken element is one bad row, and its line is known.
 */
export function* splitJsonArray(text: string): Generator<{ line: number; text: string }> {
  let i = 0;
  let line = 1;
  const skipSpace = () => {
    while (i < text.length && /\s/.test(text[i]!)) {
      if (text[i] === '\n') line += 1;
      i += 1;
    }
  };
  if (text.charCodeAt(0) === 0xfeff) i = 1;
  skipSpace();
  if (text[i] !== '[') throw new Error('the file is not a JSON array (expected "[" first)');
  i += 1;
  for (;;) {
    skipSpace();
    if (i >= text.length) throw new Error('unexpected end of file inside the top-level array');
    if (text[i] === ']') return;
    const start = i;
    const startLine = line;
    let depth = 0;
    let inString = false;
    for (; i < text.length; i++) {
      const c = text[i]!;
      if (c === '\n') line += 1;
      if (inString) {
        if (c === '\\') i += 1;
        else if (c === '"') inString = false;
        continue;
      }
      if (c === '"') inString = true;
      else if (c === '{' || c === '[') depth += 1;
      else if (c === '}' || c === ']') {
        if (depth === 0) break;
        depth -= 1;
      } else if (c === ',' && depth === 0) break;
    }
    yield { line: startLine, text: text.slice(start, i) };
    if (text[i] === ',') i += 1;
  }
}

async function* jsonArrayRows(file: string): AsyncGenerator<RawRow> {
  const text = await readFile(file, 'utf8');
  let elements: Generator<{ line: number; text: string }>;
  try {
    elements = splitJsonArray(text);
    for (const element of elements) {
      try {
        yield asObject(JSON.parse(element.text), element.line);
      } catch (error) {
        yield {
          line: element.line,
          problem: { reason: 'bad_json', message: `invalid JSON: ${(error as Error).message}` },
        };
      }
    }
  } catch (error) {
    throw new WeftError('E_INPUT', `${file}: ${(error as Error).message}`, { data: { path: file } });
  }
}

async function* csvRows(file: string): AsyncGenerator<RawRow> {
  const parser = createReadStream(file).pipe(
    parseCsv({
      columns: true,
      info: true,
      raw: true,
      bom: true,
      delimiter: file.toLowerCase().endsWith('.tsv') ? '\t' : ',',
      skip_empty_lines: true,
      relax_column_count: true,
    }),
  );
  try {
    for await (const item of parser as AsyncIterable<{
      record: Record<string, string>;
      raw: string;
      info: { lines: number };
    }>) {
      // `info.lines` is the line the record ends on; a record with newlines inside started earlier.
      const inside = (item.raw.match(/\n/g)?.length ?? 0) - (item.raw.endsWith('\n') ? 1 : 0);
      yield { line: item.info.lines - inside, value: item.record };
    }
  } catch (error) {
    const e = error as Error & { lines?: number };
    throw new WeftError('E_INPUT', `${file}${e.lines ? `:${e.lines}` : ''}: invalid CSV: ${e.message}`, {
      data: { path: file, line: e.lines },
      cause: error,
    });
  }
}

async function* datasetShardRows(file: string): AsyncGenerator<RawRow> {
  let line = 0;
  for await (const row of readArrowFileRows(file)) {
    line += 1;
    yield { line, value: row };
  }
}

/** Streams the raw rows of one input file of the given type. */
export function readRawRows(file: string, type: FileType): AsyncGenerator<RawRow> {
  switch (type) {
    case 'jsonl':
      return jsonlRows(file);
    case 'json':
      return jsonArrayRows(file);
    case 'csv':
      return csvRows(file);
    case 'dataset':
      return datasetShardRows(file);
  }
}
