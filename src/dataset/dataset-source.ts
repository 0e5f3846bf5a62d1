// Datasets as job inputs: one task per shard file, and a Source that streams that shard's records
// through the dataset's layout. Rows that are not valid records are counted, not thrown.
import { basename } from 'node:path';
import type { Source } from '../pipeline/stage.js';
import type { TaskSpec } from '../run/job.js';
import { type DatasetHandle, layoutOf, openDataset, readArrowFileRows } from './dataset-reader.js';
import type { DatasetLayout } from './layouts/layout.js';

export interface DatasetShardInput {
  /** Absolute path of one Arrow shard of the input dataset. */
  file: string;
}

/** One task per shard file of the input dataset, labelled by file name. */
export async function planDatasetTasks(dir: string): Promise<TaskSpec[]> {
  const handle = await openDataset(dir);
  return handle.dataFiles.map((file) => ({
    label: basename(file),
    input: { file } satisfies DatasetShardInput,
  }));
}

/** Reads one shard's records. `layout` defaults to the one the dataset's columns call for. */
export function datasetShardSource<R = unknown>(
  handle: DatasetHandle,
  input: DatasetShardInput,
  layout: DatasetLayout<R> = layoutOf(handle) as DatasetLayout<R>,
): Source<R> {
  return {
    name: 'read-dataset',
    async *read(ctx) {
      for await (const row of readArrowFileRows(input.file)) {
        const record = await layout.fromRow(row);
        if (record === undefined) ctx.stats.drop('unreadable_row');
        else yield record;
      }
    },
  };
}
