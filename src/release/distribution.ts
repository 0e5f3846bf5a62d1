// Numeric and categorical tallies for a dataset card: exact count/min/max/mean, and quantiles and
// histograms from a uniform reservoir sample once a column has more values than the sample holds.
export const RESERVOIR_SIZE = 200_000;

export interface DistributionSummary {
  count: number;
  min: number;
  max: number;
  mean: number;
  /** p5, p25, median, p75, p95 (exact while count ≤ sampled). */
  p5: number;
  p25: number;
  p50: number;
  p75: number;
  p95: number;
  /** Values the quantiles were taken from (= count unless sampled). */
  sampled: number;
}

export class Distribution {
  count = 0;
  sum = 0;
  min = Number.POSITIVE_INFINITY;
  max = Number.NEGATIVE_INFINITY;
  private sample: number[] = [];
  private seed = 0x9e3779b9;

  add(value: number): void {
    if (!Number.isFinite(value)) return;
    this.count += 1;
    this.sum += value;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
    if (this.sample.length < RESERVOIR_SIZE) this.sample.push(value);
    else {
      // Algorithm R: every value seen so far is in the sample with the same probability.
      const at = Math.floor(this.random() * this.count);
      if (at < RESERVOIR_SIZE) this.sample[at] = value;
    }
  }

  /** The sampled values, sorted (all of them while count ≤ RESERVOIR_SIZE). */
  /** Deterministic xorshift32, so the same data gives the same card. */
  private random(): number {
    let x = this.seed;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.seed = x >>> 0;
    return this.seed / 4294967296;
  }

  values(): number[] {
    return [...this.sample].sort((a, b) => a - b);
  }

  summary(): DistributionSummary | undefined {
    if (this.count === 0) return undefined;
    const sorted = this.values();
    const q = (p: number) => {
      const at = (sorted.length - 1) * p;
      const lo = Math.floor(at);
      const hi = Math.ceil(at);
      return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (at - lo);
    };
    return {
      count: this.count,
      min: this.min,
      max: this.max,
      mean: this.sum / this.count,
      p5: q(0.05),
      p25: q(0.25),
      p50: q(0.5),
      p75: q(0.75),
      p95: q(0.95),
      sampled: sorted.length,
    };
  }
}

const MAX_CATEGORIES = 100_000;

/** Counts by label; past MAX_CATEGORIES distinct labels, new ones are counted under `(other)`. */
export class Categories {
  readonly counts = new Map<string, number>();
  total = 0;

  add(label: string, n = 1): void {
    this.total += n;
    const key = this.counts.has(label) || this.counts.size < MAX_CATEGORIES ? label : '(other)';
    this.counts.set(key, (this.counts.get(key) ?? 0) + n);
  }

  /** Labels by descending count (ties by name), the rest folded into `(other)` past `limit`. */
  top(limit: number): [string, number][] {
    const sorted = [...this.counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
    if (sorted.length <= limit) return sorted;
    const rest = sorted.slice(limit - 1).reduce((n, [, c]) => n + c, 0);
    return [...sorted.slice(0, limit - 1), ['(other)', rest]];
  }
}

export interface HistogramBin {
  x0: number;
  x1: number;
  count: number;
}

/** Equal-width bins over [min, max], on a log10 scale when `log` (values must then be > 0). */
export function histogram(
  sorted: readonly number[],
  bins: number,
  log = false,
  range?: { min: number; max: number },
): HistogramBin[] {
  if (sorted.length === 0) return [];
  const first = sorted[0]!;
  const last = sorted[sorted.length - 1]!;
  if (!log && !range && last - first < bins && sorted.every(Number.isInteger)) {
    // Few distinct integers (caption lengths, turn counts): one bar per value.
    const counts = new Array<number>(last - first + 1).fill(0);
    for (const v of sorted) counts[v - first] = (counts[v - first] ?? 0) + 1;
    return counts.map((count, i) => ({ x0: first + i - 0.5, x1: first + i + 0.5, count }));
  }
  const t = (v: number) => (log ? Math.log10(v) : v);
  const lo = t(range?.min ?? first);
  const hi = t(range?.max ?? last);
  const width = hi > lo ? (hi - lo) / bins : 1;
  const n = hi > lo ? bins : 1;
  const counts = new Array<number>(n).fill(0);
  for (const v of sorted) {
    const at = Math.max(0, Math.min(n - 1, Math.floor((t(v) - lo) / width)));
    counts[at] = (counts[at] ?? 0) + 1;
  }
  const back = (x: number) => (log ? 10 ** x : x);
  return counts.map((count, i) => ({ x0: back(lo + i * width), x1: back(lo + (i + 1) * width), count }));
}

/** A uniform sample of at most `size` points (reservoir), for scatter plots. */
export class PointSample {
  readonly points: [number, number][] = [];
  seen = 0;
  private seed = 0x2545f491;
  constructor(readonly size = 4000) {}

  add(x: number, y: number): void {
    this.seen += 1;
    if (this.points.length < this.size) {
      this.points.push([x, y]);
      return;
    }
    let s = this.seed;
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    this.seed = s >>> 0;
    const at = Math.floor((this.seed / 4294967296) * this.seen);
    if (at < this.size) this.points[at] = [x, y];
  }
}
