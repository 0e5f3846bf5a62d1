// The WARC reader on the real archives in ../shared/corpora/warc, broken ones included: every readable
// record comes out, every broken one is a named problem, nothing throws or hangs, and per-record gzip
// offsets are real (a range read of offset+length gunzips to exactly that record).
import { readdirSync, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { describe, expect, test } from 'vitest';
import { decodedChunks } from '../../src/crawl/warc/decoded-chunks.js';
import { parseWarc, type WarcEvent } from '../../src/crawl/warc/warc-parser.js';
import { corpus, hasCorpora } from '../helpers/paths.js';

async function readAll(path: string): Promise<WarcEvent[]> {
  const events: WarcEvent[] = [];
  for await (const e of parseWarc(decodedChunks(path, { readBytes: 4096, fastPathBytes: 8192 })))
    events.push(e);
  return events;
}

function summary(events: WarcEvent[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const e of events) {
    const key = e.kind === 'record' ? e.record.type : `problem:${e.reason}`;
    out[key] = (out[key] ?? 0) + 1;
  }
  return out;
}

const warc = (...p: string[]) => corpus('warc', ...p);

describe.skipIf(!hasCorpora)('WARC reader on the real corpus', () => {
  // A hang would trip the test timeout; a throw fails the test.
  test('every file in the corpus reads to the end without throwing', async () => {
    const dirs = readdirSync(warc()).filter((d) => !d.includes('.'));
    let files = 0;
    for (const dir of dirs) {
      for (const name of readdirSync(warc(dir))) {
        const events = await readAll(warc(dir, name));
        expect(events.length, name).toBeGreaterThan(0);
        files++;
      }
    }
    expect(files).toBeGreaterThanOrEqual(40);
  });

  test.each([
    // [file, expected record types and problems]
    ['resiliparse/warcfile.warc', { warcinfo: 1, request: 17, response: 16, metadata: 16 }],
    ['resiliparse/warcfile.warc.gz', { warcinfo: 1, request: 17, response: 16, metadata: 16 }],
    ['resiliparse/warcfile.warc.lz4', { warcinfo: 1, request: 17, response: 16, metadata: 16 }],
    ['resiliparse/block-sized-records.warc.lz4', { unknown: 3 }],
    ['resiliparse/clueweb-quirk.warc.gz', { warcinfo: 1, response: 29 }],
    ['resiliparse/clipped.warc.gz', { 'problem:truncated_gzip_member': 1 }],
    [
      'warcio-js/example-bad-length.warc',
      { warcinfo: 2, request: 2, revisit: 1, 'problem:bad_record_length': 1 },
    ],
    ['warcio-py/example-trunc.warc', { warcinfo: 2, request: 1, 'problem:bad_record_length': 1 }],
    ['warcio-py/example-wrong-chunks.warc.gz', { response: 1, request: 1 }],
    ['warcio-py/example-bad-non-chunked.warc.gz', { warcinfo: 2, response: 1, request: 2, revisit: 1 }],
    ['warcio-py/bad.arc', { response: 1, 'problem:bad_arc_header': 3 }],
    ['warcio-py/example.arc.gz', { warcinfo: 1, response: 1 }],
    ['warcio-py/example-space-in-url.arc', { warcinfo: 1, 'problem:truncated_record': 1 }],
    ['warcio-js/post-test-more.warc', { response: 3, request: 3 }],
    ['commoncrawl-whirlwind/whirlwind.warc.wet.gz', { warcinfo: 1, conversion: 1 }],
  ])('%s', async (file, expected) => {
    expect(summary(await readAll(warc(file)))).toEqual(expected);
  });

  test('per-record gzip: each (offset, length) is a gzip member that holds exactly that record', async () => {
    for (const file of ['resiliparse/warcfile.warc.gz', 'commoncrawl-whirlwind/whirlwind.warc.gz']) {
      const bytes = readFileSync(warc(file));
      const records = (await readAll(warc(file))).flatMap((e) => (e.kind === 'record' ? [e.record] : []));
      let end = 0;
      for (const r of records) {
        expect(r.offsetKind).toBe('file');
        expect(r.offset).toBe(end);
        end = r.offset + r.length;
        const member = gunzipSync(bytes.subarray(r.offset, r.offset + r.length));
        expect(member.subarray(0, 5).toString()).toBe('WARC/');
        expect(member.includes(r.block)).toBe(true);
      }
      expect(end).toBe(bytes.length);
    }
  });

  test('the same archive plain, gzip and LZ4 gives the same records', async () => {
    const blocks = async (file: string) =>
      (await readAll(warc(file))).flatMap((e) =>
        e.kind === 'record'
          ? [`${e.record.type} ${e.record.targetUri} ${e.record.date} ${e.record.block.length}`]
          : [],
      );
    const plain = await blocks('resiliparse/warcfile.warc');
    expect(await blocks('resiliparse/warcfile.warc.gz')).toEqual(plain);
    expect(await blocks('resiliparse/warcfile.warc.lz4')).toEqual(plain);
    // Plain-file offsets are byte ranges of the file.
    const bytes = readFileSync(warc('resiliparse/warcfile.warc'));
    for (const e of await readAll(warc('resiliparse/warcfile.warc'))) {
      if (e.kind !== 'record') continue;
      expect(bytes.subarray(e.record.offset, e.record.offset + 9).toString()).toBe('WARC/1.0\r');
    }
  });

  test('WARC/0.18 with ClueWeb dates: version kept, day-of-year date normalized', async () => {
    const records = (await readAll(warc('resiliparse/clueweb-quirk.warc.gz'))).flatMap((e) =>
      e.kind === 'record' ? [e.record] : [],
    );
    expect(records[0]!.version).toBe('WARC/0.18');
    expect(records[0]!.headers['warc-date']).toBe('2008-10-294T05:21:46-0700');
    expect(records[0]!.date).toBe('2008-10-20T12:21:46Z');
    expect(records[1]!.targetUri).toMatch(/^http:\/\/www\.uraharajuku\.st\//);
  });

  test('a record split across gzip members, and wget-style <URI> targets', async () => {
    const split = (await readAll(warc('warcio-py/example-wrong-chunks.warc.gz'))).flatMap((e) =>
      e.kind === 'record' ? [e.record] : [],
    );
    expect(split[0]!.block.length).toBe(1613);
    expect(split[0]!.block.subarray(0, 15).toString()).toBe('HTTP/1.1 200 OK');
    const wget = (await readAll(warc('warcio-js/example-wget-bad-target-uri.warc.gz'))).flatMap((e) =>
      e.kind === 'record' ? [e.record] : [],
    );
    expect(wget.find((r) => r.type === 'response')?.targetUri).toBe('http://example.com/');
  });

  test('whole-file gzip: records carry offsets into the uncompressed stream', async () => {
    const file = warc('warcio-py/example-bad-non-chunked.warc.gz');
    const text = gunzipSync(readFileSync(file));
    for (const e of await readAll(file)) {
      if (e.kind !== 'record') continue;
      expect(e.record.offsetKind).toBe('uncompressed');
      expect(text.subarray(e.record.offset, e.record.offset + 5).toString()).toBe('WARC/');
    }
  });
});
