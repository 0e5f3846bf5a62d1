// The filter core's shared analyses against the plain semantics they replace: node filters that pass a
// block's parts on (instead of splitting its text again) keep and count exactly what splitting afresh
// does, and a document's view built from its blocks' paragraphs analyses like one built from its text.
import { describe, expect, test } from 'vitest';
import { z } from 'zod';
import { seededRandom } from '../../src/demo/synthetic-text.js';
import { defineTextFilter, END_OF_DOCUMENT } from '../../src/filters/define-node-filter.js';
import { TextView } from '../../src/filters/text/text-view.js';
import { englishStopwords } from '../../src/filters/text/word-lists.js';
import { obelicsWords } from '../../src/filters/text/words.js';
import { runPipeline } from '../../src/pipeline/run-pipeline.js';
import { fromIterable } from '../../src/pipeline/stage.js';
import type { Block, WebDocument } from '../../src/records/web-document.js';
import { readabilityPages } from '../helpers/filter-corpora.js';
import { hasCorpora } from '../helpers/paths.js';

/** A deterministic "random" verdict per text and seed (a third of the parts go). */
function unlucky(text: string, seed: number): string | undefined {
  let h = seed;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return (h >>> 0) % 3 === 0 ? `unlucky_${seed}` : undefined;
}

const coinFilter = defineTextFilter({
  name: 'coin',
  description: 'drops parts by a hash of their text',
  options: z.strictObject({ seed: z.number().int() }),
  defaults: { paragraph: { seed: 1 }, line: { seed: 1 } },
  reasonToDrop: (text, { seed }) => unlucky(text.text, seed),
});

/** What the analyses of a document view give, for comparison. */
function analyses(view: TextView) {
  return {
    text: view.text,
    words: view.words,
    wordCount: view.wordCount,
    wordHashes: [...view.wordHashes],
    stopwords: view.countIn(englishStopwords()),
    special: view.specialChars,
    punctuation: view.punctuation,
  };
}

const seen: ReturnType<typeof analyses>[] = [];
const recorder = defineTextFilter({
  name: 'record',
  description: 'records the document view',
  options: z.strictObject({}),
  defaults: { document: {} },
  reasonToDrop: (text) => {
    seen.push(analyses(text));
    return undefined;
  },
});

type Level = 'paragraph' | 'line';
const SEP: Record<Level, string> = { paragraph: '\n\n', line: '\n' };

/** The node-filter semantics written plainly: split the text at every filter. */
function reference(docs: WebDocument[], chain: [Level, number][]) {
  const counters: Record<string, number> = {};
  const add = (k: string, n = 1) => {
    counters[k] = (counters[k] ?? 0) + n;
  };
  for (const [level, seed] of chain) {
    const out: WebDocument[] = [];
    for (const doc of docs) {
      const blocks: Block[] = [];
      for (const block of doc.blocks) {
        if (block.kind !== 'text') {
          blocks.push(block);
          continue;
        }
        const kept: string[] = [];
        let parts = 0;
        for (const part of block.text.split(SEP[level])) {
          if (part.trim() === '') continue;
          parts += 1;
          const reason = part.trim() === END_OF_DOCUMENT ? undefined : unlucky(part, seed);
          if (reason) add(`${level}/${seed} ${level}s_dropped.${reason}`);
          else kept.push(part);
        }
        add(`${level}/${seed} ${level}s_in`, parts);
        add(`${level}/${seed} ${level}s_kept`, kept.length);
        if (kept.length > 0) blocks.push({ ...block, text: kept.join(SEP[level]) });
      }
      if (blocks.length === 0 && doc.blocks.length > 0) add(`${level}/${seed} dropped.no_content_left`);
      else out.push({ ...doc, blocks });
    }
    docs = out;
  }
  return { docs, counters };
}

/** Text made to hit the edges: blank parts, runs of newlines, trailing newlines, the OBELICS marker. */
function awkwardDocs(n: number): WebDocument[] {
  const random = seededRandom(7);
  const pieces = [
    'alpha',
    'beta gamma',
    'the cat sat',
    ' ',
    '\n',
    '\n\n',
    '\n\n\n',
    '  \n',
    END_OF_DOCUMENT,
    '—',
    'é ü',
  ];
  const text = () =>
    Array.from(
      { length: 1 + Math.floor(random() * 12) },
      () => pieces[Math.floor(random() * pieces.length)],
    ).join(random() < 0.5 ? '' : ' ');
  return Array.from({ length: n }, (_, i) => ({
    kind: 'web-document' as const,
    url: `https://example.com/${i}`,
    blocks: Array.from(
      { length: Math.floor(random() * 5) },
      (_, b): Block =>
        random() < 0.15
          ? { kind: 'image', src: `https://img.example/${i}/${b}.jpg` }
          : { kind: 'text', text: text() },
    ),
  }));
}

async function run(docs: WebDocument[], chain: [Level, number][]) {
  const kept: WebDocument[] = [];
  const result = await runPipeline({
    source: fromIterable('docs', docs),
    stages: [...chain.map(([level, seed]) => coinFilter.at(level, { seed })), recorder.at('document')],
    sink: {
      name: 'collect',
      write: async (records: AsyncIterable<WebDocument>) => {
        for await (const d of records) kept.push(d);
      },
    },
  });
  const counters: Record<string, number> = {};
  chain.forEach(([level, seed], i) => {
    const stage = result.stages[i + 1]!;
    for (const [k, v] of Object.entries(stage.counters)) counters[`${level}/${seed} ${k}`] = v;
    for (const [k, v] of Object.entries(stage.dropped)) counters[`${level}/${seed} dropped.${k}`] = v;
  });
  return { docs: kept, counters };
}

describe('filter core', () => {
  const chains: [Level, number][][] = [
    [
      ['paragraph', 1],
      ['paragraph', 2],
      ['paragraph', 3],
    ],
    [
      ['line', 4],
      ['paragraph', 5],
      ['line', 6],
      ['paragraph', 7],
    ],
  ];
  test.each(chains.map((c) => [c.map(([l, s]) => `${l}/${s}`).join(' → '), c] as const))(
    'node filters passing parts on keep and count what splitting afresh does (%s)',
    async (_, chain) => {
      const docs = awkwardDocs(400);
      seen.length = 0;
      const actual = await run(structuredClone(docs), chain);
      const expected = reference(structuredClone(docs), chain);
      expect(actual.docs).toEqual(expected.docs);
      expect(actual.counters).toEqual(expected.counters);
      // Every document view analyses like one built from the joined text.
      expect(seen).toHaveLength(expected.docs.length);
      expected.docs.forEach((doc, i) => {
        const text = doc.blocks
          .flatMap((b) => (b.kind === 'text' && b.text !== '' ? [b.text] : []))
          .join('\n\n');
        const fresh = new TextView(
          text,
          'document',
          text.split('\n\n').map((p) => new TextView(p, 'paragraph')),
        );
        expect(seen[i]).toEqual(analyses(fresh));
      });
    },
  );

  test.skipIf(!hasCorpora)('word-list counts by span equal a Set’s, on real pages', () => {
    const list = englishStopwords();
    for (const page of readabilityPages()) {
      for (const block of page.blocks) {
        if (block.kind !== 'text') continue;
        const view = new TextView(block.text, 'paragraph');
        expect(view.countIn(list)).toBe(obelicsWords(block.text).filter((w) => list.has(w)).length);
        expect(view.wordCount).toBe(obelicsWords(block.text).length);
      }
    }
  });
});
