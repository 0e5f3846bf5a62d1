// The filter core's memory of how text blocks split into parts (paragraphs, lines) and of documents'
// full-text views, so that a chain of text filters splits, hashes and analyses each text once: a node
// filter reads a block's parts from here and registers the block it writes with the parts it kept; a
// document's view is made of its blocks' paragraph views whenever that gives the same paragraphs.
import type { TextBlock, WebDocument } from '../../records/web-document.js';
import { RecentMap, type TextLevel, TextView, textView } from './text-view.js';

export type NodeLevel = Exclude<TextLevel, 'document'>;

/** How parts are separated in a block's text, per level. */
export const SEPARATORS: Record<NodeLevel, string> = { paragraph: '\n\n', line: '\n' };

/**
 * The views of a text block's non-blank parts at one level. `exact`: the parts joined are the block's
 * text (no blank part was left out).
 */
export interface BlockParts {
  views: TextView[];
  exact: boolean;
}

// Bounded, not weak: records a caller still holds (a test's array, a bench's corpus) must not keep
// every analysis alive, and a chain needs a block's parts only while the block passes through it.
const blockParts: Record<NodeLevel, RecentMap<TextBlock, BlockParts>> = {
  paragraph: new RecentMap(256),
  line: new RecentMap(256),
};
/** Documents' views, for the document-level filters of a chain (each document passes them in turn). */
const documentViews = new RecentMap<WebDocument, TextView>(64);

/**
 * Readies the memory for a document of `blocks` blocks: between a filter writing a block's parts and
 * the next filter reading them, the two may register up to one entry per block each.
 */
export function reserveParts(level: NodeLevel, blocks: number): void {
  blockParts[level].reserve(2 * blocks + 64);
}

export function partsOf(block: TextBlock, level: NodeLevel): BlockParts {
  let parts = blockParts[level].get(block);
  if (!parts) {
    const views: TextView[] = [];
    let exact = true;
    for (const part of block.text.split(SEPARATORS[level])) {
      if (part.trim() === '') exact = false;
      else views.push(textView(part, level));
    }
    parts = { views, exact };
    blockParts[level].set(block, parts);
  }
  return parts;
}

/**
 * The block with only the `kept` parts, registered with them. Splitting its text gives those parts back:
 * no part contains the separator, and only a block's last part can end with a newline (which, followed
 * by a blank line, would shift the split).
 */
export function writeBlock(block: TextBlock, level: NodeLevel, kept: TextView[]): TextBlock {
  const written: TextBlock = { ...block, text: kept.map((v) => v.text).join(SEPARATORS[level]) };
  blockParts[level].set(written, { views: kept, exact: true });
  return written;
}

/** The document's full text (text nodes joined by blank lines, as OBELICS does), analysed once. */
export function documentView(doc: WebDocument): TextView {
  let view = documentViews.get(doc);
  if (!view) {
    const texts: string[] = [];
    // The paragraphs of the joined text are the blocks' own, already analysed, when every block has
    // them and none ends with a newline (which would run into the blank line that follows it).
    let paragraphs: TextView[] | undefined = [];
    for (const block of doc.blocks) {
      if (block.kind !== 'text' || block.text === '') continue;
      texts.push(block.text);
      const parts = paragraphs && blockParts.paragraph.get(block);
      if (parts?.exact && parts.views.length > 0 && !block.text.endsWith('\n'))
        paragraphs!.push(...parts.views);
      else paragraphs = undefined;
    }
    const text = texts.join('\n\n');
    view = new TextView(
      text,
      'document',
      paragraphs ?? text.split('\n\n').map((p) => textView(p, 'paragraph')),
    );
    documentViews.set(doc, view);
  }
  return view;
}
