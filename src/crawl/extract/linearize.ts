// Main content → text and image blocks in page order (OBELICS linearization): text merges across inline
// tags, block tags give the strongest separator between them ("\n\n" paragraphs, "\n" lines, " "), and
// each kept image closes the text before it. Repeated short lines (per-item "Reply", "Like") are dropped.
import type { Block, ImageBlock } from '../../records/web-document.js';
import { type AnyNode, type Element, isTag, isText, MAX_DEPTH } from './dom.js';
import { type ImageRefusal, imageInfo } from './images.js';

const PARAGRAPH = new Set([
  'p',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'ul',
  'ol',
  'blockquote',
  'dl',
  'table',
  'pre',
  'figure',
  'hr',
]);
const LINE = new Set([
  'div',
  'li',
  'tr',
  'dt',
  'dd',
  'br',
  'section',
  'article',
  'main',
  'aside',
  'figcaption',
  'address',
  'center',
  'hgroup',
  'legend',
  'summary',
  'details',
  'caption',
  'header',
  'footer',
  'form',
  'fieldset',
  'tbody',
  'thead',
]);
const CELL = new Set(['td', 'th']);
const SKIP = new Set([
  'script',
  'style',
  'noscript',
  'template',
  'svg',
  'head',
  'title',
  'button',
  'select',
  'textarea',
]);

export interface LinearizeResult {
  blocks: Block[];
  refused: Partial<Record<ImageRefusal, number>>;
}

export function linearize(root: Element, base: URL): LinearizeResult {
  const blocks: Block[] = [];
  const refused: Partial<Record<ImageRefusal, number>> = {};
  let text = '';
  let sep = 0; // 0 none, 1 space, 2 newline, 3 blank line
  let lastImage: Element | undefined;
  const SEPS = ['', ' ', '\n', '\n\n'];

  const want = (level: number) => {
    if (level > sep) sep = level;
  };
  const addText = (raw: string, pre: boolean) => {
    const normalized = pre ? raw.replace(/[ \t\r\f]+/g, ' ') : raw.replace(/\s+/g, ' ');
    if (normalized === '') return;
    if (/^\s/.test(normalized)) want(1);
    const content = normalized.trim();
    if (content === '') return;
    if (text !== '') text += SEPS[sep];
    text += content;
    sep = /\s$/.test(normalized) ? 1 : 0;
  };
  const flush = () => {
    const t = text.trim();
    if (t) blocks.push({ kind: 'text', text: t });
    text = '';
    sep = 0;
  };

  const visit = (node: AnyNode, depth: number, pre: boolean) => {
    if (isText(node)) {
      addText(node.data, pre);
      return;
    }
    if (!isTag(node) || depth > MAX_DEPTH || SKIP.has(node.name)) return;
    const name = node.name;
    if (name === 'img') {
      const info = imageInfo(node, base);
      if (typeof info === 'string') {
        refused[info] = (refused[info] ?? 0) + 1;
        return;
      }
      flush();
      const block: ImageBlock = { kind: 'image', src: info.src };
      if (info.alt) block.alt = info.alt;
      if (info.title) block.title = info.title;
      if (info.caption) block.caption = info.caption;
      if (info.renderedWidth) block.renderedWidth = info.renderedWidth;
      if (info.renderedHeight) block.renderedHeight = info.renderedHeight;
      if (info.fallbackSrc) block.extra = { fallback_src: info.fallbackSrc };
      const last = blocks[blocks.length - 1];
      // The same image in two adjacent <img>s is a lazy-load placeholder beside its <noscript> copy.
      const duplicate = last?.kind === 'image' && last.src === block.src && previousImage(node) === lastImage;
      if (!duplicate) blocks.push(block);
      lastImage = node;
      return;
    }
    const level = PARAGRAPH.has(name) ? 3 : LINE.has(name) ? 2 : CELL.has(name) ? 1 : 0;
    if (name === 'br') {
      want(2);
      return;
    }
    want(level);
    const inPre = pre || name === 'pre';
    for (const child of node.children) visit(child, depth + 1, inPre);
    want(level);
  };
  visit(root, 0, false);
  flush();
  return { blocks: dropRepeatedShortLines(blocks), refused };
}

/** The <img> right before `img` among its siblings, skipping whitespace. */
function previousImage(img: Element): Element | undefined {
  let prev = img.prev;
  while (prev && isText(prev) && prev.data.trim() === '') prev = prev.prev;
  return prev && isTag(prev) && prev.name === 'img' ? prev : undefined;
}

/** Lines of ≤ 40 characters that occur 4 or more times in a document are per-item chrome. */
function dropRepeatedShortLines(blocks: Block[]): Block[] {
  const counts = new Map<string, number>();
  for (const b of blocks) {
    if (b.kind !== 'text') continue;
    for (const line of b.text.split('\n')) {
      const l = line.trim();
      if (l.length > 0 && l.length <= 40) counts.set(l, (counts.get(l) ?? 0) + 1);
    }
  }
  const repeated = new Set([...counts].filter(([, n]) => n >= 4).map(([l]) => l));
  if (repeated.size === 0) return blocks;
  const out: Block[] = [];
  for (const b of blocks) {
    if (b.kind !== 'text') {
      out.push(b);
      continue;
    }
    const kept = b.text
      .split('\n')
      .filter((line) => !repeated.has(line.trim()))
      .join('\n')
      .replace(/\n{3,}/g, '\n\n')
      .trim();
    if (kept) out.push({ kind: 'text', text: kept });
  }
  return out;
}
