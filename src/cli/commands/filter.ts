import { resolve } from 'node:path';
import { PRESET_NAMES } from '../../filters/presets.js';
import { defineCommand } from '../command.js';
import { mergeConfig, runFlags, runJobCommand } from '../job-command.js';

export default defineCommand({
  name: 'filter',
  summary: 'Quality-filter a dataset with a preset (obelics, gopher, c4, fineweb) tuned by a config file',
  usage: 'weft filter INPUT --out DIR [--preset obelics|gopher|c4|fineweb] [--config FILE] [--rejected DIR]',
  flags: {
    ...runFlags,
    preset: {
      type: 'string',
      value: 'NAME',
      description: 'Filter chain to start from (default: obelics)',
      choices: PRESET_NAMES,
    },
    rejected: {
      type: 'string',
      value: 'DIR',
      description: 'Also write what was removed, with filter and reason, as JSON lines (one file per task)',
    },
  },
  positionals: {
    name: 'INPUT',
    description: 'A dataset (web documents, image-text pairs or PDF pages)',
    min: 1,
    max: 1,
  },
  examples: [
    'weft filter out/web --out out/web-filtered',
    'weft filter out/web --out out/web-gopher --preset gopher',
    'weft filter out/web --out out/web-tuned --config filters.yaml   # preset: obelics, paragraph: {word-count: {min: 6}}',
  ],
  async run({ flags, positionals }, io) {
    const options = await mergeConfig(flags, {
      input: resolve(io.cwd, positionals[0]!),
      preset: flags.preset,
      rejected: typeof flags.rejected === 'string' ? resolve(io.cwd, flags.rejected) : undefined,
    });
    return runJobCommand({ command: 'filter', job: 'filter', options, flags }, io);
  },
});
