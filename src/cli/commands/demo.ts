import { join, resolve } from 'node:path';
import { defineCommand } from '../command.js';
import { printSummary, runFlags, runJobWithProgress } from '../job-command.js';

// Each step of the demo: a job run into a subfolder of --out. Steps are added as features land.
// `options` may be a function of the demo's output folder, for steps that read an earlier step.
const steps: {
  dir: string;
  job: string;
  options: Record<string, unknown> | ((outDir: string) => Record<string, unknown>);
  what: string;
}[] = [
  {
    dir: 'images',
    job: 'demo-images',
    options: { count: 96 },
    what: 'synthetic captioned images (image-text pairs)',
  },
  {
    dir: 'documents',
    job: 'demo-documents',
    options: { count: 40 },
    what: 'synthetic interleaved web documents with boilerplate and planted duplicates',
  },
  {
    dir: 'documents-filtered',
    job: 'filter',
    options: (outDir) => ({ input: join(outDir, 'documents'), preset: 'obelics' }),
    what: 'the documents through the OBELICS filters (paragraph and document level, NSFW)',
  },
  {
    dir: 'documents-deduped',
    job: 'dedup',
    options: (outDir) => ({
      input: join(outDir, 'documents-filtered'),
      methods: ['frequent-images', 'url', 'paragraphs', 'image-set', 'exact', 'minhash', 'images'],
    }),
    what: 'the filtered documents deduplicated (frequent images, URL, paragraphs, exact, MinHash, images)',
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
      const summary = await runJobWithProgress(
        {
          command: `demo ${step.dir}`,
          job: step.job,
          options: typeof step.options === 'function' ? step.options(outDir) : step.options,
          flags: stepFlags,
        },
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
