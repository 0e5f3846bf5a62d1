import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type DemoSite, startDemoSite } from '../../demo/demo-site.js';
import { defineCommand } from '../command.js';
import { printSummary, runFlags, runJobWithProgress } from '../job-command.js';

interface StepContext {
  /** A website on 127.0.0.1 (started on first use), and a temporary folder for input files. */
  site(): Promise<DemoSite>;
  inputsDir: string;
}

// The demo site is on 127.0.0.1: allow that one private address, nothing else.
const localFetch = { allowedPrivateRanges: ['127.0.0.1/32'], perHostRequestsPerSecond: 0 };

// Each step of the demo: a job run into a subfolder of --out. Steps are added as features land.
const steps: {
  dir: string;
  job: string;
  options: Record<string, unknown> | ((ctx: StepContext) => Promise<Record<string, unknown>>);
  what: string;
}[] = [
  {
    dir: 'images',
    job: 'demo-images',
    options: { count: 96 },
    what: 'synthetic captioned images (image-text pairs)',
  },
  {
    dir: 'crawl',
    job: 'crawl',
    options: async (ctx) => {
      const seeds = join(ctx.inputsDir, 'seeds.txt');
      await writeFile(seeds, `${(await ctx.site()).url}/\n`);
      return { seeds, maxDepth: 2, fetch: localFetch };
    },
    what: 'a polite crawl of a local demo site into WARC/1.1 files (crawl log + warc/)',
  },
  {
    dir: 'web-images',
    job: 'images',
    options: async (ctx) => {
      const list = join(ctx.inputsDir, 'image-urls.csv');
      const rows = (await ctx.site()).images.map((i) => `${i.url},"${i.caption.replace(/"/g, '""')}"`);
      await writeFile(list, `url,caption\n${rows.join('\n')}\n`);
      return { input: list, fetch: localFetch };
    },
    what: "the demo site's pictures downloaded, validated and resized to 980 px (image-text pairs)",
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
    let site: Promise<DemoSite> | undefined;
    const inputsDir = await mkdtemp(join(tmpdir(), 'weft-demo-'));
    const ctx: StepContext = { site: () => (site ??= startDemoSite()), inputsDir };
    try {
      for (const step of steps) {
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
