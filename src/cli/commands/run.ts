import { jobNames } from '../../jobs/index.js';
import { defineCommand } from '../command.js';
import { mergeConfig, runFlags, runJobCommand } from '../job-command.js';

export default defineCommand({
  name: 'run',
  summary: 'Run any registered job with options from a config file (what queue and array workers call)',
  usage: 'weft run JOB --config FILE --out DIR',
  flags: {
    ...runFlags,
    options: { type: 'string', value: 'JSON', description: 'Job options as JSON (override --config)' },
  },
  positionals: { name: 'JOB', description: `One of: ${jobNames().join(', ')}`, min: 1, max: 1 },
  examples: ['weft run demo-images --options \'{"count": 500}\' --out out/images'],
  async run({ flags, positionals }, io) {
    let fromFlags: Record<string, unknown> = {};
    if (typeof flags.options === 'string') {
      try {
        fromFlags = JSON.parse(flags.options) as Record<string, unknown>;
      } catch (error) {
        const { WeftError } = await import('../../errors.js');
        throw new WeftError('E_USAGE', `--options must be a JSON object: ${(error as Error).message}`);
      }
    }
    const options = await mergeConfig(flags, fromFlags);
    return runJobCommand({ command: `run ${positionals[0]}`, job: positionals[0]!, options, flags }, io);
  },
});
