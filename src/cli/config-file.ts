// Config files (YAML or JSON) are parsed with a real YAML parser and fail with the file and line.
import { readFile } from 'node:fs/promises';
import { parseDocument } from 'yaml';
import { WeftError } from '../errors.js';

export async function readConfigFile(path: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new WeftError('E_CONFIG', `cannot read config file ${path}: ${(error as Error).message}`, {
      data: { path },
      cause: error,
    });
  }
  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors.length > 0) {
    const first = doc.errors[0]!;
    const line = first.linePos?.[0]?.line;
    throw new WeftError(
      'E_CONFIG',
      `${path}${line ? `:${line}` : ''}: ${first.message.split('\n')[0]?.replace(/:$/, '')}`,
      {
        data: { path, line },
      },
    );
  }
  const value = doc.toJS() as unknown;
  if (value === null || value === undefined) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new WeftError('E_CONFIG', `${path}: the config must be a mapping of option names to values`, {
      data: { path },
    });
  }
  return value as Record<string, unknown>;
}
