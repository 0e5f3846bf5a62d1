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
  web: {
    summary: 'Interleaved web documents and image–text pairs from WARC files',
    load: async () => (await import('./web.js')).default,
  },
  run: {
    summary: 'Run a registered job from a config file',
    load: async () => (await import('./run.js')).default,
  },
};
