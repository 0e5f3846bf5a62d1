// The job registry: one line per job, loaded lazily so a worker imports only what its job needs.
import { WeftError } from '../errors.js';
import type { JobDefinition } from '../run/job.js';

const loaders: Record<string, () => Promise<JobDefinition>> = {
  'demo-images': async () =>
    (await import('../demo/demo-images-job.js')).demoImagesJob as unknown as JobDefinition,
  pdf: async () => (await import('../pdf/pdf-job.js')).pdfJob as unknown as JobDefinition,
  sft: async () => (await import('../sft/sft-job.js')).sftJob as unknown as JobDefinition,
  check: async () =>
    (await import('../model-check/check-job.js')).checkJobDefinition as unknown as JobDefinition,
  'check-top': async () =>
    (await import('../model-check/check-job.js')).checkTopJobDefinition as unknown as JobDefinition,
  crawl: async () => (await import('../crawl/crawl-job.js')).crawlJob as unknown as JobDefinition,
  images: async () => (await import('../images/images-job.js')).imagesJob as unknown as JobDefinition,
  'demo-documents': async () =>
    (await import('../demo/demo-documents-job.js')).demoDocumentsJob as unknown as JobDefinition,
  filter: async () => (await import('../filters/filter-job.js')).filterJob as unknown as JobDefinition,
  dedup: async () => (await import('../dedup/dedup-job.js')).dedupJob as unknown as JobDefinition,
  web: async () => (await import('../crawl/web-job.js')).webJob as unknown as JobDefinition,
  'web-pairs': async () =>
    (await import('../crawl/web-pairs-job.js')).webPairsJob as unknown as JobDefinition,
};

/** Adds a job at run time (library users, tests). Worker processes only see jobs registered above. */
export function registerJob(name: string, load: () => Promise<JobDefinition>): void {
  loaders[name] = load;
}

export function jobNames(): string[] {
  return Object.keys(loaders);
}

export async function loadJob(name: string): Promise<JobDefinition> {
  const load = loaders[name];
  if (!load) {
    throw new WeftError('E_CONFIG', `unknown job "${name}"; known jobs: ${jobNames().join(', ')}`, {
      data: { job: name },
    });
  }
  return load();
}
