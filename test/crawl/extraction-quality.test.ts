// Extraction quality on the real gold sets, held at the goals (figures: npm run bench -- web-quality).
import { describe, expect, test } from 'vitest';
import { keptInOrder, scoreSnippets, shingleScores } from '../../src/crawl/extract/evaluate.js';
import { readabilityScores, trafilaturaScores } from '../../src/crawl/extract/quality-sets.js';
import { corporaDir, hasCorpora } from '../helpers/paths.js';

describe('scoring helpers', () => {
  test('snippets, shingles and images in order', () => {
    expect(scoreSnippets('a  b c\nd', ['b c d', 'x'], ['a b', 'y'])).toMatchObject({
      truePositives: 1,
      falseNegatives: 1,
      falsePositives: 1,
    });
    expect(shingleScores('one two three four five', 'one two three four six').f1).toBeCloseTo(0.5);
    expect(keptInOrder(['a', 'b', 'c'], ['b', 'a', 'c'])).toBe(2);
  });
});

describe.skipIf(!hasCorpora)('extraction quality on the gold sets', () => {
  test('trafilatura evaluation pages: snippet F1 ≥ 0.90', async () => {
    const t = await trafilaturaScores(corporaDir);
    console.log(
      `trafilatura eval: P ${t.precision.toFixed(3)} R ${t.recall.toFixed(3)} F1 ${t.f1.toFixed(3)}`,
    );
    expect(t.pages).toBe(80);
    expect(t.f1).toBeGreaterThanOrEqual(0.9);
  });

  test('readability test pages: shingle F1 ≥ 0.95 and ≥ 90% of images kept in order', async () => {
    const r = await readabilityScores(corporaDir);
    console.log(
      `readability pages: P ${r.precision.toFixed(3)} R ${r.recall.toFixed(3)} F1 ${r.f1.toFixed(3)}, images ${r.imagesKept}/${r.imagesExpected}`,
    );
    expect(r.pages).toBe(78);
    expect(r.f1).toBeGreaterThanOrEqual(0.95);
    expect(r.imagesKept / r.imagesExpected).toBeGreaterThanOrEqual(0.9);
  });
});
