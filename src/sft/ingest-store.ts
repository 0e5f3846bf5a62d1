// What an ingest task leaves for the global plan and the writers: `images.bin` (each distinct image
// file once), `rows.jsonl` (turns and image pointers per kept row), `index.jsonl` (the few facts the
// plan needs per row, so it never parses texts) and `counts.json` (kept rows per source).
import { createReadStream, existsSync } from 'node:fs';
import { type FileHandle, open, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { ImageFormat } from '../records/image.js';
import type { Turn } from './adapted-row.js';
import type { ResolvedImage } from './image-resolver.js';

export interface StoredImage {
  /** Byte offset and length in images.bin. */
  o: number;
  n: number;
  sha256: string;
  pixelSha256: string;
  phash: string;
  format: ImageFormat;
  widthPx: number;
  heightPx: number;
  path?: string;
}

export interface StoredRow {
  source: number;
  /** file:line (and id) for provenance in logs. */
  where: string;
  turns: Turn[];
  images: StoredImage[];
}

/** Per row: [source, rank, merge key or null, turns, offset, length] of its line in rows.jsonl. */
export type IndexEntry = [number, number, string | null, number, number, number];

class AppendFile {
  private handle: FileHandle | undefined;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  size = 0;
  constructor(private readonly path: string) {}

  async append(data: Uint8Array): Promise<number> {
    const at = this.size;
    this.pending.push(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
    this.pendingBytes += data.byteLength;
    this.size += data.byteLength;
    if (this.pendingBytes >= 4 * 1024 * 1024) await this.flush();
    return at;
  }

  async flush(): Promise<void> {
    this.handle ??= await open(this.path, 'w');
    if (this.pending.length > 0) await this.handle.writev(this.pending);
    this.pending = [];
    this.pendingBytes = 0;
  }

  async close(): Promise<void> {
    await this.flush();
    await this.handle!.sync();
    await this.handle!.close();
  }
}

export class IngestWriter {
  private readonly images: AppendFile;
  private readonly rows: AppendFile;
  private readonly index: AppendFile;
  private readonly stored = new Map<string, { o: number; n: number }>();
  private readonly counts = new Map<number, number>();
  constructor(private readonly dir: string) {
    this.images = new AppendFile(join(dir, 'images.bin'));
    this.rows = new AppendFile(join(dir, 'rows.jsonl'));
    this.index = new AppendFile(join(dir, 'index.jsonl'));
  }

  private async storeImage(image: ResolvedImage): Promise<StoredImage> {
    let at = this.stored.get(image.sha256);
    if (!at) {
      at = { o: await this.images.append(image.bytes), n: image.bytes.byteLength };
      this.stored.set(image.sha256, at);
    }
    const { bytes: _bytes, label, ...facts } = image;
    return { ...at, ...facts, ...(label !== undefined ? { path: label } : {}) };
  }

  async addRow(
    row: { source: number; where: string; turns: Turn[]; images: ResolvedImage[] },
    rank: number,
    key: string | null,
  ): Promise<void> {
    const images: StoredImage[] = [];
    for (const image of row.images) images.push(await this.storeImage(image));
    const stored: StoredRow = { source: row.source, where: row.where, turns: row.turns, images };
    const line = Buffer.from(`${JSON.stringify(stored)}\n`);
    const offset = await this.rows.append(line);
    const entry: IndexEntry = [row.source, rank, key, row.turns.length, offset, line.byteLength - 1];
    await this.index.append(Buffer.from(`${JSON.stringify(entry)}\n`));
    this.counts.set(row.source, (this.counts.get(row.source) ?? 0) + 1);
  }

  async close(): Promise<void> {
    await this.images.close();
    await this.rows.close();
    await this.index.close();
    await writeFile(join(this.dir, 'counts.json'), JSON.stringify(Object.fromEntries(this.counts)));
  }
}

/** Kept rows per source index in one ingest task's output (empty for tasks that ingested nothing). */
export async function readCounts(dir: string): Promise<Map<number, number>> {
  try {
    const json = JSON.parse(await readFile(join(dir, 'counts.json'), 'utf8')) as Record<string, number>;
    return new Map(Object.entries(json).map(([k, v]) => [Number(k), v]));
  } catch {
    return new Map();
  }
}

export async function* readIndex(dir: string): AsyncGenerator<IndexEntry> {
  const file = join(dir, 'index.jsonl');
  if (!existsSync(file)) return;
  const lines = createInterface({
    input: createReadStream(file, 'utf8'),
    crlfDelay: Number.POSITIVE_INFINITY,
  });
  for await (const line of lines) if (line !== '') yield JSON.parse(line) as IndexEntry;
}

/** Random access to one ingest task's rows and image bytes (for the writers). */
export class IngestReader {
  private rows: FileHandle | undefined;
  private images: FileHandle | undefined;
  constructor(private readonly dir: string) {}

  private async read(which: 'rows' | 'images', offset: number, length: number): Promise<Buffer> {
    if (which === 'rows' && !this.rows) this.rows = await open(join(this.dir, 'rows.jsonl'), 'r');
    if (which === 'images' && !this.images) this.images = await open(join(this.dir, 'images.bin'), 'r');
    const handle = which === 'rows' ? this.rows! : this.images!;
    const buffer = Buffer.allocUnsafe(length);
    const { bytesRead } = await handle.read(buffer, 0, length, offset);
    if (bytesRead !== length) throw new Error(`${this.dir}: short read of ${which} at ${offset}`);
    return buffer;
  }

  async row(offset: number, length: number): Promise<StoredRow> {
    return JSON.parse((await this.read('rows', offset, length)).toString('utf8')) as StoredRow;
  }

  async imageBytes(image: StoredImage): Promise<Uint8Array> {
    const buffer = await this.read('images', image.o, image.n);
    return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  }

  async close(): Promise<void> {
    await this.rows?.close();
    await this.images?.close();
  }
}
