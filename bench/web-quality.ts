// Extraction quality of `weft web` on real pages (../shared/corpora/html):
//  - trafilatura's evaluation set: `with` snippets must be in the extracted text, `without` must not
//    (micro precision / recall / F1 over all snippets, as trafilatura reports it);
//  - Mozilla Readability's test pages: 4-gram shingle precision / recall / F1 against the text of
//    expected.html (mean per page), and the share of expected images kept in order.
// Usage: npm run bench -- web-quality [--verbose]
import { resolve } from 'node:path';
import { readabilityScores, trafilaturaScores } from '../src/crawl/extract/quality-sets.js';

const corpora = resolve(process.env.WEFT_CORPORA ?? '../shared/corpora');
const verbose = process.argv.includes('--verbose');
const log = verbose ? (line: string) => console.log(`  ${line}`) : undefined;

const start = performance.now();
const t = await trafilaturaScores(corpora, log);
console.log(
  `trafilatura eval (${t.pages} pages): snippet precision ${t.precision.toFixed(3)}, recall ${t.recall.toFixed(3)}, F1 ${t.f1.toFixed(3)} (goal ≥ 0.90; reference C++ extractor P 0.74 R 0.93 F1 0.82)`,
);
const r = await readabilityScores(corpora, log);
console.log(
  `readability test pages (${r.pages} pages): 4-gram shingle precision ${r.precision.toFixed(3)}, recall ${r.recall.toFixed(3)}, F1 ${r.f1.toFixed(3)} (mean per page; goal ≥ 0.95); pages with F1 < 0.9: ${r.pagesBelow90}; F1 against plain .text() of expected.html: ${r.rawF1.toFixed(3)}`,
);
console.log(
  `readability images: ${r.imagesKept}/${r.imagesExpected} kept in order = ${((100 * r.imagesKept) / r.imagesExpected).toFixed(1)}% (goal ≥ 90%)`,
);
console.log(`(${((performance.now() - start) / 1000).toFixed(1)} s for both sets, one core)`);
