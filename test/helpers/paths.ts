// Where things are: the repository root, the compiled CLI, and the shared corpora (WEFT_CORPORA).
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
export const cliPath = resolve(repoRoot, 'dist/cli/main.js');
export const corporaDir = resolve(repoRoot, process.env.WEFT_CORPORA ?? '../shared/corpora');
export const hasCorpora = existsSync(corporaDir);

/** Path inside the corpora folder; tests that need it use `describeWithCorpora`. */
export function corpus(...parts: string[]): string {
  return resolve(corporaDir, ...parts);
}

if (!hasCorpora) {
  // Loud on purpose: a silent skip would look like a pass.
  console.warn(`\n*** WEFT_CORPORA not found at ${corporaDir}: tests on the real corpora are SKIPPED ***\n`);
}
