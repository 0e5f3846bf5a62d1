// The command registry: one line per command, loaded lazily so `weft --help` stays fast.
import type { CommandDef } from '../command.js';

export const commands: Record<string, { summary: string; load: () => Promise<CommandDef> }> = {
  crawl: {
    summary: 'Fetch pages politely into WARC files with a crawl log (resumable)',
    load: async () => (await import('./crawl.js')).default,
  },
  demo: {
    summary: 'Build small datasets from generated inputs (no network)',
    load: async () => (await import('./demo.js')).default,
  },
  images: {
    summary: 'Download, validate and resize images of documents, pairs or URL lists',
    load: async () => (await import('./images.js')).default,
  },
  pdf: {
    summary: 'Render PDF pages to images with their text in reading order',
    load: async () => (await import('./pdf.js')).default,
  },
  inspect: {
    summary: 'Describe a dataset: rows, columns, size, shards, funnel',
    load: async () => (await import('./inspect.js')).default,
  },
  commit: {
    summary: 'Assemble a dataset whose tasks ran separately (array jobs)',
    load: async () => (await import('./commit.js')).default,
  },
  verify: {
    summary: 'Read a dataset back in full and check its shards, row counts and manifest',
    load: async () => (await import('./verify.js')).default,
  },
  sft: {
    summary: 'SFT conversations in The Cauldron layout (sources, decontamination, mixture, chat template)',
    load: async () => (await import('./sft.js')).default,
  },
  card: {
    summary: 'Write a dataset card: README.md (Hub metadata), plots, manifest',
    load: async () => (await import('./card.js')).default,
  },
  export: {
    summary: 'Export a dataset for release: Parquet (Hub layout) or webdataset tars',
    load: async () => (await import('./export.js')).default,
  },
  check: {
    summary: 'Score samples with a model (VLM server, ONNX CLIP, NSFW); keep, drop or annotate',
    load: async () => (await import('./check.js')).default,
  },
  filter: {
    summary: 'Quality-filter a dataset (OBELICS, Gopher, C4, FineWeb presets)',
    load: async () => (await import('./filter.js')).default,
  },
  dedup: {
    summary: 'Remove duplicates across a dataset (exact, URL, MinHash, images)',
    load: async () => (await import('./dedup.js')).default,
  },
  web: {
    summary: 'Interleaved web documents and image–text pairs from WARC files',
    load: async () => (await import('./web.js')).default,
  },
  run: {
    summary: 'Run a registered job from a config file',
    load: async () => (await import('./run.js')).default,
  },
  submit: {
    summary: 'Enqueue a pipeline on Redis for weft workers (queue mode)',
    load: async () => (await import('./submit.js')).default,
  },
  worker: {
    summary: 'Run queued jobs from Redis (any number of machines)',
    load: async () => (await import('./worker.js')).default,
  },
  status: {
    summary: 'Progress of queued runs per step and phase',
    load: async () => (await import('./status.js')).default,
  },
  schedule: {
    summary: 'Run a pipeline on a cron schedule (dated outputs); --list, --remove',
    load: async () => (await import('./schedule.js')).default,
  },
};
