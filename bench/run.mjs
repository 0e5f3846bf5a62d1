#!/usr/bin/env node
// npm run bench -- NAME [args]: compiles bench/ and src/ (tsc) and runs bench/NAME.ts.
// Each benchmark measures weft beside its anchor in the same run and prints both and the ratio.
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const names = readdirSync(join(root, 'bench'))
  .filter((f) => f.endsWith('.ts'))
  .map((f) => f.slice(0, -3));
const [name, ...args] = process.argv.slice(2);
if (!name || !names.includes(name)) {
  console.error(`usage: npm run bench -- NAME [args]\navailable: ${names.join(', ')}`);
  process.exit(name ? 2 : 0);
}
execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.bench.json'], {
  cwd: root,
  stdio: 'inherit',
});
// src/version.ts reads package.json one folder above src/: the compiled tree needs its copy.
copyFileSync(join(root, 'package.json'), join(root, '.bench-build/package.json'));
const script = join(root, '.bench-build/bench', `${name}.js`);
if (!existsSync(script)) {
  console.error(`benchmark ${name} did not compile to ${script}`);
  process.exit(1);
}
const result = spawnSync(process.execPath, ['--expose-gc', script, ...args], { cwd: root, stdio: 'inherit' });
process.exit(result.status ?? 1);
