// Column types, described once, from which come the Arrow schema the shards use and the Hugging Face
// `features` JSON that `datasets` reads. The two must agree exactly or `load_from_disk` refuses the
// dataset, so nothing else in weft builds either of them by hand.
import {
  Binary,
  Bool,
  type DataType,
  Field,
  Float32,
  Float64,
  Int32,
  Int64,
  List,
  Schema,
  Struct,
  Utf8,
} from 'apache-arrow';

export type ValueDtype = 'string' | 'int32' | 'int64' | 'float32' | 'float64' | 'bool' | 'binary';

export type Feature =
  | { readonly type: 'value'; readonly dtype: ValueDtype }
  | { readonly type: 'image' }
  | { readonly type: 'list'; readonly item: Feature }
  | { readonly type: 'struct'; readonly fields: Readonly<Record<string, Feature>> };

/** Ordered columns of a dataset (insertion order is column order). */
export type Features = Readonly<Record<string, Feature>>;

export const f = {
  string: { type: 'value', dtype: 'string' } as Feature,
  int32: { type: 'value', dtype: 'int32' } as Feature,
  int64: { type: 'value', dtype: 'int64' } as Feature,
  float32: { type: 'value', dtype: 'float32' } as Feature,
  float64: { type: 'value', dtype: 'float64' } as Feature,
  bool: { type: 'value', dtype: 'bool' } as Feature,
  binary: { type: 'value', dtype: 'binary' } as Feature,
  image: { type: 'image' } as Feature,
  list: (item: Feature): Feature => ({ type: 'list', item }),
  struct: (fields: Record<string, Feature>): Feature => ({ type: 'struct', fields }),
};

export function arrowType(feature: Feature): DataType {
  switch (feature.type) {
    case 'value':
      switch (feature.dtype) {
        case 'string':
          return new Utf8();
        case 'int32':
          return new Int32();
        case 'int64':
          return new Int64();
        case 'float32':
          return new Float32();
        case 'float64':
          return new Float64();
        case 'bool':
          return new Bool();
        case 'binary':
          return new Binary();
      }
      break;
    case 'image':
      // datasets requires exactly this struct, fields in this order, `binary` not `large_binary`.
      return new Struct([new Field('bytes', new Binary(), true), new Field('path', new Utf8(), true)]);
    case 'list':
      return new List(new Field('item', arrowType(feature.item), true));
    case 'struct':
      return new Struct(
        Object.entries(feature.fields).map(([name, child]) => new Field(name, arrowType(child), true)),
      );
  }
  throw new Error(`unknown feature ${JSON.stringify(feature)}`);
}

/** The features JSON in the form every `datasets` version from 2.x to 5.x reads (lists as `[item]`). */
export function toHfFeature(feature: Feature): unknown {
  switch (feature.type) {
    case 'value':
      return { dtype: feature.dtype, _type: 'Value' };
    case 'image':
      return { _type: 'Image' };
    case 'list':
      return [toHfFeature(feature.item)];
    case 'struct':
      return Object.fromEntries(Object.entries(feature.fields).map(([k, v]) => [k, toHfFeature(v)]));
  }
}

export function toHfFeatures(features: Features): Record<string, unknown> {
  return Object.fromEntries(Object.entries(features).map(([k, v]) => [k, toHfFeature(v)]));
}

const HF_DTYPES: Record<string, ValueDtype> = {
  string: 'string',
  large_string: 'string',
  int32: 'int32',
  int64: 'int64',
  float32: 'float32',
  float: 'float32',
  float64: 'float64',
  double: 'float64',
  bool: 'bool',
  binary: 'binary',
  large_binary: 'binary',
  int8: 'int32',
  int16: 'int32',
  uint8: 'int32',
  uint16: 'int32',
  uint32: 'int64',
};

/**
 * Reads a features JSON written by any `datasets` version (Value, Image, List, Sequence, [x], dicts,
 * ClassLabel). Returns undefined for what weft has no counterpart for (Audio, Video, Array2D…).
 */
export function fromHfFeature(json: unknown): Feature | undefined {
  if (Array.isArray(json)) {
    const item = fromHfFeature(json[0]);
    return item && f.list(item);
  }
  if (json === null || typeof json !== 'object') return undefined;
  const obj = json as Record<string, unknown>;
  switch (obj._type) {
    case 'Value': {
      const dtype = HF_DTYPES[String(obj.dtype)];
      return dtype && { type: 'value', dtype };
    }
    case 'Image':
      return f.image;
    case 'ClassLabel':
      return f.int64;
    case 'List':
    case 'LargeList': {
      const item = fromHfFeature(obj.feature);
      return item && f.list(item);
    }
    case 'Sequence': {
      const inner = obj.feature;
      // A Sequence of a dict is a struct of lists (a TFDS leftover), not a list of structs.
      if (inner && typeof inner === 'object' && !Array.isArray(inner) && !('_type' in inner)) {
        const fields: Record<string, Feature> = {};
        for (const [k, v] of Object.entries(inner)) {
          const item = fromHfFeature(v);
          if (!item) return undefined;
          fields[k] = f.list(item);
        }
        return f.struct(fields);
      }
      const item = fromHfFeature(inner);
      return item && f.list(item);
    }
    case undefined: {
      const fields: Record<string, Feature> = {};
      for (const [k, v] of Object.entries(obj)) {
        const child = fromHfFeature(v);
        if (!child) return undefined;
        fields[k] = child;
      }
      return f.struct(fields);
    }
    default:
      return undefined;
  }
}

export function arrowSchema(features: Features, metadata: Record<string, string> = {}): Schema {
  const fields = Object.entries(features).map(([name, feature]) => new Field(name, arrowType(feature), true));
  const hf = JSON.stringify({ info: { features: toHfFeatures(features) } });
  return new Schema(fields, new Map([['huggingface', hf], ...Object.entries(metadata)]));
}

/** True when a row of this dataset holds media, which caps record batches at 100 rows (as `datasets` does). */
export function holdsMedia(features: Features): boolean {
  const visit = (feature: Feature): boolean => {
    if (feature.type === 'image') return true;
    if (feature.type === 'value') return feature.dtype === 'binary';
    if (feature.type === 'list') return visit(feature.item);
    return Object.values(feature.fields).some(visit);
  };
  return Object.values(features).some(visit);
}

export function rowsPerBatchFor(features: Features): number {
  return holdsMedia(features) ? 100 : 1000;
}
