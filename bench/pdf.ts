// bench/pdf: pages per second per core at 980 px JPEG (q90), weft (each engine, PDFium in WebAssembly and
// pdfjs, in a render thread, + sharp) beside poppler's pdftoppm rendering the same pages at the same size
// and quality in the same run.
// "Per core" is pages / CPU seconds (user + system, every thread; for pdftoppm, the child's time), so
// the figure does not depend on how busy the machine is. Wall time is printed too.
// Goal: weft's time ≤ 1.5 × pdftoppm's.
// Usage: npm run bench -- pdf [--rounds 3] [--dir DIR] [--renderer pdfium,pdfjs]
//        (default: the corpus's pdf/pdfjs/documents, both engines)
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { PdfRenderer } from '../src/pdf/pdf-renderer.js';
import { encodePage } from '../src/pdf/render-pdf-pages.js';
import { PDF_BACKENDS, type PdfBackend } from '../src/pdf/worker-protocol.js';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    dir: { type: 'string' },
    renderer: { type: 'string', default: PDF_BACKENDS.join(',') },
  },
});
const rounds = Number(values.rounds);
const backends = values.renderer.split(',').filter(Boolean) as PdfBackend[];
for (const b of backends) {
  if (!PDF_BACKENDS.includes(b)) {
    console.error(`bench pdf: unknown renderer ${b} (${PDF_BACKENDS.join(', ')})`);
    process.exit(2);
  }
}
const corpora = resolve(process.env.WEFT_CORPORA ?? '../shared/corpora');
const dir = resolve(values.dir ?? join(corpora, 'pdf/pdfjs/documents'));
if (!existsSync(dir)) {
  console.error(`bench pdf: no PDFs at ${dir} (set WEFT_CORPORA or pass --dir)`);
  process.exit(2);
}
const pdftoppm = spawnSync('pdftoppm', ['-v']).error ? undefined : 'pdftoppm';
if (!pdftoppm) {
  console.error('bench pdf: pdftoppm not found (Debian: apt-get install poppler-utils)');
  process.exit(2);
}
const files = readdirSync(dir)
  .filter((f) => f.toLowerCase().endsWith('.pdf'))
  .sort()
  .map((f) => join(dir, f));
const QUALITY = 90;
const SIDE = 980;
sharp.concurrency(1);

/** CPU seconds of waited-for children (cutime + cstime in /proc/self/stat), Linux only. */
function childCpuSeconds(): number {
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
  // After "pid (comm) ", field 14 (cutime) and 15 (cstime) of stat(5) are at index 13 and 14.
  return (Number(fields[13]) + Number(fields[14])) / 100;
}
const ownCpuSeconds = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

interface Result {
  pages: number;
  wallS: number;
  cpuS: number;
}

/** weft's per-page work: render (in the engine's render thread), text layer in reading order (optional), JPEG. */
async function runWeft(backend: PdfBackend, withText: boolean, textFallback = true): Promise<Result> {
  const renderer = new PdfRenderer({
    backend,
    openTimeoutMs: 60_000,
    pageTimeoutMs: 60_000,
    maxHeapMb: 2048,
    maxRssMb: 8192,
  });
  const spec = { maxSidePx: SIDE, maxPixels: 40_000_000, text: withText, textFallback };
  let pages = 0;
  const cpu0 = ownCpuSeconds();
  const t0 = performance.now();
  for (const file of files) {
    const opened = await renderer.open(file, readFileSync(file));
    if (!opened.ok) throw new Error(`${file}: ${opened.reason}`);
    let encoding: Promise<unknown> | undefined;
    for (let p = 1; p <= Math.min(50, opened.value.pageCount); p++) {
      const rendering = renderer.renderPage(opened.value, p, spec);
      await encoding;
      const page = await rendering;
      if (!page.ok) throw new Error(`${file} page ${p}: ${page.reason}`);
      encoding = encodePage(page.value, 'jpeg', QUALITY);
      pages++;
    }
    await encoding;
    await renderer.close(opened.value);
  }
  const wallS = (performance.now() - t0) / 1000;
  const cpuS = ownCpuSeconds() - cpu0;
  await renderer.dispose();
  return { pages, wallS, cpuS };
}

/** The anchor: pdftoppm, one process per document, every page at 980 px longest side, JPEG q90. */
async function runPdftoppm(): Promise<Result> {
  const out = await mkdtemp(join(tmpdir(), 'weft-bench-pdftoppm-'));
  let pages = 0;
  const cpu0 = childCpuSeconds();
  const t0 = performance.now();
  try {
    for (const [i, file] of files.entries()) {
      const args = [
        '-jpeg',
        '-jpegopt',
        `quality=${QUALITY}`,
        '-scale-to',
        String(SIDE),
        '-l',
        '50',
        file,
        join(out, `d${i}`),
      ];
      const result = spawnSync(pdftoppm!, args, { stdio: ['ignore', 'ignore', 'pipe'] });
      if (result.status !== 0) throw new Error(`pdftoppm failed on ${file}: ${result.stderr}`);
    }
    pages = readdirSync(out).length;
  } finally {
    await rm(out, { recursive: true, force: true });
  }
  return { pages, wallS: (performance.now() - t0) / 1000, cpuS: childCpuSeconds() - cpu0 };
}

const perCore = (r: Result) => r.pages / r.cpuS;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (r: Result) =>
  `${r.pages} pages, ${r.cpuS.toFixed(2)} CPU s (${perCore(r).toFixed(1)} pages/s/core), wall ${r.wallS.toFixed(2)} s`;

interface Row {
  name: string;
  run: () => Promise<Result>;
  results: Result[];
}
const variants: Array<{ name: string; text: boolean; textFallback?: boolean }> = [
  { name: 'render + JPEG', text: false },
  { name: 'render + text + JPEG', text: true },
];
const rows: Row[] = backends.flatMap((backend) => [
  ...variants.map(({ name, text }) => ({
    name: `weft ${backend} ${name}`,
    run: () => runWeft(backend, text),
    results: [] as Result[],
  })),
  // PDFium's text alone, without pdfjs for pages whose glyphs PDFium cannot map (the default uses it).
  ...(backend === 'pdfium'
    ? [
        {
          name: 'weft pdfium render + text (no pdfjs fallback) + JPEG',
          run: () => runWeft(backend, true, false),
          results: [] as Result[],
        },
      ]
    : []),
]);
const pad = Math.max(...rows.map((r) => r.name.length), 'pdftoppm'.length) + 2;

console.log(
  `pdf: ${files.length} documents from ${dir}, ${SIDE} px longest side, JPEG q${QUALITY}, ${rounds} rounds`,
);
for (const backend of backends) await runWeft(backend, true); // warm-up: JIT, font data, page cache
await runPdftoppm();
const anchors: Result[] = [];
for (let round = 1; round <= rounds; round++) {
  console.log(`  round ${round}:`);
  const anchor = await runPdftoppm();
  anchors.push(anchor);
  console.log(`    ${'pdftoppm'.padEnd(pad)}${fmt(anchor)}`);
  for (const row of rows) {
    const result = await row.run();
    row.results.push(result);
    console.log(
      `    ${row.name.padEnd(pad)}${fmt(result)}  time ratio ${(result.cpuS / anchor.cpuS).toFixed(2)}`,
    );
  }
}
const anchorS = median(anchors.map((a) => a.cpuS));
const anchorWall = median(anchors.map((a) => a.wallS));
const pages = anchors[0]!.pages;
console.log(
  `median over ${rounds} rounds for ${pages} pages: CPU s (pages/s per core), wall s, CPU ratio to pdftoppm`,
);
console.log(
  `  ${'pdftoppm'.padEnd(pad)}${anchorS.toFixed(2)} s (${(pages / anchorS).toFixed(1)})  wall ${anchorWall.toFixed(2)} s`,
);
for (const row of rows) {
  const cpuS = median(row.results.map((r) => r.cpuS));
  const wallS = median(row.results.map((r) => r.wallS));
  console.log(
    `  ${row.name.padEnd(pad)}${cpuS.toFixed(2)} s (${(pages / cpuS).toFixed(1)})  wall ${wallS.toFixed(2)} s  ratio ${(cpuS / anchorS).toFixed(2)} (goal ≤ 1.50)`,
  );
}
