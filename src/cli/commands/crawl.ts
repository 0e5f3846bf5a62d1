import { resolve } from 'node:path';
import { WeftError } from '../../errors.js';
import { defineCommand } from '../command.js';
import { mergeConfig, printSummary, runFlags, runJobWithProgress } from '../job-command.js';
import { fetchFlags, fetchOptionsFromFlags, mergeNested } from './fetch-flags.js';

export default defineCommand({
  name: 'crawl',
  summary: 'Fetch pages politely into WARC/1.1 files, with a crawl log dataset; resumable',
  usage: 'weft crawl --seeds FILE --out DIR [--max-depth N] [--max-pages-per-host N] [options]',
  flags: {
    ...runFlags,
    seeds: { type: 'string', value: 'FILE', description: 'Seed URLs, one a line (required)' },
    'max-depth': {
      type: 'number',
      value: 'N',
      description: 'Follow links within the seed hosts N hops (default 0)',
    },
    'max-pages-per-host': { type: 'number', value: 'N', description: 'Page budget per host (default 1000)' },
    'max-page-bytes': { type: 'number', value: 'N', description: 'Largest page stored (default 1e7)' },
    'max-tasks': { type: 'number', value: 'N', description: 'Tasks the hosts are spread over (default 16)' },
    ...fetchFlags,
  },
  positionals: { name: '', description: '', max: 0 },
  examples: [
    'weft crawl --seeds seeds.txt --out out/crawl',
    'weft crawl --seeds seeds.txt --out out/crawl --max-depth 2 --max-pages-per-host 200',
  ],
  async run({ flags }, io) {
    if (typeof flags.seeds !== 'string' && typeof flags.config !== 'string') {
      throw new WeftError('E_USAGE', '--seeds FILE is required (seed URLs, one a line)');
    }
    const base = await mergeConfig(flags, {});
    const options = mergeNested(
      base,
      {
        seeds: typeof flags.seeds === 'string' ? resolve(io.cwd, flags.seeds) : undefined,
        maxDepth: flags['max-depth'],
        maxPagesPerHost: flags['max-pages-per-host'],
        maxPageBytes: flags['max-page-bytes'],
        maxTasks: flags['max-tasks'],
        fetch: fetchOptionsFromFlags(flags),
      },
      ['fetch'],
    );
    const summary = await runJobWithProgress({ command: 'crawl', job: 'crawl', options, flags }, io);
    printSummary(io, 'crawl', summary, flags);
    const counters = summary.stats?.stages[0]?.counters ?? {};
    if (summary.committed && flags.json !== true && flags.quiet !== true) {
      const failed = Object.entries(counters)
        .filter(([k]) => k.startsWith('failed.'))
        .map(([k, n]) => `${k.slice('failed.'.length)} ${n}`);
      const statuses = Object.entries(counters)
        .filter(([k]) => k.startsWith('status_'))
        .map(([k, n]) => `${k.slice('status_'.length)} ${n}`);
      io.stderr.write(
        `  archived: ${statuses.join(', ') || 'nothing'} (${((counters.bytes_archived ?? 0) / 1e6).toFixed(1)} MB) in ${summary.outDir}/warc/; not archived: ${failed.join(', ') || 'none'}\n`,
      );
    }
    return 0;
  },
});
