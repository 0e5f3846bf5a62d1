// Planted duplicates for dedup tests: random-word texts (no accidental overlap between documents) and
// the exact Jaccard similarity of their 5-gram shingle sets.

/** Random lowercase words. */
export function randomWords(random: () => number, n: number): string[] {
  return Array.from({ length: n }, () => {
    const len = 3 + Math.floor(random() * 7);
    return Array.from({ length: len }, () => String.fromCharCode(97 + Math.floor(random() * 26))).join('');
  });
}

/** Exact Jaccard similarity of two word lists' n-gram shingle sets. */
export function shingleJaccard(a: string[], b: string[], n = 5): number {
  const set = (w: string[]) =>
    new Set(w.slice(0, w.length - n + 1).map((_, i) => w.slice(i, i + n).join(' ')));
  const sa = set(a);
  const sb = set(b);
  let inter = 0;
  for (const s of sa) if (sb.has(s)) inter += 1;
  return inter / (sa.size + sb.size - inter);
}

/** Replaces words at random (probability `rate`) until the shingle Jaccard is within `tolerance` of `target`. */
export function editToJaccard(
  random: () => number,
  base: string[],
  target: number,
): { words: string[]; jaccard: number } {
  let best = { words: base, jaccard: 1 };
  // Each replaced word breaks up to 5 shingles: pick the rate from the target, then keep the closest try.
  for (let attempt = 0; attempt < 40; attempt++) {
    const rate = Math.max(0.001, (1 - target) / (1 + target) / 5) * (0.6 + 0.8 * random());
    const words = base.map((w) => (random() < rate ? `${w}q` : w));
    const jaccard = shingleJaccard(base, words);
    if (Math.abs(jaccard - target) < Math.abs(best.jaccard - target)) best = { words, jaccard };
    if (Math.abs(jaccard - target) < 0.01) break;
  }
  return best;
}
