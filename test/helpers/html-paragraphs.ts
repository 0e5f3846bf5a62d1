// A deliberately plain HTML → paragraphs linearizer for tests (no boilerplate removal of its own):
// every block element ends a paragraph; scripts, styles and other non-text elements are skipped.
import { type ChildNode, type Element, isTag, isText } from 'domhandler';
import { parseDocument } from 'htmlparser2';

const SKIP = new Set([
  'script',
  'style',
  'noscript',
  'svg',
  'template',
  'head',
  'iframe',
  'object',
  'select',
  'option',
]);
const BLOCK = new Set(
  'p div li ul ol h1 h2 h3 h4 h5 h6 td th tr table section article header footer nav aside blockquote pre br figcaption figure dd dt dl form main hr address button label'.split(
    ' ',
  ),
);

export interface HtmlParagraph {
  text: string;
  /** Inside <pre> or <code>: program text, not prose. */
  code: boolean;
}

export function htmlBlocks(html: string): HtmlParagraph[] {
  const out: HtmlParagraph[] = [];
  let current = '';
  let code = 0;
  let sawCode = false;
  const flush = () => {
    const text = current.replace(/\s+/g, ' ').trim();
    if (text !== '') out.push({ text, code: sawCode });
    current = '';
    sawCode = code > 0;
  };
  const walk = (nodes: ChildNode[]) => {
    for (const node of nodes) {
      if (isText(node)) {
        current += node.data;
        if (code > 0 && node.data.trim() !== '') sawCode = true;
      } else if (isTag(node)) {
        const el = node as Element;
        if (SKIP.has(el.name)) continue;
        const block = BLOCK.has(el.name);
        const isCode = el.name === 'pre' || el.name === 'code';
        if (block) flush();
        if (isCode) code += 1;
        walk(el.children);
        if (isCode) code -= 1;
        if (block) flush();
      }
    }
  };
  walk(parseDocument(html, { decodeEntities: true }).children);
  flush();
  return out;
}

export function htmlParagraphs(html: string): string[] {
  return htmlBlocks(html).map((p) => p.text);
}

/** Lowercase, single-spaced text for substring matching. */
export function normalizeText(text: string): string {
  return text.toLowerCase().replace(/\s+/g, ' ').trim();
}
