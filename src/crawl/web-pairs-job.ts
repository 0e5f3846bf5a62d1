// The `web-pairs` job: a web documents dataset → image–text pairs (figcaption or caption-like alt text).
// One task per shard of the documents dataset, so pages are parsed once, by the `web` job.
import { z } from 'zod';
import { openDataset } from '../dataset/dataset-reader.js';
import { type DatasetShardInput, datasetShardSource, planDatasetTasks } from '../dataset/dataset-source.js';
import { imageTextPairsLayout } from '../dataset/layouts/image-text-pairs.js';
import { webDocumentsLayout } from '../dataset/layouts/web-documents.js';
import { defineJob } from '../run/job.js';
import { derivePairs } from './derive-pairs.js';

export const WebPairsOptions = z.strictObject({
  /** Directory of a web documents dataset (what `weft web` wrote). */
  documents: z.string().min(1),
});

export const webPairsJob = defineJob({
  name: 'web-pairs',
  description: 'Image–text pairs from a web documents dataset',
  options: WebPairsOptions,
  planTasks: ({ documents }) => planDatasetTasks(documents),
  layout: () => imageTextPairsLayout(),
  async buildPipeline({ documents }, task) {
    const handle = await openDataset(documents);
    return {
      source: datasetShardSource(
        handle,
        task.input as DatasetShardInput,
        webDocumentsLayout({ images: 'urls' }),
      ),
      stages: [derivePairs()],
    };
  },
});
