import { readFileSync } from 'node:fs';

// package.json sits one folder above both src/ and dist/ (two above in the benchmark build, .bench-build/src/).
function readVersion(): string {
  for (const path of ['../package.json', '../../package.json']) {
    try {
      return (JSON.parse(readFileSync(new URL(path, import.meta.url), 'utf8')) as { version: string })
        .version;
    } catch {
      // try the next location
    }
  }
  throw new Error('weft: cannot find its package.json');
}

export const WEFT_VERSION: string = readVersion();
