// Writes rows into Arrow IPC *stream* files (what `datasets.load_from_disk` memory-maps), in record
// batches of ≤100 rows when rows hold media (≤1000 otherwise), rolling over to a new part file when
// the size cap would be passed. Buffers go from Arrow's encoder to the file with writev, uncopied.
import { type FileHandle, open } from 'node:fs/promises';
import { join } from 'node:path';
import {
  AsyncByteQueue,
  makeData,
  RecordBatch,
  RecordBatchStreamWriter,
  type Schema,
  Struct,
} from 'apache-arrow';
import { encodeColumn } from './arrow-encode.js';
import { arrowSchema, type Feature, type Features, rowsPerBatchFor } from './features.js';

export type Row = Record<string, unknown>;

export interface ShardPart {
  /** File name inside the writer's directory. */
  file: string;
  rows: number;
  bytes: number;
}

export interface ShardWriterOptions {
  /** Cap on one part file's size in bytes (default 500 MB, as `datasets`). */
  maxShardBytes?: number;
  /** Rows per record batch; defaults to 100 for media rows, 1000 otherwise. */
  rowsPerBatch?: number;
  /** Flush a batch early once its rows hold this many bytes (keeps int32 offsets and memory bounded). */
  maxBatchBytes?: number;
  /** Extra Arrow schema metadata (the `huggingface` key is always written). */
  metadata?: Record<string, string>;
  filePrefix?: string;
  /** fsync each part before reporting it written (default true). */
  durable?: boolean;
}

/** Collects the writer's output chunks so they can be written with one writev per batch. */
class ChunkSink extends AsyncByteQueue {
  chunks: Uint8Array[] = [];
  bytes = 0;
  override write(chunk: Uint8Array): void {
    this.chunks.push(chunk);
    this.bytes += chunk.byteLength;
  }
  take(): Uint8Array[] {
    const taken = this.chunks;
    this.chunks = [];
    this.bytes = 0;
    return taken;
  }
}

function estimateBytes(feature: Feature, value: unknown): number {
  if (value === null || value === undefined) return 1;
  switch (feature.type) {
    case 'value':
      if (typeof value === 'string') return value.length + 4;
      if (value instanceof Uint8Array) return value.byteLength + 4;
      return 8;
    case 'image': {
      const cell = value as { bytes?: Uint8Array | null; path?: string | null };
      return (cell.bytes?.byteLength ?? 0) + (cell.path?.length ?? 0) + 8;
    }
    case 'list':
      return Array.isArray(value) ? value.reduce<number>((n, v) => n + estimateBytes(feature.item, v), 4) : 4;
    case 'struct': {
      let n = 0;
      for (const [k, child] of Object.entries(feature.fields)) n += estimateBytes(child, (value as Row)[k]);
      return n;
    }
  }
}

export function encodeBatch(schema: Schema, features: Features, rows: readonly Row[]): RecordBatch {
  const children = Object.entries(features).map(([name, feature], i) =>
    encodeColumn(
      feature,
      rows.map((r) => r[name] ?? null),
      schema.fields[i]!.type,
    ),
  );
  const data = makeData({ type: new Struct(schema.fields), length: rows.length, nullCount: 0, children });
  return new RecordBatch(schema, data);
}

export class ShardWriter {
  readonly dir: string;
  readonly features: Features;
  readonly schema: Schema;
  readonly parts: ShardPart[] = [];
  private readonly maxShardBytes: number;
  private readonly rowsPerBatch: number;
  private readonly maxBatchBytes: number;
  private readonly filePrefix: string;
  private readonly durable: boolean;
  private pending: Row[] = [];
  private pendingBytes = 0;
  private file: { handle: FileHandle; name: string; rows: number; bytes: number } | undefined;
  private writer: RecordBatchStreamWriter | undefined;
  private readonly sink = new ChunkSink();

  constructor(dir: string, features: Features, options: ShardWriterOptions = {}) {
    this.dir = dir;
    this.features = features;
    this.schema = arrowSchema(features, options.metadata);
    this.maxShardBytes = options.maxShardBytes ?? 500_000_000;
    this.rowsPerBatch = options.rowsPerBatch ?? rowsPerBatchFor(features);
    this.maxBatchBytes = options.maxBatchBytes ?? 256 * 1024 * 1024;
    this.filePrefix = options.filePrefix ?? 'part';
    this.durable = options.durable ?? true;
  }

  get rowsWritten(): number {
    return this.parts.reduce((n, p) => n + p.rows, 0) + (this.file?.rows ?? 0);
  }

  async append(row: Row): Promise<void> {
    this.pending.push(row);
    for (const [name, feature] of Object.entries(this.features))
      this.pendingBytes += estimateBytes(feature, row[name]);
    if (this.pending.length >= this.rowsPerBatch || this.pendingBytes >= this.maxBatchBytes)
      await this.flush();
  }

  /** Writes the buffered rows as one record batch. */
  async flush(): Promise<void> {
    if (this.pending.length === 0) return;
    const rows = this.pending;
    this.pending = [];
    this.pendingBytes = 0;
    const batch = encodeBatch(this.schema, this.features, rows);
    if (!this.file) await this.openPart();
    this.writer!.write(batch);
    const chunks = this.sink.take();
    const batchBytes = chunks.reduce((n, c) => n + c.byteLength, 0);
    // A batch message does not depend on its position, so one that would push this part past its cap
    // simply starts the next part.
    if (this.file!.rows > 0 && this.file!.bytes + batchBytes + 8 > this.maxShardBytes) {
      await this.closePart();
      await this.openPart();
    }
    await this.writeChunks(chunks);
    this.file!.rows += rows.length;
  }

  /** Flushes, closes the current part and returns every part written. */
  async close(): Promise<ShardPart[]> {
    await this.flush();
    await this.closePart();
    return this.parts;
  }

  /** Closes the open file without recording it (the task is being abandoned). */
  async abort(): Promise<void> {
    await this.file?.handle.close().catch(() => {});
    this.file = undefined;
  }

  private async openPart(): Promise<void> {
    const name = `${this.filePrefix}-${String(this.parts.length).padStart(5, '0')}.arrow`;
    const handle = await open(join(this.dir, name), 'w');
    this.file = { handle, name, rows: 0, bytes: 0 };
    this.writer = new RecordBatchStreamWriter({ autoDestroy: false });
    this.writer.reset(this.sink, this.schema);
    await this.writeChunks(this.sink.take());
  }

  private async closePart(): Promise<void> {
    if (!this.file) return;
    this.writer!.finish();
    await this.writeChunks(this.sink.take());
    if (this.durable) await this.file.handle.sync();
    await this.file.handle.close();
    this.parts.push({ file: this.file.name, rows: this.file.rows, bytes: this.file.bytes });
    this.file = undefined;
  }

  private async writeChunks(chunks: Uint8Array[]): Promise<void> {
    if (chunks.length === 0) return;
    let bytes = 0;
    for (const c of chunks) bytes += c.byteLength;
    await this.file!.handle.writev(chunks);
    this.file!.bytes += bytes;
  }
}
