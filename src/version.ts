import { readFileSync } from 'node:fs';

// package.json sits one folder above both src/ and dist/.
export const WEFT_VERSION: string = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;
