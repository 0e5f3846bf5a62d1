import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/run-cli.js';
import { tempDir } from '../helpers/temp-dir.js';

describe('weft demo (web steps)', () => {
  it('crawls its local site into WARC and downloads its pictures, with no network', async () => {
    const out = join(await tempDir(), 'demo');
    const result = await runCli(['demo', '--out', out, '--workers', '2', '--json'], { timeoutMs: 120_000 });
    expect(result.code).toBe(0);
    const crawl = JSON.parse(await readFile(join(out, 'crawl', 'stats.json'), 'utf8'));
    expect(crawl.rows).toBe(8); // index, six articles, and a robots.txt-disallowed page logged unfetched
    expect(crawl.stages[0].counters['failed.robots_disallowed']).toBe(1);
    expect(crawl.files).toEqual(['warc/crawl-00000-00001.warc.gz']);
    const images = JSON.parse(await readFile(join(out, 'web-images', 'stats.json'), 'utf8'));
    expect(images.rows).toBe(24);
    expect(images.phases.download[0].dropped).toEqual({ opted_out: 1 });
  });
});
