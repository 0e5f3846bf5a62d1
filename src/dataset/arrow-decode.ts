// Turns Arrow column data back into plain JS values, column at a time (much faster than row proxies).
// Handles what `datasets` writes as well as what weft writes: large/view strings, dictionaries, int64.
import { type Data, DataType, makeVector, Type } from 'apache-arrow';

function isValid(data: Data, i: number): boolean {
  if (data.nullCount === 0 || !data.nullBitmap || data.nullBitmap.length === 0) return true;
  const at = data.offset + i;
  return ((data.nullBitmap[at >> 3]! >> (at & 7)) & 1) === 1;
}

function offsetAt(data: Data, i: number): number {
  return Number((data.valueOffsets as ArrayLike<number | bigint>)[data.offset + i]);
}

function decodeVariableWidth(data: Data, asString: boolean): unknown[] {
  const out: unknown[] = new Array(data.length);
  const values = data.values as Uint8Array;
  const buffer = asString ? Buffer.from(values.buffer, values.byteOffset, values.byteLength) : undefined;
  for (let i = 0; i < data.length; i++) {
    if (!isValid(data, i)) {
      out[i] = null;
      continue;
    }
    const start = offsetAt(data, i);
    const end = offsetAt(data, i + 1);
    // Copies: a view would pin the whole record batch in memory for as long as one value lives.
    out[i] = buffer ? buffer.toString('utf8', start, end) : values.slice(start, end);
  }
  return out;
}

/** Decodes an Arrow `Data` chunk into an array of JS values (strings, numbers, Uint8Array, arrays, objects). */
export function decodeData(data: Data): unknown[] {
  const type = data.type as DataType;
  const n = data.length;
  if (DataType.isUtf8(type) || DataType.isLargeUtf8(type)) return decodeVariableWidth(data, true);
  if (DataType.isBinary(type) || DataType.isLargeBinary(type)) return decodeVariableWidth(data, false);
  if (DataType.isBool(type)) {
    const out: unknown[] = new Array(n);
    const bits = data.values as Uint8Array;
    for (let i = 0; i < n; i++) {
      const at = data.offset + i;
      out[i] = isValid(data, i) ? ((bits[at >> 3]! >> (at & 7)) & 1) === 1 : null;
    }
    return out;
  }
  if (DataType.isInt(type) || DataType.isFloat(type)) {
    const values = data.values as ArrayLike<number | bigint>;
    const stride = DataType.isInt(type) && type.bitWidth === 64 && !(values instanceof BigInt64Array) ? 2 : 1;
    const out: unknown[] = new Array(n);
    if (stride === 2) {
      const big = makeVector(data);
      for (let i = 0; i < n; i++) out[i] = isValid(data, i) ? Number(big.get(i)) : null;
      return out;
    }
    for (let i = 0; i < n; i++) out[i] = isValid(data, i) ? Number(values[data.offset + i]) : null;
    return out;
  }
  if (DataType.isList(type) || type.typeId === Type.LargeList) {
    const child = decodeData(data.children[0]!);
    const out: unknown[] = new Array(n);
    for (let i = 0; i < n; i++)
      out[i] = isValid(data, i) ? child.slice(offsetAt(data, i), offsetAt(data, i + 1)) : null;
    return out;
  }
  if (DataType.isFixedSizeList(type)) {
    const child = decodeData(data.children[0]!);
    const size = type.listSize;
    const out: unknown[] = new Array(n);
    for (let i = 0; i < n; i++) {
      const at = data.offset + i;
      out[i] = isValid(data, i) ? child.slice(at * size, (at + 1) * size) : null;
    }
    return out;
  }
  if (DataType.isStruct(type)) {
    const columns = type.children.map((field, c) => [field.name, decodeData(data.children[c]!)] as const);
    const out: unknown[] = new Array(n);
    for (let i = 0; i < n; i++) {
      if (!isValid(data, i)) {
        out[i] = null;
        continue;
      }
      const row: Record<string, unknown> = {};
      // Arrow JS slices struct children together with the parent, so child index i is row i.
      for (const [name, values] of columns) row[name] = values[i];
      out[i] = row;
    }
    return out;
  }
  if (DataType.isDictionary(type)) {
    const vector = makeVector(data);
    const out: unknown[] = new Array(n);
    for (let i = 0; i < n; i++) out[i] = vector.get(i);
    return out;
  }
  // Dates, timestamps, views and the rest: Arrow's own getters, converted to JSON-able values.
  const vector = makeVector(data);
  const out: unknown[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const v = vector.get(i) as unknown;
    out[i] =
      typeof v === 'bigint'
        ? Number(v)
        : v && typeof v === 'object' && 'toJSON' in v
          ? (v as { toJSON(): unknown }).toJSON()
          : v;
  }
  return out;
}
