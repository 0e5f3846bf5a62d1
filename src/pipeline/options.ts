// Validates options with a zod schema and turns failures into one E_CONFIG error that names
// where the option lives, which option, what was received and what is allowed.
import type { z } from 'zod';
import { WeftError } from '../errors.js';

function formatPath(path: readonly PropertyKey[]): string {
  return path
    .map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`))
    .join('');
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value: unknown = input;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

/** Renders zod issues as "where: option: problem (received X)" lines. */
export function describeIssues(where: string, input: unknown, issues: readonly z.core.$ZodIssue[]): string {
  return issues
    .map((issue) => {
      const path = formatPath(issue.path);
      const received = valueAt(input, issue.path);
      const receivedText =
        received === undefined || issue.code === 'unrecognized_keys'
          ? ''
          : ` (received ${JSON.stringify(received)?.slice(0, 80)})`;
      return `${where}${path ? `: ${path}` : ''}: ${issue.message}${receivedText}`;
    })
    .join('\n');
}

/** Parses `input` with `schema` or throws WeftError E_CONFIG with a readable message. */
export function parseOptions<S extends z.ZodType>(where: string, schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw new WeftError('E_CONFIG', describeIssues(where, input, result.error.issues), {
    data: {
      where,
      issues: result.error.issues.map((i) => ({ path: i.path.map(String), message: i.message })),
    },
  });
}
