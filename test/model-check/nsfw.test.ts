import { readFile } from 'node:fs/promises';
import { describe, expect, test } from 'vitest';
import { loadNsfwjsClassifier, NSFW_CLASSES, NsfwScorer } from '../../src/model-check/scorers/nsfw.js';
import { silentLogger } from '../../src/pipeline/logger.js';
import { StageStats } from '../../src/pipeline/stats.js';
import { sha256Hex } from '../../src/records/image.js';
import { corpus, hasCorpora } from '../helpers/paths.js';
import { solidImage } from './make-samples.js';

const ctx = () => ({
  signal: new AbortController().signal,
  stats: new StageStats('score-nsfw'),
  log: silentLogger,
});

describe('NSFW scorer (nsfwjs on the tfjs wasm backend, model from the npm package)', () => {
  test('gives class probabilities that sum to 1; batched and single inference agree', async () => {
    const classifier = await loadNsfwjsClassifier('MobileNetV2');
    const size = classifier.inputSizePx;
    const images = [0, 80, 200].map((v) => new Uint8Array(size * size * 3).fill(v));
    const batch = await classifier.classify(images);
    const single = await classifier.classify([images[1]!]);
    for (const p of batch) {
      expect(Object.keys(p).sort()).toEqual([...NSFW_CLASSES].sort());
      expect(Object.values(p).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
    }
    for (const name of NSFW_CLASSES) expect(batch[1]![name]).toBeCloseTo(single[0]![name], 4);
  });

  test.skipIf(!hasCorpora)('a landscape photo is safe; a corrupt file is unscored, not dropped', async () => {
    const scorer = new NsfwScorer(await loadNsfwjsClassifier('MobileNetV2'), { batchSize: 8 });
    const bytes = new Uint8Array(await readFile(corpus('images/sharp-fixtures/Landscape_1.jpg')));
    const photo = { bytes, format: 'jpeg' as const, widthPx: 600, heightPx: 450, sha256: sha256Hex(bytes) };
    const truncated = new Uint8Array(await readFile(corpus('images/sharp-fixtures/corrupt-header.jpg')));
    const corrupt = { ...photo, bytes: truncated, sha256: sha256Hex(truncated) };
    const outcomes = await scorer.score(
      [
        { image: photo, text: '' },
        { image: corrupt, text: '' },
        { image: await solidImage([120, 160, 200]), text: '' },
      ],
      ctx(),
    );
    expect(outcomes[0]).toEqual({ ok: true, score: expect.any(Number) });
    expect(outcomes[0]!.ok && outcomes[0]!.score).toBeLessThan(0.2);
    expect(outcomes[1]).toMatchObject({ ok: false, reason: 'undecodable_image', blame: 'input' });
    expect(outcomes[2]!.ok).toBe(true);
    expect(scorer.usesText).toBe(false);
  });
});
