import { resolve } from 'node:path';
import { exportParquet } from '../../release/export-parquet.js';
import { exportWebdataset } from '../../release/export-webdataset.js';
import { cardFlags, cardOptionsFrom } from '../card-flags.js';
import { defineCommand, parseByteSize } from '../command.js';
import { requireOut } from '../job-command.js';

export default defineCommand({
  name: 'export',
  summary:
    'Export a dataset for release: Parquet shards in the Hub layout, or webdataset tars, with card and manifest',
  usage: 'weft export DIR --format parquet|webdataset --out OUT [--max-shard-size SIZE]',
  flags: {
    format: {
      type: 'string',
      value: 'FORMAT',
      description: 'Output format',
      choices: ['parquet', 'webdataset'],
    },
    out: { type: 'string', value: 'OUT', description: 'Output folder (a Hub dataset repository as it is)' },
    'max-shard-size': {
      type: 'string',
      value: 'SIZE',
      description: 'Shard size cap, in uncompressed Arrow bytes as datasets counts them (default 500MB)',
    },
    'rows-per-row-group': {
      type: 'number',
      value: 'N',
      description: 'Parquet rows per row group (default 100 for image tables, ~100 MB of rows otherwise)',
    },
    overwrite: { type: 'boolean', description: 'Replace an earlier weft export in OUT' },
    json: { type: 'boolean', description: 'Print one machine-readable summary line on stdout' },
    ...cardFlags,
  },
  positionals: {
    name: 'DIR',
    description: 'A dataset directory (weft output or save_to_disk)',
    min: 1,
    max: 1,
  },
  examples: [
    'weft export out/demo/images --format parquet --out release/images',
    'weft export out/pairs --format webdataset --out release/pairs-wds --max-shard-size 1GB',
  ],
  async run({ flags, positionals }, io) {
    const { WeftError } = await import('../../errors.js');
    const dir = resolve(io.cwd, positionals[0]!);
    const out = resolve(io.cwd, requireOut(flags));
    if (typeof flags.format !== 'string')
      throw new WeftError('E_USAGE', '--format is required: parquet or webdataset');
    const size = flags['max-shard-size'];
    const maxShardBytes = typeof size === 'string' ? parseByteSize(size, 'max-shard-size') : 500_000_000;
    const rowsPerRowGroup = flags['rows-per-row-group'] as number | undefined;
    if (rowsPerRowGroup !== undefined && (!Number.isInteger(rowsPerRowGroup) || rowsPerRowGroup < 1))
      throw new WeftError(
        'E_USAGE',
        `--rows-per-row-group must be a positive integer (received ${rowsPerRowGroup})`,
      );
    const card = cardOptionsFrom(flags);
    const overwrite = flags.overwrite === true;
    const result =
      flags.format === 'parquet'
        ? await exportParquet(dir, out, { maxShardBytes, rowsPerRowGroup, card, overwrite })
        : await exportWebdataset(dir, out, { maxShardBytes, card, overwrite });
    for (const warning of result.warnings) io.stderr.write(`[weft] export: warning: ${warning}\n`);
    const skipped = Object.entries(result.skipped);
    if (flags.json === true) {
      io.stdout.write(
        `${JSON.stringify({ ok: true, command: 'export', format: result.format, out, rows: result.rows, files: result.files, skipped: result.skipped, warnings: result.warnings })}\n`,
      );
    } else {
      const bytes = result.files.reduce((n, f) => n + f.bytes, 0);
      io.stderr.write(
        `[weft] export: wrote ${out}: ${result.rows} rows in ${result.files.length} ${result.format} file(s), ${(bytes / 1e6).toFixed(1)} MB; README.md, ${result.plots.length} plots, manifest.json\n`,
      );
      if (skipped.length > 0)
        io.stderr.write(`  left out: ${skipped.map(([reason, n]) => `${reason} ${n}`).join(', ')}\n`);
    }
    return 0;
  },
});
