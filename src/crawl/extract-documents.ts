// Stage: HTML pages → interleaved WebDocuments (main content with its images in page order), with the
// page language (CLD3) and WARC provenance. Pages that yield nothing usable are counted drops; images
// refused inside a page (tracking pixels, icons, data: URIs) are counted too.
import type { Stage } from '../pipeline/stage.js';
import type { WebDocument } from '../records/web-document.js';
import type { HtmlPage } from './decode-html.js';
import { extractDocument } from './extract/extract-document.js';
import { identifyLanguage } from './language-id.js';

export interface ExtractDocumentsOptions {
  /** Pages with more HTML characters than this are `html_too_large` (parse time and memory bound). */
  maxHtmlChars: number;
  /** Documents with less text than this (and no image) are `no_content`. */
  minTextChars: number;
}

export function extractDocuments(options: ExtractDocumentsOptions): Stage<HtmlPage, WebDocument> {
  return {
    name: 'extract-documents',
    async *run(pages, ctx) {
      for await (const page of pages) {
        if (page.html.length > options.maxHtmlChars) {
          ctx.stats.drop('html_too_large');
          continue;
        }
        let extracted: ReturnType<typeof extractDocument>;
        try {
          extracted = extractDocument(page.html, page.url);
        } catch (error) {
          ctx.stats.drop('extract_failed');
          ctx.log.warn('extraction failed', { url: page.url, error: (error as Error).message });
          continue;
        }
        for (const [reason, n] of Object.entries(extracted.refusedImages))
          ctx.stats.count(`images_refused.${reason}`, n);
        const text = extracted.blocks
          .filter((b) => b.kind === 'text')
          .map((b) => (b.kind === 'text' ? b.text : ''))
          .join('\n\n');
        const images = extracted.blocks.length - extracted.blocks.filter((b) => b.kind === 'text').length;
        if (text.length < options.minTextChars && images === 0) {
          ctx.stats.drop('no_content');
          continue;
        }
        if (text.length === 0) {
          ctx.stats.drop('no_text');
          continue;
        }
        ctx.stats.count('images', images);
        if (images === 0) ctx.stats.count('documents_without_images');
        ctx.stats.histogram('text_chars', Math.log10(text.length + 1), { min: 0, max: 6, bins: 12 });
        ctx.stats.count(`extraction_pass.${extracted.pass}`);
        const doc: WebDocument = {
          kind: 'web-document',
          url: page.url,
          blocks: extracted.blocks,
          warc: page.warc,
        };
        if (extracted.title) doc.title = extracted.title;
        if (page.crawlDate) doc.crawlDate = page.crawlDate;
        const guess = await identifyLanguage(text).catch((error: Error) => {
          ctx.stats.count('language_id_failed');
          ctx.log.warn('language identification failed', { url: page.url, error: error.message });
          return undefined;
        });
        if (guess) {
          doc.language = guess.language;
          doc.languageScore = Math.round(guess.score * 10_000) / 10_000;
          ctx.stats.count(`language.${guess.language}`);
        } else ctx.stats.count('language.unknown');
        const extra: Record<string, unknown> = { charset: page.charset };
        if (page.offsetKind === 'uncompressed') extra.warc_offset_kind = 'uncompressed';
        if (page.truncated) extra.warc_truncated = true;
        if (extracted.htmlLang) extra.html_lang = extracted.htmlLang;
        doc.extra = extra;
        yield doc;
      }
    },
  };
}
