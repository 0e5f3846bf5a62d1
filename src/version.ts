import { readFileSync } from 'node:fs';

// package.json sits one folder above both src/ and dist/ (two above .bench-build/src/).
function readVersion(): string {
  for (const path of ['../package.json', '../../package.json']) {
    try {
      return (JSON.parse(readFileSync(new URL(path, import.meta.url), 'utf8')) as { version: string })
        .version;
    } catch {
      // Not there: try the next place.
    }
  }
  return '0.0.0';
}

export const WEFT_VERSION: string = readVersion();
