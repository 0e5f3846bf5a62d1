// PIPELINE.yaml: what `weft submit` enqueues and `weft schedule` fires. One or more steps, each a
// registered job with its options and output folder; later steps can read earlier ones' output
// through ${steps.NAME.out}. Validated with zod before anything is enqueued.
import { randomBytes } from 'node:crypto';
import { basename, dirname, extname, isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { parseByteSize } from '../cli/command.js';
import { readConfigFile } from '../cli/config-file.js';
import { WeftError } from '../errors.js';
import { parseOptions } from '../pipeline/options.js';

const Name = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/,
    'letters, digits, "-" and "_" only (at most 64), starting with a letter or digit',
  );

const Step = z.strictObject({
  /** Step name: its output folder under the run folder, and how later steps refer to it. */
  name: Name,
  /** A registered job (`weft run --help` lists them; WEFT_JOB_MODULES adds your own). */
  job: z.string().min(1),
  /** The job's options; strings may use ${runDir}, ${date}, ${stamp}, ${runId}, ${steps.NAME.out}. */
  options: z.record(z.string(), z.unknown()).default({}),
  /** The step's dataset folder (default: RUN_DIR/NAME; relative: to RUN_DIR; variables allowed). */
  out: z.string().min(1).optional(),
});

const Retry = z.strictObject({
  /** Tries per task, the first included. */
  attempts: z.number().int().min(1).max(100).default(3),
  /** First retry delay; doubles with each further try. */
  backoffMs: z.number().int().min(0).max(3_600_000).default(5000),
});

export const PipelineSpecSchema = z
  .strictObject({
    /** Run name: prefix of run ids and default schedule id (default: the file name). */
    name: Name.optional(),
    /** Base folder of the run, on storage every worker sees (relative: to this file's folder). */
    out: z.string().min(1),
    /** Each run writes into OUT/<UTC time stamp>/ (schedules: default true; submit: default false). */
    dated: z.boolean().optional(),
    /** A single-job pipeline: `job` and `options` instead of `steps`. */
    job: z.string().min(1).optional(),
    options: z.record(z.string(), z.unknown()).optional(),
    steps: z.array(Step).min(1).optional(),
    retry: Retry.default({ attempts: 3, backoffMs: 5000 }),
    /** Shard size cap, e.g. 500MB (default). */
    maxShardSize: z.string().optional(),
    /** Replace datasets or unfinished runs made with other options in the output folders. */
    overwrite: z.boolean().default(false),
  })
  .superRefine((spec, ctx) => {
    if (spec.steps && (spec.job || spec.options)) {
      ctx.addIssue({
        code: 'custom',
        path: ['steps'],
        message: 'give either steps, or job (with options), not both',
      });
    }
    if (!spec.steps && !spec.job) {
      ctx.addIssue({ code: 'custom', path: ['steps'], message: 'required: a list of steps, or a job' });
    }
    const names = new Set<string>();
    for (const [i, step] of (spec.steps ?? []).entries()) {
      if (names.has(step.name)) {
        ctx.addIssue({
          code: 'custom',
          path: ['steps', i, 'name'],
          message: `duplicate step name "${step.name}"`,
        });
      }
      names.add(step.name);
    }
  });

export type PipelineSpecInput = z.input<typeof PipelineSpecSchema>;

/** A validated spec with absolute paths: what a schedule stores and a worker resolves when it fires. */
export interface PipelineSpec {
  name: string;
  out: string;
  dated: boolean | undefined;
  /** Folder of the YAML file (${pipelineDir}). */
  pipelineDir: string;
  steps: { name: string; job: string; options: Record<string, unknown>; out?: string }[];
  /** True for the `job:` shorthand: the single step writes into the run folder itself. */
  single: boolean;
  retry: { attempts: number; backoffMs: number };
  maxShardBytes: number;
  overwrite: boolean;
}

/** One submission (or one firing of a schedule): every path and variable resolved. */
export interface ResolvedRun {
  id: string;
  name: string;
  createdAt: string;
  runDir: string;
  steps: { name: string; job: string; options: Record<string, unknown>; out: string }[];
  retry: { attempts: number; backoffMs: number };
  maxShardBytes: number;
  overwrite: boolean;
  /** The schedule that fired this run, if any. */
  scheduleId?: string;
}

export function normalizeSpec(
  raw: unknown,
  where: string,
  pipelineDir: string,
  defaultName: string,
): PipelineSpec {
  const spec = parseOptions(where, PipelineSpecSchema, raw);
  const single = !spec.steps;
  const steps = spec.steps ?? [
    { name: spec.name ?? defaultName, job: spec.job!, options: spec.options ?? {} },
  ];
  return {
    name: spec.name ?? defaultName,
    out: isAbsolute(spec.out) ? spec.out : resolve(pipelineDir, spec.out),
    dated: spec.dated,
    pipelineDir,
    steps,
    single,
    retry: spec.retry,
    maxShardBytes: spec.maxShardSize ? parseByteSize(spec.maxShardSize, 'maxShardSize') : 500_000_000,
    overwrite: spec.overwrite,
  };
}

export async function loadPipelineSpec(path: string): Promise<PipelineSpec> {
  const file = resolve(path);
  const raw = await readConfigFile(file);
  const defaultName =
    basename(file, extname(file))
      .replace(/[^A-Za-z0-9_-]/g, '-')
      .slice(0, 64) || 'pipeline';
  return normalizeSpec(raw, file, dirname(file), defaultName);
}

/** 2024-05-01T030000Z: sortable, and safe in file names everywhere. */
export function timeStamp(date: Date): string {
  return date
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/:/g, '');
}

function interpolate(value: unknown, vars: Record<string, string>, where: string): unknown {
  if (typeof value === 'string') {
    return value.replace(/\$\{([^}]+)\}/g, (_, name: string) => {
      const v = vars[name.trim()];
      if (v === undefined) {
        throw new WeftError(
          'E_CONFIG',
          `${where}: unknown variable \${${name}}; known: ${Object.keys(vars)
            .map((k) => `\${${k}}`)
            .join(', ')}`,
          { data: { where, variable: name } },
        );
      }
      return v;
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => interpolate(v, vars, `${where}[${i}]`));
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, interpolate(v, vars, `${where}.${k}`)]),
    );
  }
  return value;
}

/**
 * Fixes a run's id and folders: dated specs write into OUT/<stamp>/, each step into RUN_DIR/NAME
 * (or its own `out`), and ${...} variables in options are filled in.
 */
export function resolveRun(
  spec: PipelineSpec,
  options: { now?: Date; dated?: boolean; runId?: string; scheduleId?: string } = {},
): ResolvedRun {
  const now = options.now ?? new Date();
  const stamp = timeStamp(now);
  const dated = spec.dated ?? options.dated ?? false;
  const runDir = dated ? resolve(spec.out, stamp) : spec.out;
  const id = options.runId ?? `${spec.name}-${stamp}-${randomBytes(3).toString('hex')}`;
  const vars: Record<string, string> = {
    runDir,
    runId: id,
    date: now.toISOString().slice(0, 10),
    stamp,
    pipelineDir: spec.pipelineDir,
  };
  const outs = spec.steps.map((step) => {
    if (!step.out) return spec.single ? runDir : resolve(runDir, step.name);
    return resolve(runDir, interpolate(step.out, vars, `steps.${step.name}.out`) as string);
  });
  spec.steps.forEach((step, i) => {
    vars[`steps.${step.name}.out`] = outs[i]!;
  });
  return {
    id,
    name: spec.name,
    createdAt: now.toISOString(),
    runDir,
    steps: spec.steps.map((step, i) => ({
      name: step.name,
      job: step.job,
      options: interpolate(step.options, vars, `steps.${step.name}.options`) as Record<string, unknown>,
      out: outs[i]!,
    })),
    retry: spec.retry,
    maxShardBytes: spec.maxShardBytes,
    overwrite: spec.overwrite,
    ...(options.scheduleId ? { scheduleId: options.scheduleId } : {}),
  };
}
