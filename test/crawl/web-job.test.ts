// Input expansion of the web job: files, directories and globs, de-duplicated and sorted.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { expandWarcInputs } from '../../src/crawl/web-job.js';
import { tempDir } from '../helpers/temp-dir.js';

test('files, directories (recursive, WARC/ARC names only) and globs; missing ones are E_INPUT', async () => {
  const dir = await tempDir();
  await mkdir(join(dir, 'seg/sub'), { recursive: true });
  for (const name of [
    'seg/a.warc.gz',
    'seg/sub/b.warc',
    'seg/c.arc.gz',
    'seg/d.warc.lz4',
    'seg/notes.txt',
    'e.warc.gz',
  ])
    await writeFile(join(dir, name), '');
  const files = await expandWarcInputs(['seg', 'e.warc.gz', join(dir, 'seg/*.gz'), 'seg/a.warc.gz'], dir);
  expect(files.map((f) => f.slice(dir.length + 1))).toEqual([
    'e.warc.gz',
    'seg/a.warc.gz',
    'seg/c.arc.gz',
    'seg/d.warc.lz4',
    'seg/sub/b.warc',
  ]);
  await expect(expandWarcInputs(['nope/*.warc.gz'], dir)).rejects.toMatchObject({ code: 'E_INPUT' });
});
