// Pins exactly what the text-filter presets keep and drop on fixed corpora: every stage's counters
// (records in/out, drops by reason, paragraphs/lines in, kept and dropped by reason) and a digest of
// the kept documents. Speed work on the filter core and on language ID must leave all of it unchanged.
// The pinned outcomes were recorded before that work; after an intended behaviour change, re-record:
//   WEFT_UPDATE_OUTCOMES=1 npx vitest run test/filters/filter-outcomes.test.ts
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { buildFilterStages, resolveSteps } from '../../src/filters/filter-plan.js';
import { PRESET_NAMES } from '../../src/filters/presets.js';
import { runPipeline } from '../../src/pipeline/run-pipeline.js';
import { fromIterable } from '../../src/pipeline/stage.js';
import type { WebDocument } from '../../src/records/web-document.js';
import { benchArticles, readabilityPages, trafilaturaPages, wetDocument } from '../helpers/filter-corpora.js';
import { hasCorpora } from '../helpers/paths.js';

const FIXTURE = new URL('./fixtures/text-filter-outcomes.json', import.meta.url);
const update = process.env.WEFT_UPDATE_OUTCOMES === '1';
const pinned: Record<string, unknown> = existsSync(FIXTURE) ? JSON.parse(readFileSync(FIXTURE, 'utf8')) : {};

const sorted = (o: Record<string, number>) =>
  Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : 1)));

/** A preset's text filters (its image-level, NSFW and image-count steps need images, not text). */
async function outcome(preset: (typeof PRESET_NAMES)[number], docs: WebDocument[]) {
  const steps = resolveSteps({ preset }).filter(
    (s) => s.level !== 'image' && s.filter !== 'nsfw' && s.filter !== 'images-per-document',
  );
  const kept: WebDocument[] = [];
  const result = await runPipeline({
    source: fromIterable('docs', docs),
    stages: buildFilterStages(steps, 'web-documents'),
    sink: {
      name: 'collect',
      write: async (records: AsyncIterable<WebDocument>) => {
        for await (const d of records) kept.push(d);
      },
    },
  });
  const keptText = JSON.stringify(
    kept.map((d) => [d.url, d.blocks.map((b) => (b.kind === 'text' ? b.text : { image: b.src }))]),
  );
  return {
    kept: kept.length,
    keptSha256: createHash('sha256').update(keptText).digest('hex'),
    stages: result.stages.slice(1).map((s) => ({
      name: s.name,
      in: s.in,
      out: s.out,
      dropped: sorted(s.dropped),
      counters: sorted(s.counters),
    })),
  };
}

async function check(
  corpusName: string,
  docs: () => WebDocument[],
  presets: readonly (typeof PRESET_NAMES)[number][] = PRESET_NAMES,
) {
  const input = docs();
  for (const preset of presets) {
    const key = `${corpusName}/${preset}`;
    const actual = await outcome(preset, structuredClone(input));
    if (update) {
      pinned[key] = actual;
      writeFileSync(FIXTURE, `${JSON.stringify(pinned, null, 2)}\n`);
    } else {
      expect(pinned[key], `${key} has no pinned outcome (see the header of this file)`).toBeDefined();
      expect(actual, key).toEqual(pinned[key]);
    }
  }
}

describe('text-filter presets keep and drop exactly what they did', () => {
  test('the filters bench’s synthetic articles (OBELICS, with language ID)', async () => {
    await check('bench-articles', () => benchArticles(500), ['obelics']);
  });

  describe.skipIf(!hasCorpora)('real pages', () => {
    test('readability test pages, one block per paragraph, every preset', async () => {
      await check('readability-pages', readabilityPages);
    });
    test('trafilatura pages, multi-paragraph blocks between images, every preset', async () => {
      await check('trafilatura-pages', trafilaturaPages);
    });
    test('Common Crawl WET text (Spanish), every preset', async () => {
      await check('wet', () => [wetDocument()]);
    });
  });
});
