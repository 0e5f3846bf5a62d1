// What every dataset-building command shares: output/worker/slice flags, config files, progress,
// the end-of-run summary (human or --json) and exit codes.
import { resolve } from 'node:path';
import { WeftError } from '../errors.js';
import { loadJob } from '../jobs/index.js';
import { createLogger } from '../pipeline/logger.js';
import { describeIssues } from '../pipeline/options.js';
import type { StageStatsJson } from '../pipeline/stats.js';
import { taskSliceFrom } from '../run/array-env.js';
import type { JobDefinition } from '../run/job.js';
import { type RunSummary, runJob } from '../run/run-job.js';
import { type CliIO, type FlagDef, type ParsedFlags, parseByteSize } from './command.js';
import { type ConfigDocument, loadConfigDocument } from './config-file.js';
import { ProgressReporter } from './progress.js';

export const runFlags = {
  out: { type: 'string', value: 'DIR', description: 'Output dataset directory (required)' },
  workers: { type: 'number', value: 'N', description: 'Worker processes (default: number of cores)' },
  'task-index': {
    type: 'number',
    value: 'I',
    description:
      'Run only the tasks of slice I (array jobs; default: SLURM_ARRAY_TASK_ID, JOB_COMPLETION_INDEX…)',
  },
  'task-count': {
    type: 'number',
    value: 'N',
    description:
      'Number of slices the tasks are split into (default: SLURM_ARRAY_TASK_COUNT, WEFT_TASK_COUNT)',
  },
  'no-commit': {
    type: 'boolean',
    description: 'Leave the finished tasks for a separate "weft commit DIR" step (array jobs)',
  },
  'wait-at-barrier': {
    type: 'boolean',
    description:
      'Array mode: at a phase barrier, take on the phase tasks nobody has claimed, then wait for the rest',
  },
  overwrite: {
    type: 'boolean',
    description: 'Replace an existing dataset or unfinished run made with other options',
  },
  'max-shard-size': {
    type: 'string',
    value: 'SIZE',
    description: 'Shard size cap, e.g. 500MB (default), 2GB',
  },
  config: {
    type: 'string',
    value: 'FILE',
    description: 'YAML or JSON file with the job options (flags override it)',
  },
  json: { type: 'boolean', description: 'Print one machine-readable summary line on stdout at the end' },
  quiet: { type: 'boolean', description: 'Only warnings and errors on stderr' },
  'log-format': {
    type: 'string',
    value: 'FORMAT',
    description: 'Log line format on stderr',
    choices: ['text', 'json'],
  },
} as const satisfies Record<string, FlagDef>;

/**
 * The task slice of an array job: --task-index/--task-count, else the environment of a Slurm array,
 * a Kubernetes Indexed Job (JOB_COMPLETION_INDEX with --task-count), AWS or Google Cloud Batch.
 */
export function resolveTaskSlice(
  flags: ParsedFlags,
  env: Record<string, string | undefined> = {},
): { taskIndex?: number; taskCount?: number } {
  const slice = taskSliceFrom(
    {
      taskIndex: flags['task-index'] as number | undefined,
      taskCount: flags['task-count'] as number | undefined,
    },
    env,
  );
  return slice ? { taskIndex: slice.taskIndex, taskCount: slice.taskCount } : {};
}

/** Options from --config (if given) with the command's flag-derived options on top. */
/** Where merged options came from, so a refused option can be reported with its config file line. */
const configSources = new WeakMap<object, { config: ConfigDocument; fromFlags: Set<string> }>();

export async function mergeConfig(
  flags: ParsedFlags,
  fromFlags: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const config = typeof flags.config === 'string' ? await loadConfigDocument(flags.config) : undefined;
  const defined = Object.fromEntries(Object.entries(fromFlags).filter(([, v]) => v !== undefined));
  const merged = { ...config?.value, ...defined };
  if (config) configSources.set(merged, { config, fromFlags: new Set(Object.keys(defined)) });
  return merged;
}

/**
 * Validates options that came (partly) from a config file before the run starts, so that each
 * refused option is reported as FILE:LINE; options set by flags are reported without a line.
 */
async function checkConfigLines(
  job: JobDefinition | string,
  options: Record<string, unknown>,
): Promise<void> {
  const source = configSources.get(options);
  if (!source) return;
  const definition = typeof job === 'string' ? await loadJob(job) : job;
  const result = definition.options.safeParse(options);
  if (result.success) return;
  const { config, fromFlags } = source;
  const lines = result.error.issues.map((issue) => {
    // An unknown key is reported at the object that holds it; its own line is more useful.
    const keys = issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys[0]!] : issue.path;
    const top = keys[0];
    const inFile =
      top === undefined || (typeof top === 'string' && !fromFlags.has(top) && top in config.value);
    const line = inFile ? config.lineOf(keys) : undefined;
    const where = line ? `${config.path}:${line}` : inFile ? config.path : 'options';
    return `${where}: ${describeIssues(`${definition.name} options`, options, [issue])}`;
  });
  throw new WeftError('E_CONFIG', lines.join('\n'), { data: { path: config.path } });
}

function formatBytes(bytes: number): string {
  if (bytes < 1e3) return `${bytes} B`;
  if (bytes < 1e6) return `${(bytes / 1e3).toFixed(1)} kB`;
  if (bytes < 1e9) return `${(bytes / 1e6).toFixed(1)} MB`;
  return `${(bytes / 1e9).toFixed(2)} GB`;
}

export function funnelLine(stages: readonly StageStatsJson[]): string {
  return stages
    .map((s) => {
      const dropped = Object.entries(s.dropped)
        .sort((a, b) => b[1] - a[1])
        .map(([reason, n]) => `${reason} ${n}`)
        .join(', ');
      // Node-level filters (paragraphs, lines, images) count what they removed as `<nodes>_dropped.<reason>`.
      const nodes = Object.entries(s.counters)
        .filter(([k, n]) => /^[a-z]+_dropped\./.test(k) && n > 0)
        .map(([k, n]) => `${k.replace('_dropped.', ' ')} ${n}`)
        .join(', ');
      const parts = [dropped, nodes && `removed ${nodes}`].filter(Boolean).join('; ');
      return `${s.name} ${s.out}${parts ? ` (${dropped ? 'dropped ' : ''}${parts})` : ''}`;
    })
    .join(' → ');
}

export function summaryJson(command: string, summary: RunSummary): Record<string, unknown> {
  return {
    ok: true,
    command,
    out: summary.outDir,
    committed: summary.committed,
    waitingAt: summary.waitingAt ?? null,
    alreadyComplete: summary.alreadyComplete,
    rows: summary.rows ?? null,
    bytes: summary.bytes ?? null,
    shards: summary.shards ?? null,
    tasks: summary.tasks,
    wallMs: Math.round(summary.wallMs),
    stages:
      summary.stats?.stages.map((s) => ({ name: s.name, in: s.in, out: s.out, dropped: s.dropped })) ?? [],
  };
}

export interface JobCommandRun {
  command: string;
  job: JobDefinition | string;
  options: Record<string, unknown>;
  flags: ParsedFlags;
  /** Label for progress; defaults to the command name. */
  label?: string;
}

export function requireOut(flags: ParsedFlags): string {
  if (typeof flags.out !== 'string' || flags.out === '') {
    throw new WeftError('E_USAGE', `--out DIR is required (the dataset directory to write)`);
  }
  return flags.out;
}

/** Runs a job with progress and returns its summary (no printing of the final line). */
export async function runJobWithProgress(run: JobCommandRun, io: CliIO): Promise<RunSummary> {
  const outDir = resolve(io.cwd, requireOut(run.flags));
  const logFormat = (run.flags['log-format'] as 'text' | 'json' | undefined) ?? 'text';
  const progress = new ProgressReporter({
    stream: io.stderr,
    label: run.label ?? run.command,
    quiet: run.flags.quiet === true,
    logFormat,
  });
  const log = createLogger({ write: progress.writeLog, fields: {} });
  const maxShard = run.flags['max-shard-size'];
  await checkConfigLines(run.job, run.options);
  const found = taskSliceFrom(
    {
      taskIndex: run.flags['task-index'] as number | undefined,
      taskCount: run.flags['task-count'] as number | undefined,
    },
    io.env,
  );
  const slice = found ? { taskIndex: found.taskIndex, taskCount: found.taskCount } : {};
  if (found && found.source !== '--task-index') {
    log.info(`array task: slice ${found.taskIndex} of ${found.taskCount} (from ${found.source})`);
  }
  try {
    return await runJob(run.job, run.options, {
      outDir,
      ...(typeof run.flags.workers === 'number' ? { workers: run.flags.workers } : {}),
      ...slice,
      overwrite: run.flags.overwrite === true,
      ...(run.flags['no-commit'] === true ? { commit: false } : {}),
      waitAtBarrier: run.flags['wait-at-barrier'] === true,
      ...(typeof maxShard === 'string' ? { maxShardBytes: parseByteSize(maxShard, 'max-shard-size') } : {}),
      log,
      signal: io.signal,
      onProgress: progress.onProgress,
      onPlanned: (plan) => progress.planned(plan),
    });
  } finally {
    progress.finish();
  }
}

export function printSummary(io: CliIO, command: string, summary: RunSummary, flags: ParsedFlags): void {
  if (flags.json === true) {
    io.stdout.write(`${JSON.stringify(summaryJson(command, summary))}\n`);
    return;
  }
  if (flags.quiet === true) return;
  if (summary.waitingAt) {
    io.stderr.write(
      `[weft] ${command}: this slice reached the barrier of phase ${summary.waitingAt}; run it again once the other slices have too (or use --wait-at-barrier)\n`,
    );
    return;
  }
  if (!summary.committed) {
    io.stderr.write(
      `[weft] ${command}: this slice is done (${summary.tasks.ran} tasks run); the dataset is committed when every task is done (weft commit ${summary.outDir})\n`,
    );
    return;
  }
  const lines = [
    `[weft] ${command}: wrote ${summary.outDir}`,
    `  ${summary.rows} rows in ${summary.shards} shard(s), ${formatBytes(summary.bytes ?? 0)}; ${summary.tasks.total} tasks (${summary.tasks.skipped} already done) in ${(summary.wallMs / 1000).toFixed(1)} s`,
  ];
  if (summary.stats) lines.push(`  ${funnelLine(summary.stats.stages)}`);
  io.stderr.write(`${lines.join('\n')}\n`);
}

/** Runs a job command end to end: progress, summary, exit code 0. Errors propagate to main(). */
export async function runJobCommand(run: JobCommandRun, io: CliIO): Promise<number> {
  const summary = await runJobWithProgress(run, io);
  printSummary(io, run.command, summary, run.flags);
  return 0;
}
