// Readability's node tests: visibility, title similarity, empty containers, phrasing content, and the
// wrapping of a div's inline runs into paragraphs.
import { type AnyNode, type Element, elementChildren, hasText, isTag, isText, wrap } from './dom.js';
import { PHRASING } from './patterns.js';

const DIV_BLOCK_CHILDREN = new Set(['blockquote', 'dl', 'div', 'img', 'ol', 'p', 'pre', 'table', 'ul']);

export function isProbablyVisible(el: Element): boolean {
  const style = (el.attribs.style ?? '').replace(/\s+/g, '').toLowerCase();
  if (style.includes('display:none') || style.includes('visibility:hidden')) return false;
  if ('hidden' in el.attribs) return false;
  if (el.attribs['aria-hidden'] === 'true' && !/fallback-image/.test(el.attribs.class ?? '')) return false;
  return true;
}

export function textSimilarity(a: string, b: string): number {
  const tokens = (s: string) =>
    s
      .toLowerCase()
      .split(/[^\p{L}\p{N}]+/u)
      .filter(Boolean);
  const ta = new Set(tokens(a));
  const tb = tokens(b);
  if (ta.size === 0 || tb.length === 0) return 0;
  const rest = tb.filter((t) => !ta.has(t));
  return 1 - rest.join(' ').length / tb.join(' ').length;
}

export function isWithoutContent(el: Element): boolean {
  if (hasText(el)) return false;
  const kids = elementChildren(el);
  return kids.length === 0 || kids.every((k) => k.name === 'br' || k.name === 'hr');
}

export function isPhrasing(node: AnyNode): boolean {
  if (isText(node)) return true;
  if (!isTag(node)) return false;
  if (PHRASING.has(node.name)) {
    if (node.name === 'a' || node.name === 'del' || node.name === 'ins')
      return node.children.every(isPhrasing);
    return true;
  }
  return false;
}

export function hasBlockChild(el: Element): boolean {
  const stack = [...el.children];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (!isTag(n)) continue;
    if (DIV_BLOCK_CHILDREN.has(n.name)) return true;
    stack.push(...n.children);
  }
  return false;
}

/** Wraps runs of inline content of a div that also has block children into <p> elements. */
export function paragraphize(div: Element): void {
  let run: AnyNode[] = [];
  const flush = () => {
    while (
      run.length > 0 &&
      isText(run[run.length - 1]!) &&
      !(run[run.length - 1] as { data: string }).data.trim()
    )
      run.pop();
    if (run.some((n) => !isText(n) || n.data.trim() !== '')) wrap(run, 'p');
    run = [];
  };
  for (const child of [...div.children]) {
    if (isPhrasing(child)) {
      if (run.length === 0 && isText(child) && child.data.trim() === '') continue;
      run.push(child);
    } else flush();
  }
  flush();
}
