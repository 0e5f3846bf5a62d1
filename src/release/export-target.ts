// What both export formats share: the output folder (empty, or an earlier weft export replaced with
// --overwrite), and the split of a split's rows into shards of near-equal row counts, sized like
// `datasets` does (in-memory bytes / max shard size + 1 shards).
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { WeftError } from '../errors.js';
import { CARD_FILE } from './card.js';
import { MANIFEST_FILE, type Manifest } from './manifest.js';
import { PLOTS_DIR } from './plots.js';

export async function prepareExportDir(source: string, out: string, overwrite: boolean): Promise<void> {
  if (resolve(source) === resolve(out))
    throw new WeftError('E_USAGE', `--out must differ from the dataset directory (${out})`);
  if (!existsSync(out)) {
    await mkdir(out, { recursive: true });
    return;
  }
  const entries = (await readdir(out)).filter((n) => !n.startsWith('.'));
  if (entries.length === 0) return;
  const manifestPath = join(out, MANIFEST_FILE);
  const manifest = existsSync(manifestPath)
    ? (JSON.parse(await readFile(manifestPath, 'utf8').catch(() => '{}')) as Partial<Manifest>)
    : undefined;
  if (manifest?.tool !== 'weft' || !overwrite) {
    throw new WeftError(
      'E_OUTPUT',
      manifest?.tool === 'weft'
        ? `${out} holds an earlier weft export; pass --overwrite to replace it`
        : `${out} is not empty and holds no weft export (found ${entries.slice(0, 3).join(', ')}); choose another --out`,
      { data: { path: out } },
    );
  }
  // Only what the earlier export wrote goes: its listed files, then the card, plots and data folders.
  await rm(manifestPath, { force: true });
  for (const file of manifest.files ?? []) await rm(join(out, file.path), { force: true });
  for (const name of [CARD_FILE, PLOTS_DIR, 'data'])
    await rm(join(out, name), { recursive: true, force: true });
}

/** Row counts per shard: contiguous, near-equal (±1), at least one shard, never more shards than rows. */
export function shardRowCounts(rows: number, bytes: number, maxShardBytes: number): number[] {
  if (rows <= 0) return [0];
  const k = Math.max(1, Math.min(rows, Math.floor(bytes / maxShardBytes) + 1));
  const div = Math.floor(rows / k);
  const mod = rows % k;
  return Array.from({ length: k }, (_, i) => div + (i < mod ? 1 : 0));
}

/** The next `count` items of an iterator (all the rest when `count` is undefined). */
export async function* take<T>(iterator: AsyncIterator<T>, count: number | undefined): AsyncGenerator<T> {
  for (let i = 0; count === undefined || i < count; i++) {
    const next = await iterator.next();
    if (next.done) return;
    yield next.value;
  }
}

export function shardName(prefix: string, index: number, count: number, ext: string): string {
  return `${prefix}${String(index).padStart(5, '0')}-of-${String(count).padStart(5, '0')}.${ext}`;
}
