// Scoring an extractor against gold data, as the quality benchmark and its regression test do:
// trafilatura-style snippets (must / must not appear) and Readability-style expected content
// (word 4-gram shingles, images kept in order).

export function normalizeSpace(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

export interface SnippetCounts {
  truePositives: number;
  falseNegatives: number;
  falsePositives: number;
  missed: string[];
  leaked: string[];
}

/** `with` snippets found are true positives; `without` snippets found are false positives. */
export function scoreSnippets(
  text: string,
  withSnippets: string[],
  withoutSnippets: string[],
): SnippetCounts {
  const t = normalizeSpace(text);
  const missed = withSnippets.filter((s) => !t.includes(normalizeSpace(s)));
  const leaked = withoutSnippets.filter((s) => t.includes(normalizeSpace(s)));
  return {
    truePositives: withSnippets.length - missed.length,
    falseNegatives: missed.length,
    falsePositives: leaked.length,
    missed,
    leaked,
  };
}

export function prf(tp: number, fp: number, fn: number): { precision: number; recall: number; f1: number } {
  const precision = tp + fp ? tp / (tp + fp) : 1;
  const recall = tp + fn ? tp / (tp + fn) : 1;
  return { precision, recall, f1: precision + recall ? (2 * precision * recall) / (precision + recall) : 0 };
}

export function shingles(text: string, n = 4): Set<string> {
  const words = normalizeSpace(text).toLowerCase().split(' ').filter(Boolean);
  const out = new Set<string>();
  for (let i = 0; i + n <= words.length; i++) out.add(words.slice(i, i + n).join(' '));
  if (words.length > 0 && words.length < n) out.add(words.join(' '));
  return out;
}

/** Shingle precision / recall / F1 of `got` against `want`. */
export function shingleScores(got: string, want: string): { precision: number; recall: number; f1: number } {
  const g = shingles(got);
  const w = shingles(want);
  let common = 0;
  for (const s of g) if (w.has(s)) common++;
  return prf(common, g.size - common, w.size - common);
}

/** Length of the longest common subsequence: expected images kept, in order. */
export function keptInOrder(want: readonly string[], got: readonly string[]): number {
  const dp = new Array<number>(got.length + 1).fill(0);
  for (const x of want) {
    let prev = 0;
    for (let j = 1; j <= got.length; j++) {
      const tmp = dp[j]!;
      dp[j] = x === got[j - 1] ? prev + 1 : Math.max(dp[j]!, dp[j - 1]!);
      prev = tmp;
    }
  }
  return dp[got.length]!;
}
