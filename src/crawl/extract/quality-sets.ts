// Runs the extractor over the two gold sets in the corpora folder (trafilatura's evaluation pages and
// Mozilla Readability's test pages) and scores it; shared by bench/web-quality and its regression test.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { load } from 'cheerio';
import type { Block } from '../../records/web-document.js';
import { keptInOrder, prf, scoreSnippets, shingleScores } from './evaluate.js';
import { extractDocument } from './extract-document.js';

const textOf = (blocks: Block[]) =>
  blocks
    .filter((b) => b.kind === 'text')
    .map((b) => (b.kind === 'text' ? b.text : ''))
    .join('\n\n');

export async function trafilaturaScores(corpora: string, log?: (line: string) => void) {
  const dir = join(corpora, 'html/trafilatura-eval');
  const gold = JSON.parse(await readFile(join(dir, 'evaldata.subset.json'), 'utf8')) as Record<
    string,
    { file: string; with: string[]; without: string[] }
  >;
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let pages = 0;
  for (const [url, entry] of Object.entries(gold)) {
    const doc = extractDocument(await readFile(join(dir, entry.file), 'utf8'), url);
    const s = scoreSnippets(textOf(doc.blocks), entry.with, entry.without);
    tp += s.truePositives;
    fp += s.falsePositives;
    fn += s.falseNegatives;
    pages++;
    if (log && (s.missed.length || s.leaked.length))
      log(`${entry.file} missed=${JSON.stringify(s.missed)} leaked=${JSON.stringify(s.leaked)}`);
  }
  return { ...prf(tp, fp, fn), pages };
}

export async function readabilityScores(corpora: string, log?: (line: string) => void) {
  const dir = join(corpora, 'html/readability-test-pages');
  let precision = 0;
  let recall = 0;
  let f1 = 0;
  let pages = 0;
  let pagesBelow90 = 0;
  let rawF1 = 0;
  let imagesExpected = 0;
  let imagesKept = 0;
  for (const name of (await readdir(dir)).sort()) {
    const source = await readFile(join(dir, name, 'source.html'), 'utf8');
    const $ = load(await readFile(join(dir, name, 'expected.html'), 'utf8'));
    // Readability's tests resolve URLs against this page address.
    const doc = extractDocument(source, 'http://fakehost/test/page.html');
    const raw = shingleScores(textOf(doc.blocks), $.root().text());
    rawF1 += raw.f1;
    // Text of expected.html as a reader sees it: a line break at <br> and between block elements
    // (cheerio's .text() would glue "versions<br>+ Added" into one word).
    $('br').replaceWith('\n');
    $('p, div, li, h1, h2, h3, h4, h5, h6, td, th, tr, pre, blockquote, dd, dt, figcaption').after('\n');
    const s = shingleScores(textOf(doc.blocks), $.root().text());
    precision += s.precision;
    recall += s.recall;
    f1 += s.f1;
    pages++;
    if (s.f1 < 0.9) pagesBelow90++;
    const want = $('img')
      .toArray()
      .map((img) => $(img).attr('src'))
      .filter((src): src is string => !!src && !src.startsWith('data:'));
    // expected.html keeps each <img src>; we may choose the largest srcset candidate instead, and then
    // record the plain src as fallback_src. Either names the same image element.
    const got = doc.blocks.flatMap((b) => {
      if (b.kind !== 'image') return [];
      const fallback = b.extra?.fallback_src;
      return [typeof fallback === 'string' && !want.includes(b.src) ? fallback : b.src];
    });
    const kept = keptInOrder(want, got);
    imagesExpected += want.length;
    imagesKept += kept;
    if (log && (s.f1 < 0.9 || kept < want.length))
      log(
        `${name} P=${s.precision.toFixed(2)} R=${s.recall.toFixed(2)} F1=${s.f1.toFixed(2)} images ${kept}/${want.length}`,
      );
  }
  return {
    precision: precision / pages,
    recall: recall / pages,
    f1: f1 / pages,
    /** F1 against cheerio's plain .text() of expected.html, which glues words at <br> and block edges. */
    rawF1: rawF1 / pages,
    pages,
    pagesBelow90,
    imagesExpected,
    imagesKept,
  };
}
