// The WARC reader on archives written here with one defect each: a corrupt gzip member mid-file, a file
// cut inside a member, an oversized record, garbage between records. Good records around them still read.

import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, test } from 'vitest';
import { decodedChunks } from '../../src/crawl/warc/decoded-chunks.js';
import { parseWarc, type WarcEvent } from '../../src/crawl/warc/warc-parser.js';
import { serializeWarcRecord, type WarcRecordSpec } from '../../src/crawl/warc/warc-writer.js';
import { tempDir } from '../helpers/temp-dir.js';

const records: WarcRecordSpec[] = Array.from({ length: 5 }, (_, i) => ({
  type: 'resource',
  targetUri: `http://x.example/${i}`,
  contentType: 'text/plain',
  block: `record ${i} `.repeat(200 + i * 50),
}));

async function read(bytes: Buffer, options: { maxRecordBytes?: number } = {}): Promise<WarcEvent[]> {
  const path = join(await tempDir(), 'test.warc.gz');
  await writeFile(path, bytes);
  const events: WarcEvent[] = [];
  for await (const e of parseWarc(decodedChunks(path), options)) events.push(e);
  return events;
}

const uris = (events: WarcEvent[]) =>
  events.map((e) => (e.kind === 'record' ? e.record.targetUri : `!${e.reason}`));

describe('WARC reader on damaged archives', () => {
  test('a corrupt gzip member mid-file is reported and the next members still read', async () => {
    const members = records.map((r, i) => gzipSync(serializeWarcRecord(r, i)));
    const bad = Buffer.from(members[2]!);
    bad.fill(0xff, 12, 40); // damage the deflate data, keep the gzip header
    members[2] = bad;
    expect(uris(await read(Buffer.concat(members)))).toEqual([
      'http://x.example/0',
      'http://x.example/1',
      '!corrupt_gzip_member',
      'http://x.example/3',
      'http://x.example/4',
    ]);
  });

  test('a file cut inside its last member: earlier records read, the last is truncated_gzip_member', async () => {
    const whole = Buffer.concat(records.map((r, i) => gzipSync(serializeWarcRecord(r, i))));
    expect(uris(await read(whole.subarray(0, whole.length - 30)))).toEqual([
      'http://x.example/0',
      'http://x.example/1',
      'http://x.example/2',
      'http://x.example/3',
      '!truncated_gzip_member',
    ]);
  });

  test('an oversized record is skipped as record_too_large, streaming past it', async () => {
    const plain = Buffer.concat(records.map((r, i) => serializeWarcRecord(r, i)));
    const events = await read(gzipSync(plain), { maxRecordBytes: 3000 });
    expect(uris(events)).toEqual([
      'http://x.example/0',
      'http://x.example/1',
      'http://x.example/2',
      '!record_too_large',
      '!record_too_large',
    ]);
  });

  test('garbage between records is skipped once, and a plain file reads with byte offsets', async () => {
    const a = serializeWarcRecord(records[0]!, 0);
    const b = serializeWarcRecord(records[1]!, 1);
    const events = await read(Buffer.concat([a, Buffer.from('junk junk\r\nmore junk\r\n'), b]));
    expect(uris(events)).toEqual(['http://x.example/0', '!garbage_between_records', 'http://x.example/1']);
    const second = events[2]!;
    expect(second.kind === 'record' && second.record.offset).toBe(a.length + 22);
  });

  test('an empty file and a file of zeros give no records and no crash', async () => {
    expect(await read(Buffer.alloc(0))).toEqual([]);
    expect(uris(await read(Buffer.alloc(4096)))).toEqual([]);
  });
});
