// Fixed corpora for pinning what the text-filter presets keep: the filters bench's synthetic articles,
// and documents built from the real pages in the shared corpora in three shapes (one block per
// paragraph; paragraphs joined into multi-paragraph blocks between images; the raw WET text).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { seededRandom, syntheticParagraph } from '../../src/demo/synthetic-text.js';
import type { Block, WebDocument } from '../../src/records/web-document.js';
import { htmlBlocks } from './html-paragraphs.js';
import { corpus } from './paths.js';
import { doc } from './web-docs.js';

/** The documents of `bench/filters.ts` (same seed and shape): ~630 words of prose in 9 blocks. */
export function benchArticles(n: number): WebDocument[] {
  const random = seededRandom(99);
  return Array.from({ length: n }, (_, i) => {
    const paragraphs = Array.from({ length: 7 }, () => syntheticParagraph(random, 8));
    return doc(
      `https://example.com/${i}`,
      `Article ${i}`,
      ...paragraphs,
      'Share on Facebook Twitter. Subscribe to our newsletter!',
    );
  });
}

/** mozilla/readability's test pages (all languages), one text block per HTML block. */
export function readabilityPages(): WebDocument[] {
  const root = corpus('html/readability-test-pages');
  return readdirSync(root)
    .sort()
    .map((name) => {
      const html = readFileSync(join(root, name, 'source.html'), 'utf8');
      return doc(`https://${name}.example/`, ...htmlBlocks(html).map((b) => b.text));
    });
}

/**
 * trafilatura's evaluation pages (mostly German and English): paragraphs joined by blank lines into
 * blocks of up to five, program text joined line by line, and an image between blocks, so node-level
 * filters see multi-paragraph blocks and documents keep their image nodes.
 */
export function trafilaturaPages(): WebDocument[] {
  const root = corpus('html/trafilatura-eval');
  return readdirSync(root)
    .filter((f) => f.endsWith('.html'))
    .sort()
    .map((file, p) => {
      const paragraphs = htmlBlocks(readFileSync(join(root, file), 'utf8'));
      const blocks: Block[] = [];
      for (let i = 0; i < paragraphs.length; i += 5) {
        const group = paragraphs.slice(i, i + 5);
        const sep = group.every((g) => g.code) ? '\n' : '\n\n';
        blocks.push({ kind: 'text', text: group.map((g) => g.text).join(sep) });
        if (i % 15 === 10) blocks.push({ kind: 'image', src: `https://img.example/${p}/${i}.jpg` });
      }
      return { kind: 'web-document', url: `https://${file}.example/`, blocks };
    });
}

/** Common Crawl's own text extraction (WET) of one Spanish page, as one block of lines. */
export function wetDocument(): WebDocument {
  const bytes = readFileSync(corpus('warc/commoncrawl-whirlwind/whirlwind.warc.wet'));
  const at = bytes.indexOf('WARC-Type: conversion');
  const headerEnd = bytes.indexOf('\r\n\r\n', at);
  const headers = bytes.subarray(at, headerEnd).toString('utf8');
  const length = Number(/Content-Length: (\d+)/.exec(headers)![1]);
  const url = /WARC-Target-URI: (\S+)/.exec(headers)![1]!;
  return doc(url, bytes.subarray(headerEnd + 4, headerEnd + 4 + length).toString('utf8'));
}
