// The job registry: one line per job, loaded lazily so a worker imports only what its job needs.
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
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

let extraModulesLoaded: Promise<void> | undefined;

function isJobDefinition(value: unknown): value is JobDefinition {
  const v = value as Partial<JobDefinition> | undefined;
  return (
    typeof v?.name === 'string' && typeof v.planTasks === 'function' && typeof v.buildPipeline === 'function'
  );
}

/**
 * Jobs defined outside weft: WEFT_JOB_MODULES lists modules (paths or package names, comma-separated)
 * whose default export, or `jobs` export, is a job or an array of jobs. Every process that rebuilds
 * tasks (local workers, array slices, queue workers) reads the same variable, so custom jobs run
 * everywhere weft's own do.
 */
async function loadExtraModules(): Promise<void> {
  const list = (process.env.WEFT_JOB_MODULES ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const spec of list) {
    const target = spec.startsWith('.') || isAbsolute(spec) ? pathToFileURL(resolve(spec)).href : spec;
    let module: Record<string, unknown>;
    try {
      module = (await import(target)) as Record<string, unknown>;
    } catch (error) {
      throw new WeftError(
        'E_CONFIG',
        `cannot load job module ${spec} (WEFT_JOB_MODULES): ${(error as Error).message}`,
        {
          data: { module: spec },
          cause: error,
        },
      );
    }
    const exported = [module.default, module.jobs].flat().filter(isJobDefinition);
    if (exported.length === 0) {
      throw new WeftError(
        'E_CONFIG',
        `job module ${spec} (WEFT_JOB_MODULES) exports no job: export default defineJob({...}) or an array of jobs`,
        { data: { module: spec } },
      );
    }
    for (const job of exported) if (!loaders[job.name]) loaders[job.name] = async () => job;
  }
}

export async function loadJob(name: string): Promise<JobDefinition> {
  if (!loaders[name] && process.env.WEFT_JOB_MODULES) {
    extraModulesLoaded ??= loadExtraModules();
    await extraModulesLoaded;
  }
  const load = loaders[name];
  if (!load) {
    throw new WeftError('E_CONFIG', `unknown job "${name}"; known jobs: ${jobNames().join(', ')}`, {
      data: { job: name },
    });
  }
  return load();
}
