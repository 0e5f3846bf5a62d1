// Web documents for tests: built from paragraphs and images, written as real datasets through a
// registered job (one task per group, one shard per task), so dedup and filter jobs see many tasks.
import { z } from 'zod';
import type { DatasetLayout } from '../../src/dataset/layouts/layout.js';
import { webDocumentsLayout } from '../../src/dataset/layouts/web-documents.js';
import { registerJob } from '../../src/jobs/index.js';
import { fromIterable } from '../../src/pipeline/stage.js';
import type { ImageValue } from '../../src/records/image.js';
import type { Block, WebDocument } from '../../src/records/web-document.js';
import { defineJob } from '../../src/run/job.js';
import { runJob } from '../../src/run/run-job.js';

export function doc(url: string, ...blocks: (string | Block)[]): WebDocument {
  return {
    kind: 'web-document',
    url,
    blocks: blocks.map((b) => (typeof b === 'string' ? { kind: 'text', text: b } : b)),
  };
}

export function img(src: string, image?: ImageValue): Block {
  return image ? { kind: 'image', src, image } : { kind: 'image', src };
}

export function texts(d: WebDocument): string[] {
  return d.blocks.flatMap((b) => (b.kind === 'text' ? [b.text] : []));
}

let fixtureCount = 0;

/** Writes `tasks` (records per task) as a dataset with one shard per non-empty task. */
export async function writeDataset<R>(
  dir: string,
  tasks: R[][],
  layout: DatasetLayout<R> = webDocumentsLayout({ images: 'bytes' }) as unknown as DatasetLayout<R>,
): Promise<void> {
  const name = `test-fixture-${process.pid}-${fixtureCount++}`;
  const job = defineJob({
    name,
    description: 'test fixture',
    options: z.object({}),
    planTasks: () => tasks.map((_, i) => ({ label: `fixture ${i}`, input: i })),
    layout: () => layout,
    buildPipeline: (_o, task) => ({
      source: fromIterable('fixture', tasks[task.input as number]!),
      stages: [],
    }),
  });
  registerJob(name, async () => job as never);
  // A tiny shard cap keeps every task's part its own shard.
  await runJob(name, {}, { outDir: dir, workers: 1, maxShardBytes: 1, durable: false });
}
