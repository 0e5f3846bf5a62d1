import { resolve } from 'node:path';
import { verifyDataset } from '../../release/verify-dataset.js';
import { defineCommand } from '../command.js';

export default defineCommand({
  name: 'verify',
  summary: 'Read a dataset back in full and check its shards, row counts and manifest',
  usage: 'weft verify DIR [--json]',
  flags: { json: { type: 'boolean', description: 'Print the report as one JSON line on stdout' } },
  positionals: {
    name: 'DIR',
    description: 'A dataset directory (weft output, a release folder with manifest.json, or save_to_disk)',
    min: 1,
    max: 1,
  },
  examples: ['weft verify out/web', 'weft verify /mnt/shared/release/web-2026-11  # after copying it'],
  async run({ flags, positionals }, io) {
    const dir = resolve(io.cwd, positionals[0]!);
    const report = await verifyDataset(dir);
    const ok = report.problems.length === 0;
    if (flags.json === true) {
      io.stdout.write(`${JSON.stringify({ ok, command: 'verify', ...report })}\n`);
    } else {
      const manifest = report.manifestFiles > 0 ? `; ${report.manifestFiles} manifest files checked` : '';
      io.stderr.write(
        `[weft] verify: ${dir}: ${report.rows} rows in ${report.shards} shard(s), ${report.bytes} bytes${manifest}\n`,
      );
      for (const p of report.problems) io.stderr.write(`  ${p.file}: ${p.problem}\n`);
      io.stderr.write(ok ? '  ok\n' : `  ${report.problems.length} problem(s)\n`);
    }
    return ok ? 0 : 1;
  },
});
