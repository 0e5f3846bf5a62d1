import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type DemoSite, startDemoSite } from '../../demo/demo-site.js';
import { demoSteps, type StepContext } from '../../demo/demo-steps.js';
import { cardDataset } from '../../release/card-dataset.js';
import { defineCommand } from '../command.js';
import { printSummary, runFlags, runJobWithProgress } from '../job-command.js';

export default defineCommand({
  name: 'demo',
  summary: 'Build small datasets from inputs weft generates itself (no network, no setup)',
  usage: 'weft demo --out DIR [--workers N] [--json]',
  flags: {
    out: runFlags.out,
    workers: runFlags.workers,
    json: runFlags.json,
    quiet: runFlags.quiet,
  },
  positionals: { name: '', description: '', max: 0 },
  examples: ['weft demo --out out/demo', 'weft inspect out/demo'],
  async run({ flags }, io) {
    const outDir = resolve(io.cwd, typeof flags.out === 'string' ? flags.out : 'out/demo');
    const results: Record<string, unknown>[] = [];
    let site: Promise<DemoSite> | undefined;
    const inputsDir = await mkdtemp(join(tmpdir(), 'weft-demo-'));
    const ctx: StepContext = { outDir, site: () => (site ??= startDemoSite()), inputsDir };
    try {
      for (const step of demoSteps) {
        const stepFlags = { ...flags, out: join(outDir, step.dir), overwrite: true, json: false };
        const options = typeof step.options === 'function' ? await step.options(ctx) : step.options;
        const summary = await runJobWithProgress(
          { command: `demo ${step.dir}`, job: step.job, options, flags: stepFlags },
          io,
        );
        printSummary(io, `demo ${step.dir}`, summary, stepFlags);
        results.push({
          step: step.dir,
          what: step.what,
          out: summary.outDir,
          rows: summary.rows,
          bytes: summary.bytes,
        });
      }
    } finally {
      await (await site)?.close();
      await rm(inputsDir, { recursive: true, force: true });
    }
    // Every dataset the demo built gets its card: README.md with Hub metadata, plots, manifest.json.
    for (const [i, step] of demoSteps.entries()) {
      const card = await cardDataset(join(outDir, step.dir), step.card);
      for (const warning of card.warnings) io.stderr.write(`[weft] demo ${step.dir}: warning: ${warning}\n`);
      if (flags.json !== true && flags.quiet !== true) {
        io.stderr.write(`[weft] demo ${step.dir}: card ${card.path} (${card.plots.length} plots)\n`);
      }
      results[i]!.card = card.path;
    }
    if (flags.json === true) {
      io.stdout.write(`${JSON.stringify({ ok: true, command: 'demo', out: outDir, steps: results })}\n`);
    } else if (flags.quiet !== true) {
      io.stderr.write(
        `[weft] demo: datasets written under ${outDir}\n  look at them:   npx weft inspect ${outDir}\n  load in Python: datasets.load_from_disk("${join(outDir, 'images')}")\n`,
      );
    }
    return 0;
  },
});
