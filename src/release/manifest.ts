// The release manifest (`manifest.json`): every file of a release with its size and sha256, rows per
// split, the weft version and the config hash, so a download can be checked and traced to its run.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { writeFileAtomic } from '../dataset/dataset-files.js';
import { WEFT_VERSION } from '../version.js';

export const MANIFEST_FILE = 'manifest.json';

export interface ManifestFile {
  path: string;
  bytes: number;
  sha256: string;
}

export interface Manifest {
  tool: 'weft';
  /** weft version that wrote this manifest (and the card / export). */
  weftVersion: string;
  /** weft version that built the data (from stats.json), when known. */
  dataWeftVersion: string | null;
  job: string | null;
  /** sha256 of the job name and its resolved options (stats.json `fingerprint`). */
  configHash: string | null;
  format: 'arrow' | 'parquet' | 'webdataset';
  generatedAt: string;
  splits: Record<string, { rows: number; files: string[] }>;
  files: ManifestFile[];
}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 4 * 1024 * 1024 }))
    hash.update(chunk as Buffer);
  return hash.digest('hex');
}

async function listFiles(root: string, dir = root): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await listFiles(root, path)));
    else if (entry.isFile() && !/\.tmp-\d+/.test(entry.name))
      out.push(relative(root, path).split(sep).join('/'));
  }
  return out;
}

/** Writes `dir/manifest.json` over every file under `dir` (hidden ones and the manifest itself aside). */
export async function writeManifest(
  dir: string,
  info: Omit<Manifest, 'tool' | 'weftVersion' | 'generatedAt' | 'files'>,
): Promise<Manifest> {
  const paths = (await listFiles(dir)).filter((p) => p !== MANIFEST_FILE).sort();
  const files: ManifestFile[] = [];
  for (const path of paths) {
    const full = join(dir, path);
    files.push({ path, bytes: (await stat(full)).size, sha256: await sha256File(full) });
  }
  const manifest: Manifest = {
    tool: 'weft',
    weftVersion: WEFT_VERSION,
    ...info,
    generatedAt: new Date().toISOString(),
    files,
  };
  await writeFileAtomic(join(dir, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}
