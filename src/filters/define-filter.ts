// The only place that knows how filtering iterates and counts: a filter file supplies a name, a zod
// options schema and `reasonToDrop`; the returned factory validates options once and yields a Stage.
import type { z } from 'zod';
import { parseOptions } from '../pipeline/options.js';
import type { Stage } from '../pipeline/stage.js';

/** A snake_case drop reason (becomes `dropped.<reason>` in stats.json), or undefined to keep the record. */
export type DropReason = string | undefined;

export interface FilterDefinition<R, S extends z.ZodType> {
  /** kebab-case name: the file name and the registry key. */
  name: string;
  /** One line for `weft filter --help` and the dataset card. */
  description: string;
  options: S;
  reasonToDrop(record: R, options: z.output<S>): DropReason | Promise<DropReason>;
}

export interface FilterFactory<R, S extends z.ZodType> {
  (options?: z.input<S>): Stage<R> & { readonly options: z.output<S> };
  readonly definition: FilterDefinition<R, S>;
}

export function defineFilter<R, S extends z.ZodType>(
  definition: FilterDefinition<R, S>,
): FilterFactory<R, S> {
  const factory = (input?: z.input<S>) => {
    const options = parseOptions(`filter ${definition.name}`, definition.options, input ?? {});
    return {
      name: definition.name,
      options,
      async *run(records: AsyncIterable<R>, ctx: Parameters<Stage<R>['run']>[1]) {
        for await (const record of records) {
          let reason = definition.reasonToDrop(record, options);
          // Awaiting a plain value would still cost a tick per record.
          if (reason instanceof Promise) reason = await reason;
          if (reason) ctx.stats.drop(reason);
          else yield record;
        }
      },
    };
  };
  return Object.assign(factory, { definition });
}
