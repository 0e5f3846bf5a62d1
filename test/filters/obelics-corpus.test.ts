// The OBELICS preset on documents extracted from real pages (mozilla/readability's test pages): the
// paragraphs of each page's main content (its expected.html) should mostly survive the paragraph
// filters, and the rest (menus, share bars, footers, bylines) should mostly go.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { buildFilterStages, resolveSteps } from '../../src/filters/filter-plan.js';
import type { WebDocument } from '../../src/records/web-document.js';
import { wetDocument } from '../helpers/filter-corpora.js';
import { htmlBlocks, htmlParagraphs, normalizeText } from '../helpers/html-paragraphs.js';
import { corpus, hasCorpora } from '../helpers/paths.js';
import { runStage } from '../helpers/run-stage.js';
import { doc } from '../helpers/web-docs.js';

interface Page {
  name: string;
  doc: WebDocument;
  main: Set<string>;
  /** Program text (inside <pre>/<code>): neither prose nor boilerplate, left out of the counts. */
  code: Set<string>;
}

function englishPages(): Page[] {
  const root = corpus('html/readability-test-pages');
  const pages: Page[] = [];
  for (const name of readdirSync(root).sort()) {
    const dir = join(root, name);
    const metaPath = join(dir, 'expected-metadata.json');
    if (!existsSync(metaPath) || !existsSync(join(dir, 'expected.html'))) continue;
    const meta = JSON.parse(readFileSync(metaPath, 'utf8')) as { lang?: string };
    const source = readFileSync(join(dir, 'source.html'), 'utf8');
    if (!meta.lang?.toLowerCase().startsWith('en') || source.length < 20_000) continue;
    const expected = normalizeText(
      htmlParagraphs(readFileSync(join(dir, 'expected.html'), 'utf8')).join(' '),
    );
    const blocks = htmlBlocks(source);
    const paragraphs = blocks.map((b) => b.text);
    const code = new Set(blocks.filter((b) => b.code).map((b) => b.text));
    const main = new Set(paragraphs.filter((p) => !code.has(p) && expected.includes(normalizeText(p))));
    pages.push({ name, doc: doc(`https://${name}.example/`, ...paragraphs), main, code });
  }
  return pages;
}

describe.skipIf(!hasCorpora)('OBELICS preset on real pages', () => {
  test('main-content paragraphs survive the paragraph filters; boilerplate-like paragraphs go', async () => {
    const pages = englishPages();
    expect(pages.length).toBeGreaterThanOrEqual(15);
    const steps = resolveSteps({ preset: 'obelics' }).filter((s) => s.level === 'paragraph');
    let mainWords = 0;
    let mainKeptWords = 0;
    let other = 0;
    let otherRemoved = 0;
    const reasons: Record<string, number> = {};
    for (const page of pages) {
      let docs = [page.doc];
      for (const stage of buildFilterStages(steps, 'web-documents')) {
        const { kept, stats } = await runStage(stage, docs);
        for (const [k, n] of Object.entries(stats))
          if (k.startsWith('paragraphs_dropped.')) reasons[k.slice(19)] = (reasons[k.slice(19)] ?? 0) + n;
        docs = kept;
      }
      const survived = new Set(
        docs.flatMap((d) => d.blocks.flatMap((b) => (b.kind === 'text' ? b.text.split('\n\n') : []))),
      );
      for (const block of page.doc.blocks) {
        if (block.kind !== 'text' || page.code.has(block.text)) continue;
        const n = block.text.split(' ').length;
        if (page.main.has(block.text)) {
          mainWords += n;
          if (survived.has(block.text)) mainKeptWords += n;
        } else {
          other += 1;
          if (!survived.has(block.text)) otherRemoved += 1;
        }
      }
    }
    const mainKept = mainKeptWords / mainWords;
    const otherGone = otherRemoved / other;
    console.log(
      `OBELICS paragraph filters on ${pages.length} real pages: main-content words kept ${(100 * mainKept).toFixed(1)}%, ` +
        `other paragraphs removed ${(100 * otherGone).toFixed(1)}% (${otherRemoved}/${other}); reasons ${JSON.stringify(reasons)}`,
    );
    expect(mainKept).toBeGreaterThan(0.78);
    expect(otherGone).toBeGreaterThan(0.85);
  });
});

describe.skipIf(!hasCorpora)('real WET text (Common Crawl’s own extraction)', () => {
  test('C4 line rules strip the navigation lines; OBELICS language ID drops the non-English page', async () => {
    const input = wetDocument();
    const lines = await runStage(buildFilterStages(resolveSteps({ preset: 'c4' }), 'web-documents')[0]!, [
      input,
    ]);
    const kept = (lines.kept[0]?.blocks[0] as { text: string } | undefined)?.text.split('\n') ?? [];
    expect(lines.stats['lines_dropped.line_no_terminal_punct']).toBeGreaterThan(40);
    expect(kept).not.toContain('Menú principal');
    expect(kept).not.toContain('Ir al contenido');
    const language = await runStage(
      buildFilterStages([{ level: 'document', filter: 'language-id' }], 'web-documents')[0]!,
      [input],
    );
    expect(language.stats).toEqual({ kept: 0, 'dropped.wrong_language': 1 });
  });
});
