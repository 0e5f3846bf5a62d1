// The job bench/scale runs: synthetic documents through a pure-JavaScript CPU-bound stage (MinHash
// signatures), so throughput depends on cores, not on I/O or on libvips threads. Loaded by the queue
// workers through WEFT_JOB_MODULES.
import { z } from 'zod';
import { imageTextPairsLayout } from '../../src/dataset/layouts/image-text-pairs.js';
import type { Stage } from '../../src/pipeline/stage.js';
import type { ImageTextPair } from '../../src/records/index.js';
import { defineJob } from '../../src/run/job.js';

const WORDS = 'the quick brown fox jumps over a lazy dog while seven wizards quietly hex bold jackdaws'.split(
  ' ',
);

export function documentText(index: number, words: number): string {
  let state = (index + 1) * 2654435761;
  const out: string[] = [];
  for (let i = 0; i < words; i++) {
    state = Math.imul(state ^ (state >>> 15), 2246822507) >>> 0;
    out.push(WORDS[state % WORDS.length]!);
  }
  return out.join(' ');
}

function fnv1a(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

/** MinHash over word 5-grams with `permutations` hash functions. */
export function minhash(text: string, permutations: number): Uint32Array {
  const words = text.split(' ');
  const signature = new Uint32Array(permutations).fill(0xffffffff);
  for (let i = 0; i + 5 <= words.length; i++) {
    const h = fnv1a(words.slice(i, i + 5).join(' '));
    for (let p = 0; p < permutations; p++) {
      const v = (Math.imul(h, 2 * p + 1) + Math.imul(p, 0x9e3779b9)) >>> 0;
      if (v < signature[p]!) signature[p] = v;
    }
  }
  return signature;
}

const Options = z.strictObject({
  tasks: z.number().int().positive(),
  docsPerTask: z.number().int().positive(),
  wordsPerDoc: z.number().int().min(5).default(400),
  permutations: z.number().int().positive().default(256),
});

const signatures = (permutations: number): Stage<{ index: number; text: string }, ImageTextPair> => ({
  name: 'minhash',
  async *run(docs) {
    for await (const doc of docs) {
      const sig = minhash(doc.text, permutations);
      yield {
        kind: 'image-text-pair',
        url: `bench://doc/${doc.index}`,
        caption: Buffer.from(sig.buffer, 0, Math.min(16, sig.byteLength)).toString('hex'),
        captionSource: 'generated',
      };
    }
  },
});

export const scaleJob = defineJob({
  name: 'bench-minhash',
  description: 'MinHash signatures of synthetic documents (bench/scale)',
  options: Options,
  planTasks: ({ tasks, docsPerTask }) =>
    Array.from({ length: tasks }, (_, t) => ({
      label: `docs ${t * docsPerTask}`,
      input: { start: t * docsPerTask, end: (t + 1) * docsPerTask },
    })),
  layout: () => imageTextPairsLayout(),
  buildPipeline(options, task) {
    const { start, end } = task.input as { start: number; end: number };
    return {
      source: {
        name: 'documents',
        async *read() {
          for (let i = start; i < end; i++) yield { index: i, text: documentText(i, options.wordsPerDoc) };
        },
      },
      stages: [signatures(options.permutations)],
    };
  },
});

export default scaleJob;
