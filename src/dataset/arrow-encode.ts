// Builds Arrow column data straight from JS values with one copy per buffer (no Builder growth copies):
// this is the writer's hot path, and image bytes dominate it.
import { type Data, type DataType, makeData, type Struct } from 'apache-arrow';
import { arrowType, type Feature } from './features.js';

export type ImageCell = { bytes: Uint8Array | null; path: string | null } | null;

function validity(values: readonly unknown[]): { nullBitmap: Uint8Array | undefined; nullCount: number } {
  let nullCount = 0;
  for (const v of values) if (v === null || v === undefined) nullCount += 1;
  if (nullCount === 0) return { nullBitmap: undefined, nullCount };
  const bitmap = new Uint8Array((values.length + 7) >> 3);
  values.forEach((v, i) => {
    if (v !== null && v !== undefined) bitmap[i >> 3]! |= 1 << (i & 7);
  });
  return { nullBitmap: bitmap, nullCount };
}

function encodeStrings(type: DataType, values: readonly unknown[]): Data {
  const n = values.length;
  const offsets = new Int32Array(n + 1);
  let total = 0;
  const strings: (string | null)[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const v = values[i];
    const s = v === null || v === undefined ? null : typeof v === 'string' ? v : String(v);
    strings[i] = s;
    if (s !== null) total += Buffer.byteLength(s, 'utf8');
    if (total > 0x7fffffff) throw new RangeError('string column exceeds 2 GiB in one record batch');
    offsets[i + 1] = total;
  }
  const data = Buffer.allocUnsafe(total);
  let at = 0;
  for (const s of strings) if (s !== null && s.length > 0) at += data.write(s, at, 'utf8');
  return makeData({ type, length: n, valueOffsets: offsets, data, ...validity(values) } as never);
}

function encodeBinary(type: DataType, values: readonly unknown[]): Data {
  const n = values.length;
  const offsets = new Int32Array(n + 1);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i] as Uint8Array | null | undefined;
    if (v) total += v.byteLength;
    if (total > 0x7fffffff) throw new RangeError('binary column exceeds 2 GiB in one record batch');
    offsets[i + 1] = total;
  }
  const data = new Uint8Array(total);
  for (let i = 0; i < n; i++) {
    const v = values[i] as Uint8Array | null | undefined;
    if (v) data.set(v, offsets[i]!);
  }
  return makeData({ type, length: n, valueOffsets: offsets, data, ...validity(values) } as never);
}

function encodeNumbers(
  type: DataType,
  values: readonly unknown[],
  ArrayType: Int32ArrayConstructor | Float32ArrayConstructor | Float64ArrayConstructor,
): Data {
  const data = new ArrayType(values.length);
  values.forEach((v, i) => {
    if (typeof v === 'number') data[i] = v;
    else if (typeof v === 'bigint') data[i] = Number(v);
    else if (typeof v === 'boolean') data[i] = v ? 1 : 0;
  });
  return makeData({ type, length: values.length, data, ...validity(values) } as never);
}

function encodeInt64(type: DataType, values: readonly unknown[]): Data {
  const data = new BigInt64Array(values.length);
  values.forEach((v, i) => {
    if (typeof v === 'bigint') data[i] = v;
    else if (typeof v === 'number' && Number.isFinite(v)) data[i] = BigInt(Math.trunc(v));
  });
  return makeData({ type, length: values.length, data, ...validity(values) } as never);
}

function encodeBools(type: DataType, values: readonly unknown[]): Data {
  const data = new Uint8Array((values.length + 7) >> 3);
  values.forEach((v, i) => {
    if (v === true) data[i >> 3]! |= 1 << (i & 7);
  });
  return makeData({ type, length: values.length, data, ...validity(values) } as never);
}

function encodeStruct(
  type: Struct,
  fields: Readonly<Record<string, Feature>>,
  values: readonly unknown[],
): Data {
  const children = Object.entries(fields).map(([name, feature]) =>
    encodeColumnWithType(
      feature,
      type.children.find((c) => c.name === name)!.type,
      values.map((v) => (v === null || v === undefined ? null : (v as Record<string, unknown>)[name])),
    ),
  );
  return makeData({ type, length: values.length, children, ...validity(values) } as never);
}

function encodeColumnWithType(feature: Feature, type: DataType, values: readonly unknown[]): Data {
  switch (feature.type) {
    case 'value':
      switch (feature.dtype) {
        case 'string':
          return encodeStrings(type, values);
        case 'binary':
          return encodeBinary(type, values);
        case 'int32':
          return encodeNumbers(type, values, Int32Array);
        case 'float32':
          return encodeNumbers(type, values, Float32Array);
        case 'float64':
          return encodeNumbers(type, values, Float64Array);
        case 'int64':
          return encodeInt64(type, values);
        case 'bool':
          return encodeBools(type, values);
      }
      break;
    case 'image':
      return encodeStruct(
        type as Struct,
        { bytes: { type: 'value', dtype: 'binary' }, path: { type: 'value', dtype: 'string' } },
        values,
      );
    case 'struct':
      return encodeStruct(type as Struct, feature.fields, values);
    case 'list': {
      const offsets = new Int32Array(values.length + 1);
      const items: unknown[] = [];
      values.forEach((v, i) => {
        if (Array.isArray(v)) for (const item of v) items.push(item);
        offsets[i + 1] = items.length;
      });
      const child = encodeColumnWithType(feature.item, type.children[0]!.type, items);
      return makeData({
        type,
        length: values.length,
        valueOffsets: offsets,
        child,
        ...validity(values),
      } as never);
    }
  }
  throw new Error(`cannot encode feature ${JSON.stringify(feature)}`);
}

/** Encodes one column of a record batch. `values` are plain JS values shaped like the feature. */
export function encodeColumn(feature: Feature, values: readonly unknown[], type = arrowType(feature)): Data {
  return encodeColumnWithType(feature, type, values);
}
