// Encodes rows straight into an Arrow IPC record-batch message as a list of chunks for writev.
// Binary values (image bytes) are never copied: each one is its own chunk of the message body.
// This is the writer's hot path; only the flatbuffer header is built with Arrow JS's own encoder.
import {
  BufferRegion,
  FieldNode,
  Message,
  RecordBatch as RecordBatchHeader,
} from 'apache-arrow/ipc/metadata/message';
import type { Feature, Features } from './features.js';

type Row = Record<string, unknown>;

/** One body buffer: its pieces (written back to back) and their total length. */
interface BodyBuffer {
  pieces: Uint8Array[];
  byteLength: number;
}

interface Assembly {
  nodes: FieldNode[];
  buffers: BodyBuffer[];
}

const EMPTY: BodyBuffer = { pieces: [], byteLength: 0 };
const asBytes = (view: ArrayBufferView): Uint8Array =>
  new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
const single = (view: ArrayBufferView): BodyBuffer => ({
  pieces: [asBytes(view)],
  byteLength: view.byteLength,
});

function isNull(v: unknown): boolean {
  return v === null || v === undefined;
}

function validity(values: readonly unknown[]): { buffer: BodyBuffer; nullCount: number } {
  let nullCount = 0;
  for (const v of values) if (isNull(v)) nullCount += 1;
  if (nullCount === 0) return { buffer: EMPTY, nullCount };
  const bitmap = new Uint8Array((values.length + 7) >> 3);
  values.forEach((v, i) => {
    if (!isNull(v)) bitmap[i >> 3]! |= 1 << (i & 7);
  });
  return { buffer: single(bitmap), nullCount };
}

function variableWidth(values: readonly unknown[], asString: boolean): [BodyBuffer, BodyBuffer] {
  const n = values.length;
  const offsets = new Int32Array(n + 1);
  if (asString) {
    const strings = values.map((v) => (isNull(v) ? '' : typeof v === 'string' ? v : String(v)));
    let total = 0;
    for (let i = 0; i < n; i++) {
      total += Buffer.byteLength(strings[i]!, 'utf8');
      offsets[i + 1] = total;
    }
    if (total > 0x7fffffff) throw new RangeError('a string column exceeds 2 GiB in one record batch');
    const data = Buffer.allocUnsafe(total);
    let at = 0;
    for (const s of strings) if (s.length > 0) at += data.write(s, at, 'utf8');
    return [single(offsets), single(data)];
  }
  const pieces: Uint8Array[] = [];
  let total = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (v instanceof Uint8Array && v.byteLength > 0) {
      pieces.push(v);
      total += v.byteLength;
    }
    offsets[i + 1] = total;
  }
  if (total > 0x7fffffff) throw new RangeError('a binary column exceeds 2 GiB in one record batch');
  return [single(offsets), { pieces, byteLength: total }];
}

function fixedWidth(feature: Extract<Feature, { type: 'value' }>, values: readonly unknown[]): BodyBuffer {
  const n = values.length;
  switch (feature.dtype) {
    case 'int32':
    case 'float32':
    case 'float64': {
      const data =
        feature.dtype === 'int32'
          ? new Int32Array(n)
          : feature.dtype === 'float32'
            ? new Float32Array(n)
            : new Float64Array(n);
      values.forEach((v, i) => {
        if (typeof v === 'number') data[i] = v;
        else if (typeof v === 'bigint') data[i] = Number(v);
        else if (typeof v === 'boolean') data[i] = v ? 1 : 0;
      });
      return single(data);
    }
    case 'int64': {
      const data = new BigInt64Array(n);
      values.forEach((v, i) => {
        if (typeof v === 'bigint') data[i] = v;
        else if (typeof v === 'number' && Number.isFinite(v)) data[i] = BigInt(Math.trunc(v));
      });
      return single(data);
    }
    case 'bool': {
      const data = new Uint8Array((n + 7) >> 3);
      values.forEach((v, i) => {
        if (v === true) data[i >> 3]! |= 1 << (i & 7);
      });
      return single(data);
    }
    default:
      throw new Error(`not a fixed-width dtype: ${feature.dtype}`);
  }
}

const IMAGE_FIELDS: Record<string, Feature> = {
  bytes: { type: 'value', dtype: 'binary' },
  path: { type: 'value', dtype: 'string' },
};

/** Appends a column's field nodes and buffers in the depth-first order the IPC format prescribes. */
function assemble(feature: Feature, values: readonly unknown[], into: Assembly): void {
  const { buffer: valid, nullCount } = validity(values);
  into.nodes.push(new FieldNode(values.length, nullCount));
  into.buffers.push(valid);
  switch (feature.type) {
    case 'value':
      if (feature.dtype === 'string' || feature.dtype === 'binary') {
        into.buffers.push(...variableWidth(values, feature.dtype === 'string'));
      } else {
        into.buffers.push(fixedWidth(feature, values));
      }
      return;
    case 'image':
    case 'struct': {
      const fields = feature.type === 'image' ? IMAGE_FIELDS : feature.fields;
      for (const [name, child] of Object.entries(fields)) {
        assemble(
          child,
          values.map((v) => (isNull(v) ? null : (v as Row)[name])),
          into,
        );
      }
      return;
    }
    case 'list': {
      const offsets = new Int32Array(values.length + 1);
      const items: unknown[] = [];
      values.forEach((v, i) => {
        if (Array.isArray(v)) for (const item of v) items.push(item);
        offsets[i + 1] = items.length;
      });
      into.buffers.push(single(offsets));
      assemble(feature.item, items, into);
      return;
    }
  }
}

const PADDING = new Uint8Array(8);
const pad8 = (n: number) => (n + 7) & ~7;

/** Encodes `rows` as one IPC stream record-batch message: chunks to write in order, and their total size. */
export function encodeBatchMessage(
  features: Features,
  rows: readonly Row[],
): { chunks: Uint8Array[]; byteLength: number } {
  const assembly: Assembly = { nodes: [], buffers: [] };
  for (const [name, feature] of Object.entries(features)) {
    assemble(
      feature,
      rows.map((r) => r[name] ?? null),
      assembly,
    );
  }
  const regions: BufferRegion[] = [];
  let bodyLength = 0;
  for (const buffer of assembly.buffers) {
    regions.push(new BufferRegion(bodyLength, buffer.byteLength));
    bodyLength += pad8(buffer.byteLength);
  }
  const header = Message.encode(
    Message.from(new RecordBatchHeader(rows.length, assembly.nodes, regions, null), bodyLength),
  );
  // Stream framing: continuation marker, metadata length (padded to 8 with the prefix), flatbuffer.
  const metadataLength = pad8(header.byteLength + 8) - 8;
  const chunks: Uint8Array[] = [asBytes(Int32Array.of(-1, metadataLength)), header];
  if (metadataLength > header.byteLength)
    chunks.push(PADDING.subarray(0, metadataLength - header.byteLength));
  for (const buffer of assembly.buffers) {
    chunks.push(...buffer.pieces);
    const padding = pad8(buffer.byteLength) - buffer.byteLength;
    if (padding > 0) chunks.push(PADDING.subarray(0, padding));
  }
  return { chunks, byteLength: 8 + metadataLength + bodyLength };
}

/** The end-of-stream marker. */
export const END_OF_STREAM = asBytes(Int32Array.of(-1, 0));
