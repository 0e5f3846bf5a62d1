// Small real jobs for tests of the run machinery: they emit given records through a real layout.
// Registered in-process (run them with workers: 1); worker processes only know the jobs in src/jobs.
import { z } from 'zod';
import type { DatasetLayout } from '../../src/dataset/layouts/layout.js';
import { registerJob } from '../../src/jobs/index.js';
import { defineJob, type JobDefinition } from '../../src/run/job.js';

let counter = 0;

/** Registers a job that writes `records` (split into `tasks` tasks) with `layout`; returns its name. */
export function registerRecordsJob<R>(layout: DatasetLayout<R>, records: R[], tasks = 1): string {
  const name = `test-records-${++counter}`;
  const job = defineJob({
    name,
    description: 'test records',
    options: z.strictObject({}),
    planTasks: () => Array.from({ length: tasks }, (_, i) => ({ label: `part ${i}`, input: { i } })),
    layout: () => layout,
    buildPipeline: (_options, task) => {
      const { i } = task.input as { i: number };
      return {
        source: {
          name: 'records',
          async *read() {
            for (let r = i; r < records.length; r += tasks) yield records[r];
          },
        },
        stages: [],
      };
    },
  });
  registerJob(name, async () => job as unknown as JobDefinition);
  return name;
}
