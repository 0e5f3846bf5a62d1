import { isAbsolute, resolve } from 'node:path';
import { defineCommand, parseByteSize } from '../command.js';
import { mergeConfig, printSummary, runFlags, runJobWithProgress, summaryJson } from '../job-command.js';

export default defineCommand({
  name: 'web',
  summary: 'Interleaved web documents (OBELICS layout) and image–text pairs from WARC files',
  usage: 'weft web <warc files, directories or globs> --out DIR [--pairs-out DIR]',
  flags: {
    ...runFlags,
    'pairs-out': {
      type: 'string',
      value: 'DIR',
      description: 'Also write image–text pairs (figcaption or caption-like alt text) to DIR',
    },
    'max-body-size': {
      type: 'string',
      value: 'SIZE',
      description: 'Cap on a page body once decompressed, e.g. 16MB (default)',
    },
  },
  positionals: {
    name: 'INPUTS...',
    description: 'WARC/ARC files (.warc, .warc.gz, .warc.lz4, .arc), directories or globs',
    min: 1,
  },
  examples: [
    'weft web crawl/*.warc.gz --out out/web --pairs-out out/web-pairs',
    'weft web CC-MAIN-2024-22/segments/ --out out/web --workers 8',
  ],
  async run({ flags, positionals }, io) {
    // Inputs are made absolute here so that worker processes and resumed runs see the same paths.
    const inputs = positionals.map((p) => (isAbsolute(p) ? p : resolve(io.cwd, p)));
    const options = await mergeConfig(flags, {
      inputs,
      maxBodyBytes:
        typeof flags['max-body-size'] === 'string'
          ? parseByteSize(flags['max-body-size'], 'max-body-size')
          : undefined,
    });
    const docs = await runJobWithProgress({ command: 'web', job: 'web', options, flags }, io);
    const pairsOut = flags['pairs-out'];
    if (typeof pairsOut !== 'string' || !docs.committed) {
      printSummary(io, 'web', docs, flags);
      return 0;
    }
    const pairFlags = { ...flags, out: pairsOut, config: undefined };
    const pairs = await runJobWithProgress(
      { command: 'web pairs', job: 'web-pairs', options: { documents: docs.outDir }, flags: pairFlags },
      io,
    );
    if (flags.json === true) {
      io.stdout.write(
        `${JSON.stringify({ ...summaryJson('web', docs), pairs: summaryJson('web pairs', pairs) })}\n`,
      );
      return 0;
    }
    printSummary(io, 'web', docs, flags);
    printSummary(io, 'web pairs', pairs, pairFlags);
    return 0;
  },
});
