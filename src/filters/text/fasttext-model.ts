// Reads a supervised fastText model file (.bin / .ftz, format version 12) into typed arrays for
// fasttext-predict.ts: the vocabulary with each word's subword rows, the pruned subword-bucket index,
// the input embeddings (product-quantized rows decoded once, to the exact float32 products fastText adds)
// and the output matrix with the hierarchical-softmax tree. Only what lid.176.ftz uses is supported.
import { WeftError } from '../../errors.js';
import { entryIndex, PrunedIndex, subwordRowsOf } from './fasttext-hashing.js';

const MAGIC = 793712314;
const VERSION = 12;
const LOSS_HS = 1;
const MODEL_SUPERVISED = 3;
const KSUB = 256;

export interface FastTextModel {
  dim: number;
  minn: number;
  maxn: number;
  bucket: number;
  nwords: number;
  /** Label strings (`__label__en`…), by label index. */
  labels: string[];
  /** Entries' bytes, concatenated, and where each starts (length: entries + 1). */
  entryBytes: Uint8Array;
  entryStart: Int32Array;
  /** Entries' fastText hashes, and an open-addressing table of entry indices by hash (−1: empty). */
  entryHash: Int32Array;
  entryTable: Int32Array;
  /** The entry of `</s>` (the end of a line), or −1. */
  eos: number;
  /** Per entry: 1 for a word, 0 for a label. */
  isWord: Uint8Array;
  /** Per entry: first index into `subwordRows` (length: entries + 1). */
  subwordStart: Int32Array;
  /** Per word: its own row, then its character n-gram rows (fastText's `getSubwords`). */
  subwordRows: Int32Array;
  /** `pruneidx` (bucket id → row offset after the words), for pruned models. */
  pruned: PrunedIndex | undefined;
  /** −1: no pruning (bucket id is the offset), 0: no subword rows at all, > 0: use `prunedRow`. */
  pruneSize: number;
  /** Input rows (rows × dim): row r's j-th value is the float32 product fastText adds for it. */
  rows: Float32Array;
  /** Output rows (labels − 1 internal tree nodes × dim). */
  output: Float32Array;
  /** Hierarchical-softmax tree over 2·labels − 1 nodes (leaves are the labels). */
  left: Int32Array;
  right: Int32Array;
}

class Reader {
  offset = 0;
  private readonly view: DataView;
  constructor(readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  i32(): number {
    const v = this.view.getInt32(this.offset, true);
    this.offset += 4;
    return v;
  }
  i64(): number {
    const v = Number(this.view.getBigInt64(this.offset, true));
    this.offset += 8;
    return v;
  }
  f64(): number {
    const v = this.view.getFloat64(this.offset, true);
    this.offset += 8;
    return v;
  }
  u8(): number {
    return this.bytes[this.offset++]!;
  }
  f32s(n: number): Float32Array {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = this.view.getFloat32(this.offset + 4 * i, true);
    this.offset += 4 * n;
    return out;
  }
  take(n: number): Uint8Array {
    const out = this.bytes.subarray(this.offset, this.offset + n);
    this.offset += n;
    return out;
  }
}

function unsupported(what: string): never {
  throw new WeftError('E_SERVICE', `fastText model: ${what} is not supported by weft's reader`, {
    data: { what },
  });
}

export function readFastTextModel(bytes: Uint8Array): FastTextModel {
  const r = new Reader(bytes);
  if (r.i32() !== MAGIC || r.i32() !== VERSION) unsupported('this file format (magic/version)');
  const [dim, , , , , wordNgrams, loss, model, bucket, minn, maxn] = Array.from({ length: 12 }, () =>
    r.i32(),
  );
  r.f64(); // sampling threshold t
  if (model !== MODEL_SUPERVISED || loss !== LOSS_HS)
    unsupported('a model other than supervised with hs loss');
  if (wordNgrams! > 1) unsupported('word n-grams > 1');

  const size = r.i32();
  const nwords = r.i32();
  const nlabels = r.i32();
  r.i64(); // ntokens
  const pruneSize = r.i64();
  const words: Uint8Array[] = [];
  const labels: string[] = [];
  const counts: number[] = [];
  const isWord = new Uint8Array(size);
  for (let i = 0; i < size; i++) {
    const end = bytes.indexOf(0, r.offset);
    const word = r.take(end - r.offset);
    r.offset += 1;
    const count = r.i64();
    const type = r.u8();
    words.push(word);
    isWord[i] = type === 0 ? 1 : 0;
    if (type === 1) {
      labels.push(new TextDecoder().decode(word));
      counts.push(count);
    }
  }
  let pruned: PrunedIndex | undefined;
  if (pruneSize > 0) {
    pruned = new PrunedIndex(bucket!, pruneSize);
    for (let i = 0; i < pruneSize; i++) pruned.set(r.i32(), r.i32());
  }

  if (r.u8() !== 1) unsupported('a non-quantized input matrix');
  const qnorm = r.u8() === 1;
  const m = r.i64();
  const n = r.i64();
  const codes = r.take(r.i32());
  const pq = { dim: r.i32(), nsubq: r.i32(), dsub: r.i32(), lastdsub: r.i32() };
  const centroids = r.f32s(pq.dim * KSUB);
  let normCodes: Uint8Array | undefined;
  let normCentroids: Float32Array | undefined;
  if (qnorm) {
    normCodes = r.take(m);
    const npq = { dim: r.i32(), nsubq: r.i32(), dsub: r.i32(), lastdsub: r.i32() };
    normCentroids = r.f32s(npq.dim * KSUB);
  }
  if (r.u8() !== 0) unsupported('a quantized output matrix');
  const outRows = r.i64();
  const outCols = r.i64();
  const output = r.f32s(outRows * outCols);
  if (n !== dim || outCols !== dim || outRows !== nlabels) unsupported('inconsistent matrix shapes');

  // QuantMatrix::addToVector adds `norm * centroid[k]` (float32) to x[k]: decode those products once.
  const rows = new Float32Array(m * dim);
  for (let t = 0; t < m; t++) {
    const norm = qnorm ? normCentroids![normCodes![t]!]! : 1;
    for (let s = 0; s < pq.nsubq; s++) {
      const code = codes[t * pq.nsubq + s]!;
      const last = s === pq.nsubq - 1;
      const d = last ? pq.lastdsub : pq.dsub;
      const c = last ? s * KSUB * pq.dsub + code * pq.lastdsub : (s * KSUB + code) * pq.dsub;
      for (let k = 0; k < d; k++) rows[t * dim + s * pq.dsub + k] = Math.fround(norm * centroids[c + k]!);
    }
  }

  const partial = { minn: minn!, maxn: maxn!, bucket: bucket!, nwords, pruned, pruneSize };
  const subwordStart = new Int32Array(size + 1);
  const all: number[] = [];
  for (let i = 0; i < size; i++) {
    subwordStart[i] = all.length;
    all.push(i);
    const word = words[i]!;
    if (String.fromCharCode(...word) !== '</s>') {
      const wrapped = new Uint8Array(word.length + 2);
      wrapped[0] = 0x3c;
      wrapped.set(word, 1);
      wrapped[word.length + 1] = 0x3e;
      const out = new Int32Array(3 * wrapped.length);
      const end = subwordRowsOf(partial, wrapped, wrapped.length, out, 0);
      for (let k = 0; k < end; k++) all.push(out[k]!);
    }
  }
  subwordStart[size] = all.length;

  const { left, right } = huffmanTree(counts);
  return {
    dim: dim!,
    ...partial,
    labels,
    ...entryIndex(words),
    isWord,
    subwordStart,
    subwordRows: Int32Array.from(all),
    rows,
    output,
    left,
    right,
  };
}

/** HierarchicalSoftmaxLoss::buildTree: labels sorted by count (as stored), merged two at a time. */
function huffmanTree(counts: number[]): { left: Int32Array; right: Int32Array } {
  const osz = counts.length;
  const nodes = 2 * osz - 1;
  const count = new Float64Array(nodes).fill(1e15);
  const left = new Int32Array(nodes).fill(-1);
  const right = new Int32Array(nodes).fill(-1);
  for (let i = 0; i < osz; i++) count[i] = counts[i]!;
  let leaf = osz - 1;
  let node = osz;
  for (let i = osz; i < nodes; i++) {
    const mini = [0, 0];
    for (let j = 0; j < 2; j++) {
      if (leaf >= 0 && count[leaf]! < count[node]!) mini[j] = leaf--;
      else mini[j] = node++;
    }
    left[i] = mini[0]!;
    right[i] = mini[1]!;
    count[i] = count[mini[0]!]! + count[mini[1]!]!;
  }
  return { left, right };
}
