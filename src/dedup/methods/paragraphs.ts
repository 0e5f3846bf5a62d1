// Paragraphs repeated within one domain (OBELICS step 09): a paragraph seen `minOccurrences` times
// (default 3) or more across the documents of a domain is site furniture ("Share on Facebook", cookie
// notices, author boxes) and is removed everywhere on that domain.
import { join } from 'node:path';
import { z } from 'zod';
import { END_OF_DOCUMENT } from '../../filters/define-node-filter.js';
import type { Block, WebDocument } from '../../records/web-document.js';
import { ColumnsFile, writeColumns } from '../columns-file.js';
import { hash64, U64Table, u32Column } from '../hash64.js';
import { type DedupMethod, KEYS_FILE } from '../method.js';
import { domainOf, isWebDocument } from '../record-access.js';

export const ParagraphsOptions = z.strictObject({
  minOccurrences: z.number().int().min(2).default(3),
});
export type ParagraphsOptions = z.output<typeof ParagraphsOptions>;

const REPEATED_FILE = 'repeated.bin';

function paragraphKeys(doc: WebDocument, visit: (hi: number, lo: number, paragraph: string) => void): void {
  const domain = domainOf(doc.url);
  for (const block of doc.blocks) {
    if (block.kind !== 'text') continue;
    for (const paragraph of block.text.split('\n\n')) {
      const p = paragraph.trim();
      if (p === '' || p.includes(END_OF_DOCUMENT)) continue;
      const [hi, lo] = hash64(`${domain}\u0000${p}`);
      visit(hi, lo, paragraph);
    }
  }
}

export const paragraphsMethod: DedupMethod<ParagraphsOptions> = {
  name: 'paragraphs',
  collect(_options, ctx) {
    const hi = u32Column();
    const lo = u32Column();
    return {
      add(record) {
        if (!isWebDocument(record)) return;
        paragraphKeys(record, (h, l) => {
          hi.push(h);
          lo.push(l);
        });
      },
      finish: () => writeColumns(join(ctx.outDir, KEYS_FILE), { hi: hi.toArray(), lo: lo.toArray() }),
    };
  },
  async reduce(options, { taskDirs, outDir, log }) {
    const counts = new U64Table(1 << 16);
    const hiOut = u32Column();
    const loOut = u32Column();
    for (const dir of taskDirs) {
      const file = await ColumnsFile.open(join(dir, KEYS_FILE));
      const hi = await file.column('hi');
      const lo = await file.column('lo');
      for (let i = 0; i < hi.length; i++) {
        const n = (counts.get(hi[i]!, lo[i]!) ?? 0) + 1;
        counts.set(hi[i]!, lo[i]!, n);
        if (n === options.minOccurrences) {
          hiOut.push(hi[i]!);
          loOut.push(lo[i]!);
        }
      }
    }
    log.info(
      `paragraphs: ${counts.size} distinct, ${hiOut.length} repeated ≥ ${options.minOccurrences}× in a domain`,
    );
    await writeColumns(join(outDir, REPEATED_FILE), { hi: hiOut.toArray(), lo: loOut.toArray() });
  },
  async applier(_options, dir) {
    const file = await ColumnsFile.open(join(dir, REPEATED_FILE));
    const hi = await file.column('hi');
    const lo = await file.column('lo');
    const repeated = new U64Table(hi.length);
    for (let i = 0; i < hi.length; i++) repeated.set(hi[i]!, lo[i]!, 1);
    return {
      apply(record, _index, stats) {
        if (!isWebDocument(record)) return record;
        const remove = new Set<string>();
        paragraphKeys(record, (h, l, paragraph) => {
          stats.count('paragraphs_in');
          if (repeated.get(h, l) !== undefined) {
            remove.add(paragraph);
            stats.count('paragraphs_dropped.repeated_in_domain');
          }
        });
        if (remove.size === 0) return record;
        const blocks = record.blocks.flatMap((block): Block[] => {
          if (block.kind !== 'text') return [block];
          const kept = block.text.split('\n\n').filter((p) => !remove.has(p));
          return kept.some((p) => p.trim() !== '') ? [{ ...block, text: kept.join('\n\n') }] : [];
        });
        return blocks.length === 0 ? { drop: 'no_content_left' } : { ...record, blocks };
      },
    };
  },
};
