// `weft web` speed, each figure beside its anchor measured in the same run:
//  1. WARC read throughput (records with their blocks, per-record gzip like Common Crawl) beside
//     `gzip -dc` of the same file; warcio.js (the maintained JS WARC library) on the same file for the
//     build-vs-buy decision.
//  2. Extraction documents/s on one core beside a parse-only cheerio pass over the same pages.
// Input: the real Common Crawl excerpt in the corpora (50 records), its gzip members repeated to ~55 MB,
// and the 158 real pages of the HTML gold sets. Usage: npm run bench -- web [--copies N] [--rounds N]
import { spawnSync } from 'node:child_process';
import { createReadStream, readFileSync, statSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { load } from 'cheerio';
import { WARCParser } from 'warcio';
import { extractDocument, HTML_PARSER_OPTIONS } from '../src/crawl/extract/extract-document.js';
import { identifyLanguage, languageIdentifier } from '../src/crawl/language-id.js';
import { decodedChunks } from '../src/crawl/warc/decoded-chunks.js';
import { parseWarc } from '../src/crawl/warc/warc-parser.js';

const corpora = resolve(process.env.WEFT_CORPORA ?? '../shared/corpora');
const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const copies = arg('copies', 400);
const rounds = arg('rounds', 3);
const tmp = resolve('.bench-tmp/web');

interface Timing<T> {
  /** Best wall time over the runs. */
  ms: number;
  /** CPU time (user + system) of that best run: robust when the machine is shared. */
  cpuMs: number;
  result: T;
}

/** Best of `runs`; `fn` may return its own CPU time (a child process), else this process's is taken. */
async function best<T>(runs: number, fn: () => Promise<T & { childCpuMs?: number }>): Promise<Timing<T>> {
  let out: Timing<T> | undefined;
  for (let i = 0; i < runs; i++) {
    const cpu0 = process.cpuUsage();
    const start = performance.now();
    const result = await fn();
    const ms = performance.now() - start;
    const cpu = process.cpuUsage(cpu0);
    const cpuMs = result.childCpuMs ?? (cpu.user + cpu.system) / 1000;
    if (!out || cpuMs < out.cpuMs) out = { ms, cpuMs, result };
  }
  return out!;
}

/** `gzip -dc FILE > /dev/null`, with its CPU time from the shell's `times`. */
async function gzipDc(path: string): Promise<{ childCpuMs: number }> {
  const r = spawnSync('bash', ['-c', 'gzip -dc "$1" > /dev/null && times', '_', path], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`gzip -dc failed: ${r.stderr}`);
  const children = r.stdout.trim().split('\n').pop()!.split(/\s+/);
  const seconds = (t: string) => {
    const m = /^(\d+)m([\d.]+)s$/.exec(t);
    return m ? Number(m[1]) * 60 + Number(m[2]) : Number.NaN;
  };
  return { childCpuMs: (seconds(children[0]!) + seconds(children[1]!)) * 1000 };
}

async function weftRead(path: string): Promise<{ records: number; bytes: number }> {
  let records = 0;
  let bytes = 0;
  for await (const e of parseWarc(decodedChunks(path))) {
    if (e.kind === 'record') {
      records++;
      bytes += e.record.block.length;
    }
  }
  return { records, bytes };
}

async function warcioRead(path: string): Promise<{ records: number; bytes: number }> {
  let records = 0;
  let bytes = 0;
  for await (const record of new WARCParser(createReadStream(path), { parseHttp: false })) {
    records++;
    bytes += (await record.readFully(false)).length;
  }
  return { records, bytes };
}

async function readThroughput(): Promise<void> {
  await mkdir(tmp, { recursive: true });
  const source = readFileSync(join(corpora, 'warc/resiliparse/warcfile.warc.gz'));
  const path = join(tmp, 'cc-excerpt-repeated.warc.gz');
  await writeFile(path, Buffer.concat(new Array<Buffer>(copies).fill(source)));
  const size = statSync(path).size;
  const mb = size / 1e6;
  const gzip = await best(rounds, () => gzipDc(path));
  const weft = await best(rounds, () => weftRead(path));
  const warcio = await best(1, () => warcioRead(path));
  const decodedMb = weft.result.bytes / 1e6;
  const line = (name: string, t: Timing<unknown>, size = mb) =>
    `  ${name.padEnd(22)} wall ${(t.ms / 1000).toFixed(2)} s (${(size / (t.ms / 1000)).toFixed(1)} MB/s), cpu ${(t.cpuMs / 1000).toFixed(2)} s (${(size / (t.cpuMs / 1000)).toFixed(1)} MB/s of gzip input)`;
  console.log(
    `WARC read: ${mb.toFixed(1)} MB per-record gzip (${copies} × the Common Crawl excerpt), best of ${rounds}`,
  );
  console.log(line('gzip -dc (anchor)', gzip));
  console.log(line('weft read-warc', weft));
  console.log(
    `  weft: ${weft.result.records} records, ${decodedMb.toFixed(0)} MB of record blocks, ${Math.round(weft.result.records / (weft.cpuMs / 1000))} records per cpu-second`,
  );
  console.log(
    `  ratio weft / gzip -dc speed: ${(gzip.cpuMs / weft.cpuMs).toFixed(2)} by cpu time, ${(gzip.ms / weft.ms).toFixed(2)} by wall time (goal ≥ 0.8)`,
  );
  console.log(line('warcio.js 2.4 (pako)', warcio));
  console.log(
    `  warcio.js takes ${(warcio.cpuMs / weft.cpuMs).toFixed(1)}× weft's cpu time for the same records`,
  );

  // Whole-file gzip (one member): weft streams it instead of inflating member by member.
  const wholePath = join(tmp, 'cc-excerpt-repeated-whole.warc.gz');
  await writeFile(
    wholePath,
    gzipSync(gunzipSync(readFileSync(path).subarray(0, source.length * (copies >> 1)))),
  );
  const wholeMb = statSync(wholePath).size / 1e6;
  const wholeGzip = await best(rounds, () => gzipDc(wholePath));
  const wholeWeft = await best(rounds, () => weftRead(wholePath));
  console.log(
    `WARC read, whole-file gzip: ${wholeMb.toFixed(1)} MB (${copies >> 1} copies in one gzip member)`,
  );
  console.log(line('gzip -dc (anchor)', wholeGzip, wholeMb));
  console.log(line('weft read-warc', wholeWeft, wholeMb));
  console.log(
    `  ratio weft / gzip -dc speed: ${(wholeGzip.cpuMs / wholeWeft.cpuMs).toFixed(2)} by cpu time, ${(wholeGzip.ms / wholeWeft.ms).toFixed(2)} by wall time`,
  );
  await rm(tmp, { recursive: true, force: true });
}

async function goldPages(): Promise<{ html: string; url: string }[]> {
  const pages: { html: string; url: string }[] = [];
  const traf = join(corpora, 'html/trafilatura-eval');
  const gold = JSON.parse(await readFile(join(traf, 'evaldata.subset.json'), 'utf8')) as Record<
    string,
    { file: string }
  >;
  for (const [url, { file }] of Object.entries(gold))
    pages.push({ html: await readFile(join(traf, file), 'utf8'), url });
  const rd = join(corpora, 'html/readability-test-pages');
  for (const name of (await readdir(rd)).sort())
    pages.push({
      html: await readFile(join(rd, name, 'source.html'), 'utf8'),
      url: 'http://fakehost/test/page.html',
    });
  return pages;
}

async function extractionSpeed(): Promise<void> {
  const pages = await goldPages();
  const mb = pages.reduce((n, p) => n + Buffer.byteLength(p.html), 0) / 1e6;
  await languageIdentifier();
  // Warm up both paths once, then take the best of `rounds` passes.
  for (const p of pages) extractDocument(p.html, p.url);
  const parse = await best(rounds, async () => {
    for (const p of pages) load(p.html, HTML_PARSER_OPTIONS);
    return {};
  });
  const extract = await best(rounds, async () => {
    for (const p of pages) {
      const doc = extractDocument(p.html, p.url);
      await identifyLanguage(doc.blocks.map((b) => (b.kind === 'text' ? b.text : '')).join('\n'));
    }
    return {};
  });
  const rate = (ms: number) => (pages.length / (ms / 1000)).toFixed(0);
  console.log(
    `Extraction, one process: ${pages.length} real pages (${mb.toFixed(1)} MB of HTML), best of ${rounds}`,
  );
  console.log(
    `  cheerio parse only, same parser (anchor): ${rate(parse.cpuMs)} docs per cpu-second (wall ${rate(parse.ms)} docs/s)`,
  );
  console.log(
    `  weft extract + language ID:   ${rate(extract.cpuMs)} docs per cpu-second (wall ${rate(extract.ms)} docs/s)`,
  );
  console.log(`  ratio extract / parse-only speed: ${(parse.cpuMs / extract.cpuMs).toFixed(2)} by cpu time`);
}

await readThroughput();
await extractionSpeed();
