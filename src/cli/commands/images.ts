import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { readStatsFile } from '../../dataset/commit.js';
import { WeftError } from '../../errors.js';
import { FAILURES_FILE } from '../../images/download-phases.js';
import type { StageStatsJson } from '../../pipeline/stats.js';
import type { RunSummary } from '../../run/run-job.js';
import { type CliIO, defineCommand, type ParsedFlags } from '../command.js';
import { readConfigFile } from '../config-file.js';
import { printSummary, runFlags, runJobWithProgress } from '../job-command.js';
import { fetchFlags, fetchOptionsFromFlags, mergeNested } from './fetch-flags.js';

const TRANSIENT_REASONS = ['dns', 'connect', 'timeout', 'http_429', 'http_5xx', 'network', 'tls', 'aborted'];

function imageOptionsFromFlags(flags: ParsedFlags): Record<string, unknown> {
  return {
    resizeMode: flags['resize-mode'],
    imageSizePx: flags['image-size'],
    encodeFormat: flags['encode-format'],
    encodeQuality: flags['encode-quality'],
    maxPixels: flags['max-pixels'],
  };
}

function downloadLine(summary: RunSummary, outDir: string): string | undefined {
  const stage: StageStatsJson | undefined = summary.stats?.phases?.download?.[0];
  if (!stage) return undefined;
  const urls = stage.in ?? 0;
  const ok = stage.out;
  const seconds = summary.wallMs / 1000;
  const reasons = Object.entries(stage.dropped)
    .sort((a, b) => b[1] - a[1])
    .map(([r, n]) => `${r} ${n}`)
    .join(', ');
  const mb = ((stage.counters.bytes_downloaded ?? 0) / 1e6).toFixed(1);
  return [
    `  downloaded ${ok} of ${urls} unique URLs (${urls ? ((100 * ok) / urls).toFixed(1) : '0.0'}%), ${(ok / Math.max(seconds, 1e-3)).toFixed(1)} images/s, ${mb} MB fetched`,
    reasons ? `  failures: ${reasons}; listed in ${join(outDir, FAILURES_FILE)}` : '  no failures',
  ].join('\n');
}

export default defineCommand({
  name: 'images',
  summary: 'Download, validate and resize the images of documents, pairs or a URL list',
  usage: 'weft images INPUT --out DIR [options] | weft images --retry-failed DIR --out DIR2',
  flags: {
    ...runFlags,
    'retry-failed': {
      type: 'string',
      value: 'DIR',
      description: 'Fetch again only the URLs that failed in an earlier `weft images` run into DIR',
    },
    'retry-reasons': {
      type: 'string',
      value: 'LIST',
      description: `With --retry-failed: failure reasons to retry, comma-separated, or "all" (default: ${TRANSIENT_REASONS.join(',')})`,
    },
    'input-format': {
      type: 'string',
      value: 'FORMAT',
      description: 'What INPUT is (default: from the path)',
      choices: ['auto', 'dataset', 'txt', 'csv', 'tsv', 'jsonl'],
    },
    'url-column': {
      type: 'string',
      value: 'NAME',
      description: 'URL column/field of csv, tsv, jsonl (default url)',
    },
    'caption-column': {
      type: 'string',
      value: 'NAME',
      description: 'Caption column/field of csv, tsv, jsonl (default caption)',
    },
    'urls-per-task': { type: 'number', value: 'N', description: 'URL list records per task (default 10000)' },
    'resize-mode': {
      type: 'string',
      value: 'MODE',
      description: 'Resize (default keep_ratio)',
      choices: ['no', 'keep_ratio', 'center_crop', 'border'],
    },
    'image-size': {
      type: 'number',
      value: 'PX',
      description: 'Target size in px (default 980, as Idefics2)',
    },
    'encode-format': {
      type: 'string',
      value: 'FORMAT',
      description: 'Re-encoding format (default jpeg)',
      choices: ['jpeg', 'webp', 'png'],
    },
    'encode-quality': { type: 'number', value: 'Q', description: 'JPEG/WebP quality (default 90)' },
    'max-pixels': { type: 'number', value: 'N', description: 'Refuse images with more pixels (default 1e8)' },
    'max-image-bytes': {
      type: 'number',
      value: 'N',
      description: 'Refuse downloads above N bytes (default 2e7)',
    },
    ...fetchFlags,
  },
  positionals: {
    name: 'INPUT',
    description: 'Dataset directory or URL list (.txt .csv .tsv .jsonl)',
    min: 0,
    max: 1,
  },
  examples: [
    'weft images urls.txt --out out/pairs',
    'weft images captions.csv --caption-column text --out out/pairs --resize-mode center_crop --image-size 384',
    'weft images out/docs --out out/docs-with-images',
    'weft images --retry-failed out/pairs --out out/pairs-retry',
  ],
  async run({ flags, positionals }, io: CliIO) {
    let base: Record<string, unknown> =
      typeof flags.config === 'string' ? await readConfigFile(flags.config) : {};
    const retryDir =
      typeof flags['retry-failed'] === 'string' ? resolve(io.cwd, flags['retry-failed']) : undefined;
    if (retryDir) {
      const stats = await readStatsFile(retryDir);
      const failures = join(retryDir, FAILURES_FILE);
      if (stats?.job !== 'images' || !existsSync(failures)) {
        throw new WeftError(
          'E_INPUT',
          `${retryDir} is not the output of a finished \`weft images\` run (no ${FAILURES_FILE})`,
          {
            data: { path: retryDir },
          },
        );
      }
      const reasonsFlag = typeof flags['retry-reasons'] === 'string' ? flags['retry-reasons'] : undefined;
      const reasons =
        reasonsFlag === 'all'
          ? undefined
          : reasonsFlag
            ? reasonsFlag.split(',').map((r) => r.trim())
            : TRANSIENT_REASONS;
      base = { ...(stats.options as Record<string, unknown>), ...base, onlyUrlsFrom: failures };
      if (reasons) base.onlyReasons = reasons;
      else delete base.onlyReasons;
    } else if (positionals.length === 0) {
      throw new WeftError('E_USAGE', 'give INPUT (a dataset directory or URL list), or --retry-failed DIR');
    }
    const fromFlags: Record<string, unknown> = {
      input: positionals[0] ? resolve(io.cwd, positionals[0]) : undefined,
      inputFormat: flags['input-format'],
      urlColumn: flags['url-column'],
      captionColumn: flags['caption-column'],
      urlsPerTask: flags['urls-per-task'],
      maxImageBytes: flags['max-image-bytes'],
      fetch: fetchOptionsFromFlags(flags),
      image: imageOptionsFromFlags(flags),
    };
    const options = mergeNested(base, fromFlags, ['fetch', 'image']);
    const summary = await runJobWithProgress({ command: 'images', job: 'images', options, flags }, io);
    printSummary(io, 'images', summary, flags);
    const line = downloadLine(summary, summary.outDir);
    if (line && flags.json !== true && flags.quiet !== true && summary.committed)
      io.stderr.write(`${line}\n`);
    return 0;
  },
});
