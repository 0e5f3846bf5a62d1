// Config files (YAML or JSON) are parsed with a real YAML parser and fail with the file and line,
// both for syntax errors and, through `lineOf`, for options the schema refuses.
import { readFile } from 'node:fs/promises';
import { isMap, isSeq, LineCounter, type Node, parseDocument } from 'yaml';
import { WeftError } from '../errors.js';

export interface ConfigDocument {
  path: string;
  value: Record<string, unknown>;
  /** The line of the deepest node of `keys` that the file has (for messages), if any. */
  lineOf(keys: readonly PropertyKey[]): number | undefined;
}

export async function loadConfigDocument(path: string): Promise<ConfigDocument> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new WeftError('E_CONFIG', `cannot read config file ${path}: ${(error as Error).message}`, {
      data: { path },
      cause: error,
    });
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: true });
  const lineAt = (offset: number) => lineCounter.linePos(offset).line;
  if (doc.errors.length > 0) {
    const first = doc.errors[0]!;
    const line = lineAt(first.pos[0]);
    throw new WeftError('E_CONFIG', `${path}:${line}: ${first.message.split('\n')[0]?.replace(/:$/, '')}`, {
      data: { path, line },
    });
  }
  const value = doc.toJS() as unknown;
  if (value !== null && value !== undefined && (typeof value !== 'object' || Array.isArray(value))) {
    throw new WeftError('E_CONFIG', `${path}: the config must be a mapping of option names to values`, {
      data: { path },
    });
  }
  return {
    path,
    value: (value ?? {}) as Record<string, unknown>,
    lineOf(keys) {
      for (let depth = keys.length; depth >= 0; depth--) {
        const node = doc.getIn(keys.slice(0, depth) as (string | number)[], true) as Node | undefined;
        if (node?.range && (depth > 0 || isMap(node) || isSeq(node))) return lineAt(node.range[0]);
      }
      return undefined;
    },
  };
}

export async function readConfigFile(path: string): Promise<Record<string, unknown>> {
  return (await loadConfigDocument(path)).value;
}
