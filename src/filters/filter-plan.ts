// Turns a preset plus per-filter overrides (from --preset / --config) into the ordered filter steps,
// and the steps into pipeline stages for the input's record kind. Every option is validated here, in
// the parent process, so a typo fails before any task starts, naming the filter, level and option.
import { z } from 'zod';
import { WeftError } from '../errors.js';
import type { Stage } from '../pipeline/stage.js';
import type { FilterFactory } from './define-filter.js';
import type { ImageFilterFactory, TextFilterFactory } from './define-node-filter.js';
import { type FilterName, filters } from './index.js';
import { nsfwRecords } from './nsfw.js';
import { type FilterLevel, type FilterStep, PRESET_NAMES, PRESETS } from './presets.js';

const LEVELS = ['image', 'paragraph', 'line', 'document'] as const;
/** Per level: filter name → its options, `true` (defaults) or `false` (turn a preset's filter off). */
const LevelOverrides = z.record(z.string(), z.union([z.boolean(), z.record(z.string(), z.unknown())]));

export const FilterPlanOptions = z.strictObject({
  /** Starting chain; `obelics` when nothing else is given. */
  preset: z.enum(PRESET_NAMES).optional(),
  image: LevelOverrides.optional(),
  paragraph: LevelOverrides.optional(),
  line: LevelOverrides.optional(),
  document: LevelOverrides.optional(),
});
export type FilterPlanOptions = z.output<typeof FilterPlanOptions>;

/** The record kinds a filter chain can run on. */
export type RecordKind = 'web-documents' | 'single-image';

export function resolveSteps(plan: FilterPlanOptions): FilterStep[] {
  const hasOverrides = LEVELS.some((l) => plan[l] !== undefined);
  const base = plan.preset ?? (hasOverrides ? undefined : 'obelics');
  const steps: FilterStep[] = (base ? PRESETS[base] : []).map((s) => ({ ...s }));
  for (const level of LEVELS) {
    for (const [name, value] of Object.entries(plan[level] ?? {})) {
      if (!(name in filters)) {
        throw new WeftError(
          'E_CONFIG',
          `${level}: unknown filter "${name}"; known filters: ${Object.keys(filters).join(', ')}`,
          { data: { level, filter: name } },
        );
      }
      const index = steps.findIndex((s) => s.level === level && s.filter === name);
      if (value === false) {
        if (index >= 0) steps.splice(index, 1);
        continue;
      }
      const options = value === true ? {} : value;
      if (index >= 0) steps[index] = { ...steps[index]!, options: { ...steps[index]!.options, ...options } };
      else steps.push({ level, filter: name as FilterName, options });
    }
  }
  return steps;
}

type AnyFactory =
  | TextFilterFactory<z.ZodObject>
  | ImageFilterFactory<z.ZodType>
  | FilterFactory<unknown, z.ZodType>;

function levelError(step: FilterStep, what: string): WeftError {
  return new WeftError('E_CONFIG', `filter ${step.filter} cannot run at ${step.level} level ${what}`, {
    data: { filter: step.filter, level: step.level },
  });
}

/** One stage for a step, or undefined when the step does not apply to this record kind. */
// biome-ignore lint/suspicious/noExplicitAny: stages are heterogeneous; each is typed where defined
export function stageFor(step: FilterStep, kind: RecordKind): Stage<any, any> | undefined {
  const factory = filters[step.filter] as AnyFactory;
  const options = step.options ?? {};
  if ('at' in factory) {
    if (step.level === 'image') throw levelError(step, '(it is a text filter)');
    if (!factory.levels.includes(step.level))
      throw levelError(step, `(its levels: ${factory.levels.join(', ')})`);
    return kind === 'web-documents' ? factory.at(step.level, options) : undefined;
  }
  if ('nodes' in factory) {
    if (step.level !== 'image') throw levelError(step, '(image filters run at image level)');
    return kind === 'web-documents' ? factory.nodes(options) : factory(options);
  }
  if (step.level !== 'document') throw levelError(step, '(it is a document filter)');
  if (step.filter === 'nsfw' && kind === 'single-image') return nsfwRecords(options as never);
  if (step.filter === 'images-per-document' && kind === 'single-image') return undefined;
  return factory(options as never);
}

/** Stages for the steps; throws E_CONFIG (naming filter, level and option) on any invalid option. */
// biome-ignore lint/suspicious/noExplicitAny: see above
export function buildFilterStages(steps: FilterStep[], kind: RecordKind): Stage<any, any>[] {
  // biome-ignore lint/suspicious/noExplicitAny: see above
  const stages: Stage<any, any>[] = [];
  for (const step of steps) {
    const stage = stageFor(step, kind);
    if (stage) stages.push(stage);
  }
  return stages;
}

export function levelsOf(steps: FilterStep[]): FilterLevel[] {
  return [...new Set(steps.map((s) => s.level))];
}
