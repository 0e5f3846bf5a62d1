// The downloaded images of one URL partition: `images.bin` (encoded images back to back) and
// `index.jsonl` (one line per URL: where its bytes are and what they are, or why it failed). The
// download phase writes one per partition; the main tasks look URLs up in them, so a URL shared by many
// documents or tasks is fetched once per run.
import { createWriteStream, existsSync, type WriteStream } from 'node:fs';
import { type FileHandle, open, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ImageFormat, ImageValue } from '../records/image.js';

export type StoreEntry =
  | {
      url: string;
      ok: true;
      offset: number;
      length: number;
      format: ImageFormat;
      widthPx: number;
      heightPx: number;
      sha256: string;
      phash?: string;
    }
  | { url: string; ok: false; reason: string; detail: string; status?: number };

/** Stable partition of a URL by its host, so one task talks to each host (per-host limits hold run-wide). */
export function partitionOf(url: string, partitions: number): number {
  let host: string;
  try {
    host = new URL(url).host.toLowerCase();
  } catch {
    host = url;
  }
  let hash = 0x811c9dc5;
  for (let i = 0; i < host.length; i++) {
    hash ^= host.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % Math.max(1, partitions);
}

export function partitionFileName(partition: number): string {
  return `part-${String(partition).padStart(5, '0')}.txt`;
}

export class ImageStoreWriter {
  private readonly bin: WriteStream;
  private readonly index: WriteStream;
  private offset = 0;

  constructor(dir: string) {
    this.bin = createWriteStream(join(dir, 'images.bin'));
    this.index = createWriteStream(join(dir, 'index.jsonl'));
  }

  async addImage(url: string, image: ImageValue): Promise<void> {
    const entry: StoreEntry = {
      url,
      ok: true,
      offset: this.offset,
      length: image.bytes.byteLength,
      format: image.format,
      widthPx: image.widthPx,
      heightPx: image.heightPx,
      sha256: image.sha256,
      ...(image.phash ? { phash: image.phash } : {}),
    };
    this.offset += image.bytes.byteLength;
    await write(this.bin, image.bytes);
    await write(this.index, `${JSON.stringify(entry)}\n`);
  }

  async addFailure(url: string, reason: string, detail: string, status?: number): Promise<void> {
    const entry: StoreEntry = { url, ok: false, reason, detail, ...(status ? { status } : {}) };
    await write(this.index, `${JSON.stringify(entry)}\n`);
  }

  async close(): Promise<void> {
    await Promise.all([end(this.bin), end(this.index)]);
  }
}

function write(stream: WriteStream, data: Uint8Array | string): Promise<void> {
  return new Promise((resolve, reject) => {
    if (stream.write(data)) {
      resolve();
      return;
    }
    const onError = (error: Error) => {
      stream.off('drain', onDrain);
      reject(error);
    };
    const onDrain = () => {
      stream.off('error', onError);
      resolve();
    };
    stream.once('drain', onDrain);
    stream.once('error', onError);
  });
}

function end(stream: WriteStream): Promise<void> {
  return new Promise((resolve, reject) => {
    stream.once('error', reject);
    stream.end(() => resolve());
  });
}

export async function readStoreIndex(dir: string): Promise<StoreEntry[]> {
  const file = join(dir, 'index.jsonl');
  if (!existsSync(file)) return [];
  const text = await readFile(file, 'utf8');
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as StoreEntry);
}

/** Looks URLs up across all partitions, loading a partition's index the first time it is needed. */
export class ImageStoreReader {
  private readonly indexes = new Map<number, Map<string, StoreEntry>>();
  private readonly bins = new Map<number, FileHandle>();

  constructor(private readonly partitionDirs: string[]) {}

  async lookup(url: string): Promise<{ entry: StoreEntry; bytes?: Uint8Array } | undefined> {
    const partition = partitionOf(url, this.partitionDirs.length);
    let index = this.indexes.get(partition);
    if (!index) {
      index = new Map((await readStoreIndex(this.partitionDirs[partition]!)).map((e) => [e.url, e]));
      this.indexes.set(partition, index);
    }
    const entry = index.get(url);
    if (!entry?.ok) return entry ? { entry } : undefined;
    let bin = this.bins.get(partition);
    if (!bin) {
      bin = await open(join(this.partitionDirs[partition]!, 'images.bin'), 'r');
      this.bins.set(partition, bin);
    }
    const bytes = new Uint8Array(entry.length);
    await bin.read(bytes, 0, entry.length, entry.offset);
    return { entry, bytes };
  }

  async close(): Promise<void> {
    await Promise.all([...this.bins.values()].map((b) => b.close()));
    this.bins.clear();
  }
}
