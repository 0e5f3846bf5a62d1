// MinHash signatures: normalization, the Jaccard estimate against exact shingle-set Jaccard, and the
// LSH banding's detection curve.
import { expect, test } from 'vitest';
import {
  DEFAULT_MINHASH,
  detectionProbability,
  estimatedJaccard,
  MinHasher,
  wordHashes,
} from '../../src/dedup/minhash.js';
import { seededRandom } from '../../src/demo/synthetic-text.js';
import { randomWords, shingleJaccard } from '../helpers/planted.js';

test('normalization: case, punctuation, white space, diacritics and digits do not change the signature', () => {
  const hasher = new MinHasher();
  const a = hasher.signature('The Café opened in 1998, near the old harbour!  Everyone came.')!.slice();
  const b = hasher.signature('the cafe opened in 2024 near the old harbour everyone came')!.slice();
  expect(estimatedJaccard(a, b)).toBe(1);
  const lanes = { lanes: new Uint32Array(4) };
  expect(wordHashes('Ünïcödé wörds, and   more-words: 42', lanes)).toBe(6);
  expect(hasher.signature('  ... !!! ')).toBeUndefined();
});

test('the estimate tracks exact shingle Jaccard (112 bins, one-permutation hashing)', () => {
  const random = seededRandom(11);
  const hasher = new MinHasher();
  let sumError = 0;
  let pairs = 0;
  for (const editRate of [0.01, 0.03, 0.06, 0.1, 0.2, 0.4]) {
    for (let k = 0; k < 20; k++) {
      const base = randomWords(random, 400);
      const edited = base.map((w) => (random() < editRate ? `${w}x` : w));
      const exact = shingleJaccard(base, edited);
      const estimate = estimatedJaccard(
        hasher.signature(base.join(' '))!.slice(),
        hasher.signature(edited.join(' '))!,
      );
      sumError += Math.abs(estimate - exact);
      pairs += 1;
      // 112 bins: the standard deviation of the estimate is at most sqrt(0.25 / 112) ≈ 0.047.
      expect(Math.abs(estimate - exact)).toBeLessThan(0.2);
    }
  }
  expect(sumError / pairs).toBeLessThan(0.05);
});

test('banding: datatrove’s 14 × 8 gives a threshold near 0.72', () => {
  const { bands, rowsPerBand } = DEFAULT_MINHASH;
  expect(detectionProbability(0.8, bands, rowsPerBand)).toBeCloseTo(0.924, 3);
  expect(detectionProbability(0.5, bands, rowsPerBand)).toBeLessThan(0.06);
  expect(detectionProbability(0.9, bands, rowsPerBand)).toBeGreaterThan(0.999);
  const hasher = new MinHasher();
  const sig = hasher.signature('a b c d e f g h i j')!;
  expect(hasher.bandHashes(sig)).toHaveLength(bands * 2);
});
