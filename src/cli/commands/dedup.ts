import { resolve } from 'node:path';
import { DEDUP_METHODS } from '../../dedup/dedup-job.js';
import { WeftError } from '../../errors.js';
import { defineCommand } from '../command.js';
import { mergeConfig, runFlags, runJobCommand } from '../job-command.js';

export default defineCommand({
  name: 'dedup',
  summary: 'Remove duplicates across a dataset: URLs, exact and near-duplicate texts (MinHash), images',
  usage: 'weft dedup INPUT --out DIR [--method M[,M…]] [--config FILE]',
  flags: {
    ...runFlags,
    method: {
      type: 'string',
      value: 'LIST',
      description: `Comma-separated methods, run in this order: ${DEDUP_METHODS.join(', ')} (default: url,exact,minhash)`,
    },
  },
  positionals: {
    name: 'INPUT',
    description: 'A dataset (web documents, image-text pairs or PDF pages)',
    min: 1,
    max: 1,
  },
  examples: [
    'weft dedup out/web-filtered --out out/web-dedup',
    'weft dedup out/web --out out/web-obelics --method frequent-images,url,paragraphs,image-set,minhash',
    'weft dedup out/pairs --out out/pairs-dedup --method exact,images',
  ],
  async run({ flags, positionals }, io) {
    let methods: string[] | undefined;
    if (typeof flags.method === 'string') {
      methods = flags.method
        .split(',')
        .map((m) => m.trim())
        .filter((m) => m !== '');
      const unknown = methods.filter((m) => !(DEDUP_METHODS as readonly string[]).includes(m));
      if (unknown.length > 0 || methods.length === 0) {
        throw new WeftError(
          'E_USAGE',
          `--method must list some of ${DEDUP_METHODS.join(', ')} (received ${JSON.stringify(flags.method)})`,
        );
      }
    }
    const options = await mergeConfig(flags, { input: resolve(io.cwd, positionals[0]!), methods });
    return runJobCommand({ command: 'dedup', job: 'dedup', options, flags }, io);
  },
});
