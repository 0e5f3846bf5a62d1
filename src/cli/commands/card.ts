import { resolve } from 'node:path';
import { cardDataset } from '../../release/card-dataset.js';
import { cardFlags, cardOptionsFrom } from '../card-flags.js';
import { defineCommand } from '../command.js';

export default defineCommand({
  name: 'card',
  summary:
    'Write the dataset card (README.md with Hub metadata, plots, manifest.json) into a dataset directory',
  usage: 'weft card DIR [--license ID] [--language CODE]... [--json]',
  flags: {
    ...cardFlags,
    overwrite: { type: 'boolean', description: 'Replace a README.md that weft did not write' },
    json: { type: 'boolean', description: 'Print one machine-readable summary line on stdout' },
  },
  positionals: {
    name: 'DIR',
    description: 'A dataset directory (weft output or save_to_disk)',
    min: 1,
    max: 1,
  },
  examples: [
    'weft card out/demo/images',
    'weft card out/web --license cc-by-4.0 --language en --language fr',
  ],
  async run({ flags, positionals }, io) {
    const dir = resolve(io.cwd, positionals[0]!);
    const result = await cardDataset(dir, cardOptionsFrom(flags));
    for (const warning of result.warnings) io.stderr.write(`[weft] card: warning: ${warning}\n`);
    if (flags.json === true) {
      io.stdout.write(
        `${JSON.stringify({ ok: true, command: 'card', card: result.path, plots: result.plots, rows: result.rows, warnings: result.warnings })}\n`,
      );
    } else {
      io.stderr.write(
        `[weft] card: wrote ${result.path} (${result.rows} rows, ${result.plots.length} plots) and manifest.json (${result.manifest.files.length} files)\n`,
      );
    }
    return 0;
  },
});
