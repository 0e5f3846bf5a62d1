// The command registry: one line per command, loaded lazily so `weft --help` stays fast.
import type { CommandDef } from '../command.js';

export const commands: Record<string, { summary: string; load: () => Promise<CommandDef> }> = {
  demo: {
    summary: 'Build small datasets from generated inputs (no network)',
    load: async () => (await import('./demo.js')).default,
  },
  inspect: {
    summary: 'Describe a dataset: rows, columns, size, shards, funnel',
    load: async () => (await import('./inspect.js')).default,
  },
  commit: {
    summary: 'Assemble a dataset whose tasks ran separately (array jobs)',
    load: async () => (await import('./commit.js')).default,
  },
  filter: {
    summary: 'Quality-filter a dataset (OBELICS, Gopher, C4, FineWeb presets)',
    load: async () => (await import('./filter.js')).default,
  },
  dedup: {
    summary: 'Remove duplicates across a dataset (exact, URL, MinHash, images)',
    load: async () => (await import('./dedup.js')).default,
  },
  run: {
    summary: 'Run a registered job from a config file',
    load: async () => (await import('./run.js')).default,
  },
};
