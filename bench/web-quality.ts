// Extraction quality of `weft web` on real pages (../shared/corpora/html):
//  - trafilatura's evaluation set: `with` snippets must be in the extracted text, `without` must not
//    (micro precision / recall / F1 over all snippets, as trafilatura reports it);
//  - Mozilla Readability's test pages: 4-gram shingle precision / recall / F1 against the text of
//    expected.html, and the share of expected images kept in order (longest common subsequence).
// Usage: npm run bench -- web-quality [--verbose]
import { readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { load } from 'cheerio';
import { extractDocument } from '../src/crawl/extract/extract-document.js';

const corpora = resolve(process.env.WEFT_CORPORA ?? '../shared/corpora');
const verbose = process.argv.includes('--verbose');

function normalize(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

function documentText(blocks: { kind: string; text?: string }[]): string {
  return blocks
    .filter((b) => b.kind === 'text')
    .map((b) => b.text)
    .join('\n\n');
}

async function trafilatura(): Promise<{ p: number; r: number; f1: number; pages: number }> {
  const dir = join(corpora, 'html/trafilatura-eval');
  const eval_ = JSON.parse(await readFile(join(dir, 'evaldata.subset.json'), 'utf8')) as Record<
    string,
    { file: string; with: string[]; without: string[] }
  >;
  let tp = 0;
  let fn = 0;
  let fp = 0;
  let pages = 0;
  for (const [url, entry] of Object.entries(eval_)) {
    const html = await readFile(join(dir, entry.file), 'utf8');
    const doc = extractDocument(html, url);
    const text = normalize(documentText(doc.blocks));
    pages++;
    const missed: string[] = [];
    const leaked: string[] = [];
    for (const s of entry.with) {
      if (text.includes(normalize(s))) tp++;
      else {
        fn++;
        missed.push(s);
      }
    }
    for (const s of entry.without) {
      if (text.includes(normalize(s))) {
        fp++;
        leaked.push(s);
      }
    }
    if (verbose && (missed.length || leaked.length))
      console.log(
        `  ${entry.file} pass=${doc.pass} missed=${JSON.stringify(missed)} leaked=${JSON.stringify(leaked)}`,
      );
  }
  const p = tp / (tp + fp);
  const r = tp / (tp + fn);
  return { p, r, f1: (2 * p * r) / (p + r), pages };
}

function shingles(text: string, n = 4): Set<string> {
  const words = text.toLowerCase().split(/\s+/).filter(Boolean);
  const out = new Set<string>();
  for (let i = 0; i + n <= words.length; i++) out.add(words.slice(i, i + n).join(' '));
  if (words.length > 0 && words.length < n) out.add(words.join(' '));
  return out;
}

function lcs(a: string[], b: string[]): number {
  const dp = new Array<number>(b.length + 1).fill(0);
  for (const x of a) {
    let prev = 0;
    for (let j = 1; j <= b.length; j++) {
      const tmp = dp[j]!;
      dp[j] = x === b[j - 1] ? prev + 1 : Math.max(dp[j]!, dp[j - 1]!);
      prev = tmp;
    }
  }
  return dp[b.length]!;
}

async function readability() {
  const dir = join(corpora, 'html/readability-test-pages');
  const names = (await readdir(dir)).sort();
  let sumP = 0;
  let sumR = 0;
  let sumF = 0;
  let pages = 0;
  let expectedImages = 0;
  let keptInOrder = 0;
  for (const name of names) {
    const source = await readFile(join(dir, name, 'source.html'), 'utf8');
    const expected = await readFile(join(dir, name, 'expected.html'), 'utf8');
    const doc = extractDocument(source, 'http://fakehost/test/page.html');
    const $ = load(expected);
    const want = shingles(normalize($.root().text()));
    const got = shingles(normalize(documentText(doc.blocks)));
    let common = 0;
    for (const s of got) if (want.has(s)) common++;
    const p = got.size ? common / got.size : want.size ? 0 : 1;
    const r = want.size ? common / want.size : 1;
    const f = p + r ? (2 * p * r) / (p + r) : 0;
    sumP += p;
    sumR += r;
    sumF += f;
    pages++;
    const wantImages = $('img')
      .toArray()
      .map((img) => $(img).attr('src'))
      .filter((s): s is string => !!s && !s.startsWith('data:'));
    // An image counts as kept when our block shows the same URL, or its plain src is that URL
    // (we prefer the largest srcset candidate; expected.html keeps the src attribute).
    const gotImages = doc.blocks.flatMap((b) => {
      if (b.kind !== 'image') return [];
      const fallback = b.extra?.fallback_src as string | undefined;
      return [wantImages.includes(b.src) || !fallback ? b.src : fallback];
    });
    const kept = lcs(wantImages, gotImages);
    expectedImages += wantImages.length;
    keptInOrder += kept;
    if (verbose && (f < 0.9 || kept < wantImages.length))
      console.log(
        `  ${name} pass=${doc.pass} P=${p.toFixed(2)} R=${r.toFixed(2)} F1=${f.toFixed(2)} images ${kept}/${wantImages.length}`,
      );
  }
  return { p: sumP / pages, r: sumR / pages, f1: sumF / pages, pages, expectedImages, keptInOrder };
}

const start = performance.now();
const t = await trafilatura();
console.log(
  `trafilatura eval (${t.pages} pages): snippet precision ${t.p.toFixed(3)}, recall ${t.r.toFixed(3)}, F1 ${t.f1.toFixed(3)} (goal ≥ 0.90; reference C++ extractor P 0.74 R 0.93 F1 0.82)`,
);
const r = await readability();
console.log(
  `readability test pages (${r.pages} pages): 4-gram shingle precision ${r.p.toFixed(3)}, recall ${r.r.toFixed(3)}, F1 ${r.f1.toFixed(3)} (mean per page; goal ≥ 0.95)`,
);
console.log(
  `readability images: ${r.keptInOrder}/${r.expectedImages} kept in order = ${((100 * r.keptInOrder) / r.expectedImages).toFixed(1)}% (goal ≥ 90%)`,
);
console.log(`(${((performance.now() - start) / 1000).toFixed(1)} s)`);
