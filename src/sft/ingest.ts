// One input file of one source, read row by row: adapt → resolve images → (training) decontaminate and
// store, or (evaluation) collect fingerprints. Bad rows are a counted reason, or with onError: fail one
// WeftError naming the file and line, raised before anything of the dataset is written.
import { writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { WeftError } from '../errors.js';
import type { Logger } from '../pipeline/logger.js';
import { mapConcurrent } from '../pipeline/map-concurrent.js';
import { StageStats, type StageStatsJson } from '../pipeline/stats.js';
import { type AdaptedRow, seededUnit } from './adapted-row.js';
import { adaptRow, rowIdOf } from './adapters.js';
import type { SftOptions, SourceConfig } from './config.js';
import { type EvalFingerprints, type EvalIndex, questionNgrams } from './decontaminate.js';
import { ImageResolver, type ResolvedImage, urlImageSourceFor } from './image-resolver.js';
import { IngestWriter } from './ingest-store.js';
import { type FileType, type RawRow, readRawRows } from './read-rows.js';

export interface SftTaskInput {
  role: 'train' | 'eval';
  /** Index into `sources` or `evaluation`. */
  source: number;
  file: string;
  type: FileType;
  /** Absolute folder image paths resolve against and may not leave. */
  imageRoot: string;
}

type Outcome =
  | { line: number; problem: { reason: string; message: string }; stage: 'read' | 'adapt' | 'images' }
  | { line: number; id: string; row: AdaptedRow; images: ResolvedImage[] };

const MAX_LOGGED_PROBLEMS = 5;

/** Reads, adapts and resolves the images of every row of one file, in file order. */
async function* processFile(
  options: SftOptions,
  source: SourceConfig,
  input: SftTaskInput,
  signal: AbortSignal,
  timing: { adaptMs: number; imagesMs: number },
): AsyncGenerator<Outcome> {
  const resolver = new ImageResolver({
    root: input.imageRoot,
    maxPixels: options.images.maxPixels,
    formats: options.images.formats,
    urlSource: urlImageSourceFor(options.images),
    signal,
  });
  const label = basename(input.file);
  const handle = async (raw: RawRow): Promise<Outcome> => {
    if (raw.problem || !raw.value) return { line: raw.line, problem: raw.problem!, stage: 'read' };
    let start = performance.now();
    const id = rowIdOf(raw.value, source, `${label}:${raw.line}`);
    const adapted = adaptRow(raw.value, source, { seed: options.seed, rowId: id });
    timing.adaptMs += performance.now() - start;
    if ('problem' in adapted) return { line: raw.line, problem: adapted.problem, stage: 'adapt' };
    start = performance.now();
    // Busy time: rows resolve concurrently, so this can exceed the task's wall time.
    const done = () => (timing.imagesMs += performance.now() - start);
    const images: ResolvedImage[] = [];
    for (const ref of adapted.row.images) {
      const result = await resolver.resolve(ref);
      if ('problem' in result) {
        done();
        return { line: raw.line, problem: result.problem, stage: 'images' };
      }
      // The same picture listed twice (LLaMA-Factory's one-<image>-per-turn rows) is stored once.
      if (!images.some((i) => i.pixelSha256 === result.image.pixelSha256)) images.push(result.image);
    }
    done();
    return { line: raw.line, id, row: adapted.row, images };
  };
  yield* mapConcurrent(readRawRows(input.file, input.type), handle, { concurrency: 4 });
}

class IngestStats {
  readonly read = new StageStats('read-rows');
  readonly adapt = new StageStats('adapt');
  readonly images = new StageStats('resolve-images');
  readonly last: StageStats;
  readonly timing = { adaptMs: 0, imagesMs: 0 };
  private readonly started = performance.now();
  private logged = 0;
  constructor(
    lastName: string,
    private readonly sourceName: string,
    private readonly log: Logger,
  ) {
    this.last = new StageStats(lastName);
  }

  problem(outcome: Extract<Outcome, { problem: unknown }>, file: string, onError: 'skip' | 'fail'): void {
    const text = `${file}:${outcome.line}: ${outcome.problem.message}`;
    if (onError === 'fail') {
      throw new WeftError(
        'E_INPUT',
        `${text} [${outcome.problem.reason}] (onError: fail stops the run; use onError: skip to drop such rows)`,
        {
          data: { path: file, line: outcome.line, reason: outcome.problem.reason },
        },
      );
    }
    const stage = outcome.stage === 'read' ? this.read : outcome.stage === 'adapt' ? this.adapt : this.images;
    this.drop(stage, outcome.problem.reason);
    if (this.logged < MAX_LOGGED_PROBLEMS) this.log.warn(`skipped ${text} [${outcome.problem.reason}]`);
    this.logged += 1;
  }

  drop(stage: StageStats, reason: string): void {
    stage.drop(reason);
    stage.count(`source.${this.sourceName}.dropped.${reason}`);
  }

  /** Chains in/out through the stages so the funnel adds up. */
  finish(): StageStatsJson[] {
    if (this.logged > MAX_LOGGED_PROBLEMS)
      this.log.warn(`${this.logged - MAX_LOGGED_PROBLEMS} more rows skipped (counted in stats.json)`);
    this.adapt.timeMs = this.timing.adaptMs;
    this.images.timeMs = this.timing.imagesMs;
    // Reading, parsing and (for training) storing: what the task's wall time leaves over.
    this.read.timeMs = Math.max(
      0,
      performance.now() - this.started - this.timing.adaptMs - this.timing.imagesMs,
    );
    this.adapt.in = this.read.out;
    this.images.in = this.adapt.out;
    this.last.in = this.images.out;
    return [this.read, this.adapt, this.images, this.last].map((s) => s.toJSON());
  }
}

/** Counts the row out of every stage it got through. */
function passed(stats: IngestStats, outcome: Outcome): void {
  const failedAt = 'problem' in outcome ? outcome.stage : undefined;
  stats.read.in += 1;
  if (failedAt === 'read') return;
  stats.read.out += 1;
  if (failedAt === 'adapt') return;
  stats.adapt.out += 1;
  if (failedAt === 'images') return;
  stats.images.out += 1;
}

export async function ingestEvaluation(
  options: SftOptions,
  input: SftTaskInput,
  outDir: string,
  env: { log: Logger; signal: AbortSignal },
): Promise<StageStatsJson[]> {
  const source = options.evaluation[input.source]!;
  const stats = new IngestStats('fingerprint', `eval.${source.name}`, env.log);
  const fingerprints: EvalFingerprints = { pixelSha256: [], phash: [], ngrams: [] };
  const ngram = options.decontamination.ngram;
  for await (const outcome of processFile(options, source, input, env.signal, stats.timing)) {
    passed(stats, outcome);
    if ('problem' in outcome) {
      stats.problem(outcome, input.file, options.onError);
      continue;
    }
    for (const image of outcome.images) {
      fingerprints.pixelSha256.push(image.pixelSha256);
      fingerprints.phash.push(image.phash);
    }
    if (ngram !== false && outcome.row.checkQuestions)
      for (const turn of outcome.row.turns) fingerprints.ngrams.push(...questionNgrams(turn.user, ngram));
    stats.last.out += 1;
    stats.last.count('images', outcome.images.length);
  }
  await writeFile(join(outDir, 'fingerprints.json'), JSON.stringify(fingerprints));
  return stats.finish();
}

/** The merge key of a row: its distinct pictures, in order (null for text-only rows, never merged). */
export function mergeKeyOf(images: readonly { pixelSha256: string }[]): string | null {
  return images.length === 0 ? null : images.map((i) => i.pixelSha256).join(',');
}

export async function ingestTraining(
  options: SftOptions,
  input: SftTaskInput,
  outDir: string,
  evalIndex: EvalIndex,
  env: { log: Logger; signal: AbortSignal },
): Promise<StageStatsJson[]> {
  const source = options.sources[input.source]!;
  const stats = new IngestStats('decontaminate', source.name, env.log);
  const writer = new IngestWriter(outDir);
  try {
    for await (const outcome of processFile(options, source, input, env.signal, stats.timing)) {
      passed(stats, outcome);
      if ('problem' in outcome) {
        stats.problem(outcome, input.file, options.onError);
        continue;
      }
      const questions = outcome.row.checkQuestions ? outcome.row.turns.map((t) => t.user) : [];
      const reason = evalIndex.empty ? undefined : evalIndex.check(outcome.images, questions);
      if (reason) {
        stats.drop(stats.last, reason);
        continue;
      }
      stats.last.out += 1;
      stats.last.count(`source.${source.name}.rows`);
      stats.last.count(`source.${source.name}.turns`, outcome.row.turns.length);
      const rank = seededUnit(options.seed, 'select', source.name, outcome.id);
      const where = `${basename(input.file)}:${outcome.line}`;
      await writer.addRow(
        { source: input.source, where, turns: outcome.row.turns, images: outcome.images },
        rank,
        options.merge.byImage ? mergeKeyOf(outcome.images) : null,
      );
    }
  } finally {
    await writer.close();
  }
  return stats.finish();
}
