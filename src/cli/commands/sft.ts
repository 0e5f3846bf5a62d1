// `weft sft --config FILE --out DIR`: SFT conversations in The Cauldron layout from the sources, the
// evaluation sets and the mixture the YAML config declares. Config mistakes name the file and line.
import { dirname, resolve } from 'node:path';
import { WeftError } from '../../errors.js';
import { describeIssues } from '../../pipeline/options.js';
import type { StageStatsJson } from '../../pipeline/stats.js';
import { SftOptions } from '../../sft/config.js';
import { defineCommand } from '../command.js';
import { loadConfigDocument } from '../config-file.js';
import { printSummary, runFlags, runJobWithProgress } from '../job-command.js';

/** Reads and validates the config, mapping each problem to its line in the YAML. */
export async function readSftConfig(path: string): Promise<Record<string, unknown>> {
  const config = await loadConfigDocument(path);
  const value = config.value;
  value.baseDir ??= dirname(resolve(path));
  const result = SftOptions.safeParse(value);
  if (result.success) return value;
  const lines = result.error.issues.map((issue) => {
    const line = config.lineOf(issue.path);
    return `${path}${line ? `:${line}` : ''}: ${describeIssues('sft', value, [issue])}`;
  });
  throw new WeftError('E_CONFIG', lines.join('\n'), { data: { path } });
}

/** Per-source table from the run's stats: rows read, dropped (by reason), selected, turns written. */
export function sourceTable(stages: StageStatsJson[], phases: Record<string, StageStatsJson[]>): string[] {
  const bySource = new Map<string, Record<string, number>>();
  const all = [...(phases['sft-ingest'] ?? []), ...stages];
  for (const stage of all) {
    for (const [key, n] of Object.entries(stage.counters)) {
      const match = /^source\.(.+?)\.(rows|selected|not_selected|turns_written|dropped\..+)$/.exec(key);
      if (!match) continue;
      const entry = bySource.get(match[1]!) ?? {};
      entry[match[2]!] = (entry[match[2]!] ?? 0) + n;
      bySource.set(match[1]!, entry);
    }
  }
  return [...bySource.entries()].map(([name, c]) => {
    const dropped = Object.entries(c)
      .filter(([k]) => k.startsWith('dropped.'))
      .map(([k, n]) => `${k.slice('dropped.'.length)} ${n}`)
      .join(', ');
    return `  ${name}: ${c.rows ?? 0} rows kept after checks${dropped ? ` (dropped ${dropped})` : ''}, ${c.selected ?? 0} selected, ${c.turns_written ?? 0} turns written`;
  });
}

/** One line on the rendered text's length: tokens (or the labelled estimate) per conversation. */
export function lengthLine(stages: StageStatsJson[]): string | undefined {
  const render = stages.find((s) => s.name === 'render-template');
  const real = render?.summaries.tokens;
  const summary = real ?? render?.summaries.tokens_estimated;
  if (!summary || summary.count === 0) return undefined;
  const what = real ? 'tokens (tokenizer.json)' : 'tokens, ESTIMATED (no template.tokenizer given)';
  return `  text length: mean ${Math.round(summary.sum / summary.count)}, min ${summary.min}, max ${summary.max} ${what} per conversation`;
}

export default defineCommand({
  name: 'sft',
  summary: 'Build SFT conversations in The Cauldron layout from Q/A, caption and chat sources',
  usage: 'weft sft --config FILE --out DIR [--workers N]',
  flags: runFlags,
  positionals: { name: '', description: '', max: 0 },
  examples: ['weft sft --config sft.yaml --out out/sft', 'weft inspect out/sft'],
  async run({ flags }, io) {
    if (typeof flags.config !== 'string')
      throw new WeftError(
        'E_USAGE',
        '--config FILE is required (the YAML file listing sources and settings)',
      );
    const options = await readSftConfig(resolve(io.cwd, flags.config));
    const summary = await runJobWithProgress({ command: 'sft', job: 'sft', options, flags }, io);
    printSummary(io, 'sft', summary, flags);
    if (summary.stats && flags.json !== true && flags.quiet !== true) {
      const lines = sourceTable(summary.stats.stages, summary.stats.phases);
      const length = lengthLine(summary.stats.stages);
      if (length) lines.push(length);
      io.stderr.write(`${lines.join('\n')}\n`);
    }
    return 0;
  },
});
