// Writes rows into Arrow IPC *stream* files (what `datasets.load_from_disk` memory-maps), in record
// batches of ≤100 rows when rows hold media (≤1000 otherwise), rolling over to a new part file when
// the size cap would be passed. Image bytes go from the rows to the file by writev, never copied.
import { type FileHandle, open } from 'node:fs/promises';
import { join } from 'node:path';
import { AsyncByteQueue, RecordBatchStreamWriter, type Schema } from 'apache-arrow';
import { END_OF_STREAM, encodeBatchMessage } from './arrow-encode.js';
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
  /** fsync the parts before `close()` returns (default true). */
  durable?: boolean;
}

/** The schema message of a stream, as Arrow JS encodes it. */
export function schemaMessage(schema: Schema): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  const sink = new (class extends AsyncByteQueue {
    override write(chunk: Uint8Array): void {
      chunks.push(chunk);
    }
  })();
  new RecordBatchStreamWriter({ autoDestroy: false }).reset(sink, schema);
  return chunks;
}

/** A whole IPC stream (schema, one record batch, end marker) in one buffer, for in-memory consumers. */
export function encodeStream(schema: Schema, features: Features, rows: readonly Row[]): Uint8Array {
  return Buffer.concat([
    ...schemaMessage(schema),
    ...encodeBatchMessage(features, rows).chunks,
    END_OF_STREAM,
  ]);
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
  private readonly schemaChunks: Uint8Array[];
  private pending: Row[] = [];
  private pendingBytes = 0;
  private file: { handle: FileHandle; name: string; rows: number; bytes: number } | undefined;

  constructor(dir: string, features: Features, options: ShardWriterOptions = {}) {
    this.dir = dir;
    this.features = features;
    this.schema = arrowSchema(features, options.metadata);
    this.schemaChunks = schemaMessage(this.schema);
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
    const batch = encodeBatchMessage(this.features, rows);
    // A batch message does not depend on its position, so one that would push this part past its cap
    // simply starts the next part.
    if (
      this.file &&
      this.file.rows > 0 &&
      this.file.bytes + batch.byteLength + END_OF_STREAM.byteLength > this.maxShardBytes
    ) {
      await this.closePart();
    }
    if (!this.file) await this.openPart();
    await this.writeChunks(batch.chunks);
    this.file!.rows += rows.length;
  }

  /** Flushes, closes the current part, makes every part durable and returns them. */
  async close(): Promise<ShardPart[]> {
    await this.flush();
    await this.closePart();
    if (this.durable) {
      // fsync once at the end rather than at each roll-over, so the kernel writes earlier parts back
      // while later ones are still being produced.
      for (const part of this.parts) {
        const handle = await open(join(this.dir, part.file), 'r+');
        await handle.sync();
        await handle.close();
      }
    }
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
    await this.writeChunks(this.schemaChunks);
  }

  private async closePart(): Promise<void> {
    if (!this.file) return;
    await this.writeChunks([END_OF_STREAM]);
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
