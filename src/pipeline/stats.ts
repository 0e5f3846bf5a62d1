// Counters, value summaries and histograms per stage; mergeable across tasks so a run's stats.json is exact.

export interface Summary {
  count: number;
  sum: number;
  min: number;
  max: number;
}

export interface Histogram {
  /** Lower edge of the first bin. */
  min: number;
  /** Upper edge of the last bin; values outside [min, max] go to the first / last bin. */
  max: number;
  counts: number[];
}

export interface StageStatsJson {
  name: string;
  /** Records that entered the stage (absent for sources). */
  in?: number;
  /** Records the stage passed on. */
  out: number;
  /** Records dropped, by snake_case reason. */
  dropped: Record<string, number>;
  /** Other counters (bytes, errors by kind, cache hits…). */
  counters: Record<string, number>;
  summaries: Record<string, Summary>;
  histograms: Record<string, Histogram>;
  /** Wall time attributed to this stage (its own work, upstream time subtracted). */
  timeMs: number;
}

export class StageStats {
  readonly name: string;
  in = 0;
  out = 0;
  timeMs = 0;
  readonly dropped = new Map<string, number>();
  readonly counters = new Map<string, number>();
  readonly summaries = new Map<string, Summary>();
  readonly histograms = new Map<string, Histogram>();

  constructor(name: string) {
    this.name = name;
  }

  /** Counts one dropped record under a snake_case reason. */
  drop(reason: string, n = 1): void {
    this.dropped.set(reason, (this.dropped.get(reason) ?? 0) + n);
  }

  count(key: string, n = 1): void {
    this.counters.set(key, (this.counters.get(key) ?? 0) + n);
  }

  /** Adds a value to a running count/sum/min/max summary. */
  observe(key: string, value: number): void {
    if (!Number.isFinite(value)) return;
    const s = this.summaries.get(key);
    if (!s) {
      this.summaries.set(key, { count: 1, sum: value, min: value, max: value });
      return;
    }
    s.count += 1;
    s.sum += value;
    if (value < s.min) s.min = value;
    if (value > s.max) s.max = value;
  }

  /** Adds a value to a fixed-bin histogram (bins are fixed at the first call so tasks merge exactly). */
  histogram(key: string, value: number, range: { min: number; max: number; bins: number }): void {
    if (!Number.isFinite(value)) return;
    let h = this.histograms.get(key);
    if (!h) {
      h = { min: range.min, max: range.max, counts: new Array<number>(range.bins).fill(0) };
      this.histograms.set(key, h);
    }
    const bins = h.counts.length;
    const at = Math.floor(((value - h.min) / (h.max - h.min)) * bins);
    const bin = Math.min(bins - 1, Math.max(0, at));
    h.counts[bin] = (h.counts[bin] ?? 0) + 1;
  }

  get droppedTotal(): number {
    let total = 0;
    for (const n of this.dropped.values()) total += n;
    return total;
  }

  toJSON(): StageStatsJson {
    return {
      name: this.name,
      in: this.in,
      out: this.out,
      dropped: Object.fromEntries(this.dropped),
      counters: Object.fromEntries(this.counters),
      summaries: Object.fromEntries(this.summaries),
      histograms: Object.fromEntries(this.histograms),
      timeMs: Math.round(this.timeMs * 10) / 10,
    };
  }
}

function addInto(target: Record<string, number>, source: Record<string, number>): void {
  for (const [k, v] of Object.entries(source)) target[k] = (target[k] ?? 0) + v;
}

/** Merges the stats of the same pipeline from several tasks, stage by stage (by position). */
export function mergeStageStats(perTask: StageStatsJson[][]): StageStatsJson[] {
  const merged: StageStatsJson[] = [];
  for (const stages of perTask) {
    stages.forEach((stage, i) => {
      const into = merged[i];
      if (!into) {
        merged[i] = structuredClone(stage);
        return;
      }
      if (stage.in !== undefined) into.in = (into.in ?? 0) + stage.in;
      into.out += stage.out;
      into.timeMs = Math.round((into.timeMs + stage.timeMs) * 10) / 10;
      addInto(into.dropped, stage.dropped);
      addInto(into.counters, stage.counters);
      for (const [k, s] of Object.entries(stage.summaries)) {
        const t = into.summaries[k];
        if (!t) into.summaries[k] = { ...s };
        else {
          t.count += s.count;
          t.sum += s.sum;
          t.min = Math.min(t.min, s.min);
          t.max = Math.max(t.max, s.max);
        }
      }
      for (const [k, h] of Object.entries(stage.histograms)) {
        const t = into.histograms[k];
        if (!t) into.histograms[k] = { ...h, counts: [...h.counts] };
        else
          h.counts.forEach((c, bin) => {
            t.counts[bin] = (t.counts[bin] ?? 0) + c;
          });
      }
    });
  }
  return merged;
}
