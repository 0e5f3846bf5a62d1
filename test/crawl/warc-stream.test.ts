// The WARC reader on whole-file gzip, the path that streams one large gzip member: records that span the
// inflater's chunks keep their bytes and offsets, a gzip bomb is skipped with a reason while memory stays
// at a few MiB, a run of zero padding does not stall it, and damage mid-stream keeps the records before it.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { constants, crc32, deflateRawSync, gzipSync } from 'node:zlib';
import { describe, expect, test } from 'vitest';
import { decodedChunks } from '../../src/crawl/warc/decoded-chunks.js';
import { parseWarc, type WarcEvent } from '../../src/crawl/warc/warc-parser.js';
import { serializeWarcRecord, type WarcRecordSpec } from '../../src/crawl/warc/warc-writer.js';
import { tempDir } from '../helpers/temp-dir.js';

const MiB = 1 << 20;

async function file(bytes: Buffer): Promise<string> {
  const path = join(await tempDir(), 'test.warc.gz');
  await writeFile(path, bytes);
  return path;
}

async function readAll(path: string): Promise<WarcEvent[]> {
  const events: WarcEvent[] = [];
  for await (const e of parseWarc(decodedChunks(path))) events.push(e);
  return events;
}

const names = (events: WarcEvent[]) =>
  events.map((e) => (e.kind === 'record' ? e.record.targetUri : `!${e.reason}`));

const small = (i: number) =>
  serializeWarcRecord(
    {
      type: 'resource',
      targetUri: `http://x.example/${i}`,
      contentType: 'text/plain',
      block: 'ok '.repeat(50),
    },
    i,
  );

/**
 * One gzip member holding `before`, `zeroMiB` MiB of zeros, then `after`, built without holding the zeros:
 * fully flushed deflate segments are byte-aligned and self-contained, so one 1 MiB segment repeats.
 */
function gzipAroundZeros(before: Buffer, zeroMiB: number, after: Buffer): Buffer {
  const flushed = { finishFlush: constants.Z_FULL_FLUSH };
  const zeros = Buffer.alloc(MiB);
  let crc = crc32(before);
  for (let i = 0; i < zeroMiB; i++) crc = crc32(zeros, crc);
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(crc32(after, crc) >>> 0, 0);
  trailer.writeUInt32LE((before.length + after.length + zeroMiB * MiB) % 2 ** 32, 4);
  return Buffer.concat([
    Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]),
    deflateRawSync(before, flushed),
    ...new Array<Buffer>(zeroMiB).fill(deflateRawSync(zeros, flushed)),
    deflateRawSync(after),
    trailer,
  ]);
}

/** Live ArrayBuffer bytes after full collections (garbage waiting for the collector is not held). */
async function liveArrayBuffers(): Promise<number> {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  gc();
  await new Promise((resolve) => setImmediate(resolve));
  gc();
  return process.memoryUsage().arrayBuffers;
}

describe('WARC reader, whole-file gzip streaming', () => {
  test('records across many inflater chunks keep their bytes and uncompressed offsets', async () => {
    // ~5 MB decoded: record sizes that are not multiples of anything, and a header longer than the
    // parser's first look at a record (4 KiB), so headers and blocks straddle chunk boundaries.
    const specs: WarcRecordSpec[] = Array.from({ length: 240 }, (_, i) => ({
      type: 'resource',
      targetUri: `http://x.example/${i}`,
      contentType: 'text/plain',
      headers: i % 50 === 7 ? { 'X-Long': 'h'.repeat(9000 + i) } : undefined,
      block: `${i}:${'lorem ipsum dolor '.repeat(i * 3 + 13)}${i * 7919}`.repeat(1 + (i % 5)),
    }));
    const plain = Buffer.concat(specs.map((s, i) => serializeWarcRecord(s, i)));
    const events = await readAll(await file(gzipSync(plain)));
    expect(events).toHaveLength(specs.length);
    events.forEach((e, i) => {
      if (e.kind !== 'record') throw new Error(`record ${i}: ${e.reason}`);
      expect(e.record.targetUri).toBe(`http://x.example/${i}`);
      expect(e.record.block.equals(Buffer.from(specs[i]!.block))).toBe(true);
      expect(e.record.offsetKind).toBe('uncompressed');
      const range = plain.subarray(e.record.offset, e.record.offset + e.record.length);
      expect(range.equals(serializeWarcRecord(specs[i]!, i))).toBe(true);
    });
  });

  test('a gzip bomb record is skipped as record_too_large, with memory held to a few MiB', async () => {
    // 1 MB of gzip that inflates to 512 MiB: a record declaring all of it (over the 256 MiB default).
    const bombMiB = 512;
    const head = Buffer.from(
      `WARC/1.1\r\nWARC-Type: resource\r\nWARC-Target-URI: http://x.example/bomb\r\nContent-Length: ${bombMiB * MiB}\r\n\r\n`,
    );
    const path = await file(
      gzipAroundZeros(
        Buffer.concat([small(0), head]),
        bombMiB,
        Buffer.concat([Buffer.from('\r\n\r\n'), small(1)]),
      ),
    );
    const baseline = await liveArrayBuffers();
    const events: WarcEvent[] = [];
    let stalledBytes = 0;
    for await (const e of parseWarc(decodedChunks(path))) {
      events.push(e);
      if (events.length > 1) continue;
      // A slow consumer right before the bomb: the inflater must wait for it, not fill memory.
      await new Promise((resolve) => setTimeout(resolve, 300));
      stalledBytes = (await liveArrayBuffers()) - baseline;
    }
    expect(names(events)).toEqual(['http://x.example/0', '!record_too_large', 'http://x.example/1']);
    // About 6 MiB here (the 4 MiB read window, a 1 MiB read, 1 MiB inflated ahead); 68 MiB when the
    // inflater ran without backpressure.
    expect(stalledBytes).toBeLessThan(24 * MiB);
  });

  test('256 MiB of zero padding between records is skipped a chunk at a time', async () => {
    // Byte by byte this took about a minute per GiB; a hang here trips the test timeout.
    const path = await file(gzipAroundZeros(small(0), 256, small(1)));
    expect(names(await readAll(path))).toEqual(['http://x.example/0', 'http://x.example/1']);
  }, 15_000);

  test('damage mid-stream: the records before it read, then corrupt_gzip_member', async () => {
    const specs = Array.from({ length: 3000 }, (_, i) => small(i));
    const before = Buffer.concat(specs.slice(0, 2000));
    // A fully flushed first part ends byte-aligned; the next byte opens a block of the reserved type
    // (BFINAL 0, BTYPE 11), which every inflater rejects right there.
    const damaged = Buffer.concat([
      Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]),
      deflateRawSync(before, { finishFlush: constants.Z_FULL_FLUSH }),
      Buffer.from([0x06]),
      deflateRawSync(Buffer.concat(specs.slice(2000))),
    ]);
    const events = await readAll(await file(damaged));
    const last = events[events.length - 1]!;
    expect(last.kind === 'problem' && last.reason).toBe('corrupt_gzip_member');
    const good = events.slice(0, -1);
    expect(names(good)).toEqual(specs.slice(0, good.length).map((_, i) => `http://x.example/${i}`));
    // zlib drops the output of the call that meets the damage; the reader's second pass closes in on it
    // 1 KiB of input at a time, so only a few KiB before the damage are lost (a 256 KiB chunk without
    // it; and no record at all before, when a member this small went through the one-call path).
    const readThrough = good.reduce(
      (n, e) => (e.kind === 'record' ? e.record.offset + e.record.length : n),
      0,
    );
    expect(readThrough).toBeGreaterThan(before.length - 32 * 1024);
  });
});
