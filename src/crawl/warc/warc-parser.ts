// Streaming WARC (1.1, 1.0, 0.18) and ARC v1 record parser over decoded bytes. Every record comes out
// with its type, headers, block and the file range that holds it; every broken one comes out as a
// named problem, and parsing resumes at the next record start whenever one can be found.
import type { DecodedEvent } from './decoded-chunks.js';
import { normalizeWarcDate } from './warc-date.js';
import { cleanUri, Input, isBlank, nextWarcStart, parseFields, WARC_MAGIC } from './warc-input.js';

export interface WarcRecord {
  format: 'warc' | 'arc';
  /** `WARC/1.0`, `WARC/0.18`…, or `ARC/1`. */
  version: string;
  /** Lower-case WARC-Type (`response`, `request`, `warcinfo`, …). ARC records are `response`/`warcinfo`. */
  type: string;
  /** Header fields by lower-case name. */
  headers: Record<string, string>;
  targetUri: string | undefined;
  /** WARC-Date as ISO 8601, when readable. */
  date: string | undefined;
  block: Buffer;
  /** Byte range to read back this record: the gzip member(s) holding it, or the plain record bytes. */
  offset: number;
  length: number;
  /** `uncompressed`: the record shares a gzip member with others, so the range is in the decoded stream. */
  offsetKind: 'file' | 'uncompressed';
}

export type WarcProblem =
  | 'truncated_record'
  | 'truncated_gzip_member'
  | 'corrupt_gzip_member'
  | 'truncated_lz4_frame'
  | 'corrupt_lz4_frame'
  | 'bad_warc_header'
  | 'bad_arc_header'
  | 'bad_record_length'
  | 'record_too_large'
  | 'garbage_between_records';

export type WarcEvent =
  | { kind: 'record'; record: WarcRecord }
  | { kind: 'problem'; reason: WarcProblem; offset: number };

export interface ParseOptions {
  /** Records with a larger block are skipped as `record_too_large` (the rest of the file still reads). */
  maxRecordBytes?: number;
  maxHeaderBytes?: number;
}

const CRLF2 = Buffer.from('\r\n\r\n');
const LF2 = Buffer.from('\n\n');

export async function* parseWarc(
  events: AsyncIterable<DecodedEvent>,
  options: ParseOptions = {},
): AsyncGenerator<WarcEvent> {
  const it = events[Symbol.asyncIterator]();
  try {
    yield* parseInput(new Input(it), options);
  } finally {
    // A consumer that stops early (a cancelled task) still closes the file and the inflater.
    await it.return?.();
  }
}

async function* parseInput(input: Input, options: ParseOptions): AsyncGenerator<WarcEvent> {
  const maxRecordBytes = options.maxRecordBytes ?? 256 << 20;
  const maxHeaderBytes = options.maxHeaderBytes ?? 64 << 10;
  const q = input.queue;
  let format: 'warc' | 'arc' | undefined;
  // After a bad header or length the parser skips to the next record; that skip is not a second problem.
  let resyncing = false;
  let resyncingArc = false;

  /** After a decoding break: report it if bytes were lost mid-record, then continue after it. */
  function takeBreak(inRecord: boolean): WarcEvent | undefined {
    const brk = input.brk;
    if (!brk) return undefined;
    input.brk = undefined;
    q.clear();
    // A truncated member at the very end with nothing of a record in it loses nothing worth a reason.
    return inRecord || brk.reason.startsWith('corrupt')
      ? { kind: 'problem', reason: brk.reason, offset: brk.offset }
      : undefined;
  }

  while (true) {
    // Skip blank lines between records, a chunk at a time (a megabyte of zero padding is one step).
    while (!q.dropWhile(isBlank)) if (!(await input.pull())) break;
    if (q.length === 0) {
      if (input.brk) {
        const problem = takeBreak(false);
        if (problem) yield problem;
        continue;
      }
      return;
    }
    const start = q.position;
    input.prune(start);
    await input.ensure(16);
    const head = q.peek(16);
    if (format === undefined) format = head.toString('latin1').startsWith('filedesc://') ? 'arc' : 'warc';
    if (format === 'warc' && !head.subarray(0, 5).equals(WARC_MAGIC)) {
      // Garbage where a record should start: skip to the next `WARC/` line.
      if (!resyncing) yield { kind: 'problem', reason: 'garbage_between_records', offset: start };
      while (true) {
        const buf = q.peek(Math.min(q.length, 4 << 20));
        const at = nextWarcStart(buf, 1);
        if (at > 0) {
          q.consume(at);
          break;
        }
        q.consume(Math.max(0, buf.length - 8));
        if (!(await input.pull())) {
          if (input.brk) takeBreak(false);
          else q.clear();
          break;
        }
      }
      continue;
    }
    const result = format === 'warc' ? await readWarcRecord() : await readArcRecord();
    resyncing = resyncingArc || (result?.kind === 'problem' && result.reason.startsWith('bad_'));
    resyncingArc = false;
    if (result) yield result;
  }

  async function readHeaderEnd(arc: boolean): Promise<{ end: number; sep: number } | 'truncated' | 'bad'> {
    // Look at a few KiB first and widen only when the header is longer: peeking the whole 64 KiB cap
    // copied and scanned 64 KiB per record wherever a decoded chunk ended (most of the parse time on
    // whole-file gzip, whose records all sit in a few large chunks).
    let want = Math.min(4096, maxHeaderBytes);
    while (true) {
      const buf = q.peek(Math.min(q.length, want));
      if (arc) {
        const nl = buf.indexOf(0x0a);
        if (nl >= 0) return { end: nl, sep: 1 };
      } else {
        const crlf = buf.indexOf(CRLF2);
        // A `\n\n` ending before the CRLF pair lies wholly before it (the pair starts with `\r`).
        const lf = (crlf >= 0 ? buf.subarray(0, crlf) : buf).indexOf(LF2);
        if (lf >= 0) return { end: lf, sep: 2 };
        if (crlf >= 0) return { end: crlf, sep: 4 };
      }
      if (buf.length >= maxHeaderBytes) return 'bad';
      if (buf.length < want) {
        if (!(await input.pull())) return 'truncated';
      } else want = Math.min(want * 4, maxHeaderBytes);
    }
  }

  /** Reads the block and its terminator; a problem event when the record cannot be kept. */
  async function readBlock(
    start: number,
    length: number,
    terminator: 'warc' | 'arc',
    build: (block: Buffer, end: number) => WarcRecord,
  ): Promise<WarcEvent | undefined> {
    if (length > maxRecordBytes) {
      let left = length;
      while (left > 0) {
        if (q.length === 0 && !(await input.pull())) break;
        const n = Math.min(left, q.length);
        q.consume(n);
        left -= n;
      }
      if (left > 0) return takeBreak(true) ?? { kind: 'problem', reason: 'truncated_record', offset: start };
      return { kind: 'problem', reason: 'record_too_large', offset: start };
    }
    await input.ensure(length + 24);
    if (q.length < length) {
      const problem = takeBreak(true) ?? { kind: 'problem', reason: 'truncated_record', offset: start };
      q.clear();
      return problem;
    }
    const tail = q.peek(length + 24).subarray(length);
    let blanks = 0;
    while (blanks < tail.length && (tail[blanks] === 0x0d || tail[blanks] === 0x0a)) blanks++;
    const rest = tail.subarray(blanks);
    // Blank lines after the block belong to the record, so its range ends where its gzip member does.
    const own = blanks;
    const clean =
      terminator === 'warc' ? tail.subarray(0, 4).equals(CRLF2) : tail[0] === 0x0a || tail.length === 0;
    const nextLooksRight =
      rest.length === 0 ||
      (terminator === 'warc' ? rest.subarray(0, 5).equals(WARC_MAGIC) : blanks > 0 && !isBlank(rest[0]));
    if (!clean && !nextLooksRight) {
      // The declared length does not end where the record does: find the next record from the block on.
      return { kind: 'problem', reason: 'bad_record_length', offset: start };
    }
    const block = q.peek(length);
    q.consume(length + own);
    return { kind: 'record', record: build(block, q.position) };
  }

  async function readWarcRecord(): Promise<WarcEvent | undefined> {
    const start = q.position;
    const found = await readHeaderEnd(false);
    if (found === 'truncated') {
      const problem = takeBreak(true) ?? { kind: 'problem', reason: 'truncated_record', offset: start };
      q.clear();
      return problem;
    }
    if (found === 'bad') {
      q.consume(5);
      return { kind: 'problem', reason: 'bad_warc_header', offset: start };
    }
    const lines = q.peek(found.end).toString('utf8').split(/\r?\n/);
    const version = lines[0]!.trim();
    const headers = parseFields(lines.slice(1));
    const lengthText = headers['content-length'];
    if (!/^WARC\/\d+\.\d+$/.test(version) || !lengthText || !/^\d+$/.test(lengthText)) {
      q.consume(5);
      return { kind: 'problem', reason: 'bad_warc_header', offset: start };
    }
    q.consume(found.end + found.sep);
    const problem = await readBlock(start, Number(lengthText), 'warc', (block, end) => ({
      format: 'warc',
      version,
      type: (headers['warc-type'] ?? '').toLowerCase(),
      headers,
      targetUri: cleanUri(headers['warc-target-uri']),
      date: normalizeWarcDate(headers['warc-date']),
      block,
      ...input.pointer(start, end),
    }));
    return problem;
  }

  async function readArcRecord(): Promise<WarcEvent | undefined> {
    const start = q.position;
    const found = await readHeaderEnd(true);
    if (found === 'truncated' || found === 'bad') {
      const problem = takeBreak(true) ?? {
        kind: 'problem' as const,
        reason: found === 'bad' ? ('bad_arc_header' as const) : ('truncated_record' as const),
        offset: start,
      };
      q.clear();
      return problem;
    }
    const line = q.peek(found.end).toString('utf8').trim();
    const fields = line.split(/\s+/);
    // URL may contain spaces: the last four fields are ip, date, content type and length.
    const lengthText = fields[fields.length - 1] ?? '';
    if (fields.length < 5 || !/^\d+$/.test(lengthText)) {
      q.consume(found.end + found.sep);
      // Lines after a bad header are its body; only a line that starts like a record is a new problem.
      const suppressed = resyncing && !/^[a-z][a-z0-9+.-]*:/i.test(fields[0] ?? '');
      resyncingArc = true;
      if (suppressed) return undefined;
      return { kind: 'problem', reason: 'bad_arc_header', offset: start };
    }
    const url = fields.slice(0, fields.length - 4).join('%20');
    const headers: Record<string, string> = {
      'arc-url': url,
      'arc-ip': fields[fields.length - 4]!,
      'arc-date': fields[fields.length - 3]!,
      'content-type': fields[fields.length - 2]!,
    };
    q.consume(found.end + found.sep);
    return readBlock(start, Number(lengthText), 'arc', (block, end) => ({
      format: 'arc',
      version: 'ARC/1',
      type: url.startsWith('filedesc:') ? 'warcinfo' : 'response',
      headers,
      targetUri: url,
      date: normalizeWarcDate(headers['arc-date']!.slice(0, 14)),
      block,
      ...input.pointer(start, end),
    }));
  }
}
