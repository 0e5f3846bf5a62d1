// Finds a Python with Hugging Face `datasets` for interop tests (WEFT_PYTHON, then .venv, then python3).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { repoRoot } from './paths.js';

function hasDatasets(python: string): boolean {
  const result = spawnSync(python, ['-c', 'import datasets, PIL'], { stdio: 'ignore', timeout: 60_000 });
  return result.status === 0;
}

function findPython(): string | undefined {
  const candidates = [process.env.WEFT_PYTHON, resolve(repoRoot, '.venv/bin/python'), 'python3'].filter(
    (p): p is string => Boolean(p),
  );
  for (const candidate of candidates) {
    if (candidate.includes('/') && !existsSync(candidate)) continue;
    if (hasDatasets(candidate)) return candidate;
  }
  return undefined;
}

export const pythonWithDatasets = findPython();

if (!pythonWithDatasets) {
  console.warn(
    '\n*** Python `datasets` not available (set WEFT_PYTHON or create .venv): interop tests are SKIPPED ***\n',
  );
}

/** Runs a Python script with the datasets-enabled interpreter and returns its stdout parsed as JSON. */
export function runPythonJson<T = unknown>(script: string, args: string[] = []): T {
  if (!pythonWithDatasets) throw new Error('no python with datasets');
  const out = execFileSync(pythonWithDatasets, ['-c', script, ...args], {
    encoding: 'utf8',
    timeout: 120_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  const lines = out.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]!) as T;
}
