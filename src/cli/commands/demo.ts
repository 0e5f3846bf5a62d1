import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { defineCommand } from '../command.js';
import { printSummary, runFlags, runJobWithProgress } from '../job-command.js';

// Each step of the demo: a job run into a subfolder of --out. Steps are added as features land.
// `prepare` (optional) writes the step's generated inputs under --out and returns more job options.
interface DemoStep {
  dir: string;
  job: string;
  options: Record<string, unknown>;
  what: string;
  prepare?: (outDir: string) => Promise<Record<string, unknown>>;
}

const steps: DemoStep[] = [
  {
    dir: 'images',
    job: 'demo-images',
    options: { count: 96 },
    what: 'synthetic captioned images (image-text pairs)',
  },
  {
    dir: 'web',
    job: 'web',
    options: {},
    what: 'interleaved web documents (OBELICS layout) from a generated WARC',
    async prepare(outDir) {
      const { writeDemoWarc } = await import('../../demo/demo-warc.js');
      const dir = join(outDir, 'web-input');
      await mkdir(dir, { recursive: true });
      const path = join(dir, 'weft-demo.warc.gz');
      await writeDemoWarc(path);
      return { inputs: [path] };
    },
  },
  {
    dir: 'web-pairs',
    job: 'web-pairs',
    options: {},
    what: 'image–text pairs from those web documents',
    prepare: async (outDir) => ({ documents: join(outDir, 'web') }),
  },
];

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
    for (const step of steps) {
      const stepFlags = { ...flags, out: join(outDir, step.dir), overwrite: true, json: false };
      const options = { ...step.options, ...(step.prepare ? await step.prepare(outDir) : {}) };
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
    if (flags.json === true)
      io.stdout.write(`${JSON.stringify({ ok: true, command: 'demo', out: outDir, steps: results })}\n`);
    else if (flags.quiet !== true) {
      io.stderr.write(
        `[weft] demo: datasets written under ${outDir}\n  look at them:   npx weft inspect ${outDir}\n  load in Python: datasets.load_from_disk("${join(outDir, steps[0]!.dir)}")\n`,
      );
    }
    return 0;
  },
});
