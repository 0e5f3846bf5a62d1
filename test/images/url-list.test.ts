import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  planUrlList,
  readUrlList,
  type UrlListEntry,
  type UrlListFormat,
} from '../../src/images/url-list.js';
import { tempDir } from '../helpers/temp-dir.js';

async function readAll(path: string, format: UrlListFormat, perTask: number) {
  const ranges = await planUrlList(path, format, perTask);
  const bad: string[] = [];
  const perRange: UrlListEntry[][] = [];
  for (const range of ranges) {
    const entries: UrlListEntry[] = [];
    for await (const e of readUrlList(
      path,
      format,
      range,
      { urlField: 'url', captionField: 'caption' },
      (r) => bad.push(r),
    ))
      entries.push(e);
    perRange.push(entries);
  }
  return { ranges, perRange, bad };
}

describe('URL lists', () => {
  it('splits CSV into byte ranges on record boundaries, even with newlines inside quoted captions', async () => {
    const path = join(await tempDir(), 'list.csv');
    await writeFile(
      path,
      'url,caption,license\r\nhttp://a/1.jpg,"two\nlines, and ""quotes""",cc0\r\nhttp://a/2.jpg,plain,by\r\n,no url,x\r\nhttp://a/3.jpg,"é ünïcode",by\r\n',
    );
    const { ranges, perRange, bad } = await readAll(path, 'csv', 2);
    expect(ranges).toHaveLength(2);
    expect(ranges.every((r) => r.header?.join() === 'url,caption,license')).toBe(true);
    expect(perRange.map((r) => r.map((e) => e.url))).toEqual([
      ['http://a/1.jpg', 'http://a/2.jpg'],
      ['http://a/3.jpg'],
    ]);
    expect(perRange[0]![0]).toEqual({
      url: 'http://a/1.jpg',
      caption: 'two\nlines, and "quotes"',
      extra: { license: 'cc0' },
    });
    expect(perRange[1]![0]!.caption).toBe('é ünïcode');
    expect(bad).toEqual(['missing_url']);
  });

  it('reads text lists (comments skipped) and JSONL (bad lines counted)', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'l.txt'), '# header\nhttp://a/1\n\nhttp://a/2\nhttp://a/3');
    const txt = await readAll(join(dir, 'l.txt'), 'txt', 2);
    expect(txt.perRange.flat().map((e) => e.url)).toEqual(['http://a/1', 'http://a/2', 'http://a/3']);
    await writeFile(
      join(dir, 'l.jsonl'),
      '{"url":"http://a/1","caption":"c","w":3}\nnot json\n"http://a/2"\n{"nourl":1}\n',
    );
    const jsonl = await readAll(join(dir, 'l.jsonl'), 'jsonl', 10);
    expect(jsonl.perRange.flat()).toEqual([
      { url: 'http://a/1', caption: 'c', extra: { w: 3 } },
      { url: 'http://a/2' },
    ]);
    expect(jsonl.bad).toEqual(['unparseable_record', 'missing_url']);
  });
});
