// The job registry: one line per job, loaded lazily so a worker imports only what its job needs.
import { WeftError } from '../errors.js';
import type { JobDefinition } from '../run/job.js';

const loaders: Record<string, () => Promise<JobDefinition>> = {
  'demo-images': async () =>
    (await import('../demo/demo-images-job.js')).demoImagesJob as unknown as JobDefinition,
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
