import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { imageTextPairsLayout } from '../../src/dataset/layouts/image-text-pairs.js';
import { registerJob } from '../../src/jobs/index.js';
import { fromIterable } from '../../src/pipeline/stage.js';
import { defineJob, type JobDefinition } from '../../src/run/job.js';
import { runJob } from '../../src/run/run-job.js';
import { tempDir } from '../helpers/temp-dir.js';

// A job whose tasks publish files next to the dataset and keep state across attempts.
const job = defineJob({
  name: 'test-published-files',
  description: 'publishes files',
  options: z.object({ tag: z.string(), failOnce: z.boolean().default(false) }),
  planTasks: () => [0, 1].map((i) => ({ label: `t${i}`, input: i })),
  layout: () => imageTextPairsLayout(),
  async buildPipeline(options, task, ctx) {
    const attempts = join(ctx.stateDir, 'attempts');
    const seen = existsSync(attempts) ? Number(await readFile(attempts, 'utf8')) : 0;
    await writeFile(attempts, String(seen + 1));
    await mkdir(join(ctx.filesDir, 'extra'), { recursive: true });
    await writeFile(join(ctx.filesDir, 'extra', `${options.tag}-${task.input}.txt`), `attempt ${seen + 1}`);
    if (options.failOnce && seen === 0) throw new Error('first attempt fails');
    return { source: fromIterable('none', []), stages: [] };
  },
}) as unknown as JobDefinition;
registerJob('test-published-files', async () => job);

describe('files published next to a dataset', () => {
  it('moves task files into the output at commit, keeps state across attempts, and removes them on overwrite', async () => {
    const out = join(await tempDir(), 'out');
    await expect(runJob(job, { tag: 'a', failOnce: true }, { outDir: out, workers: 1 })).rejects.toThrow(
      /failed/,
    );
    expect(existsSync(join(out, 'extra'))).toBe(false); // a failed attempt publishes nothing
    const summary = await runJob(job, { tag: 'a', failOnce: true }, { outDir: out, workers: 1 });
    expect(summary.stats!.files).toEqual(['extra/a-0.txt', 'extra/a-1.txt']);
    // The state folder survived the failed attempt: this is the second attempt of each task.
    expect(await readFile(join(out, 'extra/a-0.txt'), 'utf8')).toBe('attempt 2');

    await runJob(job, { tag: 'b' }, { outDir: out, workers: 1, overwrite: true });
    expect(existsSync(join(out, 'extra/a-0.txt'))).toBe(false);
    expect(await readFile(join(out, 'extra/b-1.txt'), 'utf8')).toBe('attempt 1');
  });
});
