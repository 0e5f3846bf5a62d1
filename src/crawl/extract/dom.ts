// Small DOM helpers over domhandler nodes (what cheerio parses into): walking, text, link density,
// and in-place edits. Walks are iterative or depth-capped so hostile nesting cannot blow the stack.
import { type AnyNode, Element, isTag, isText, type ParentNode } from 'domhandler';
import { removeElement } from 'domutils';

export type { AnyNode, ParentNode };
export { Element, isTag, isText };

export const MAX_DEPTH = 400;

export function tagOf(node: AnyNode): string {
  return isTag(node) ? node.name : '';
}

export function attr(el: Element, name: string): string | undefined {
  const v = el.attribs[name];
  return v === undefined ? undefined : v;
}

/** Class and id joined, for the class/id pattern tests. */
export function classAndId(el: Element): string {
  return `${el.attribs.class ?? ''} ${el.attribs.id ?? ''}`;
}

/** All elements under `root` in document order (iterative). */
export function elementsIn(root: ParentNode, filter?: (el: Element) => boolean): Element[] {
  const out: Element[] = [];
  const stack: AnyNode[] = [...root.children].reverse();
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (!isTag(node)) continue;
    if (!filter || filter(node)) out.push(node);
    for (let i = node.children.length - 1; i >= 0; i--) stack.push(node.children[i]!);
  }
  return out;
}

export function byTag(root: ParentNode, ...names: string[]): Element[] {
  const set = new Set(names);
  return elementsIn(root, (el) => set.has(el.name));
}

/** Concatenated text of the subtree (raw, not whitespace-normalized). */
export function textOf(node: AnyNode): string {
  if (isText(node)) return node.data;
  if (!isTag(node) && node.type !== 'root') return '';
  const parts: string[] = [];
  const stack: AnyNode[] = [node];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (isText(n)) parts.push(n.data);
    else if (isTag(n) || n.type === 'root') {
      const children = (n as ParentNode).children;
      for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]!);
    }
  }
  return parts.join('');
}

/**
 * `innerText`, or undefined as soon as the raw text passes `maxRawChars` (cheap on big containers when
 * only short blocks matter).
 */
export function shortInnerText(node: AnyNode, maxRawChars: number): string | undefined {
  const parts: string[] = [];
  let length = 0;
  const stack: AnyNode[] = [node];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (isText(n)) {
      length += n.data.length;
      if (length > maxRawChars) return undefined;
      parts.push(n.data);
    } else if (isTag(n)) {
      for (let i = n.children.length - 1; i >= 0; i--) stack.push(n.children[i]!);
    }
  }
  return parts.join('').replace(/\s+/g, ' ').trim();
}

/** Text with runs of whitespace collapsed and trimmed. */
export function innerText(node: AnyNode): string {
  return textOf(node).replace(/\s+/g, ' ').trim();
}

/** Share of the element's text that sits inside links (fragment links count less, as in Readability). */
export function linkDensity(el: Element, textLength?: number): number {
  // One walk: whitespace-collapsed length of all text, and of text under <a> (weighted by its href).
  let total = 0;
  let linked = 0;
  const stack: [AnyNode, number][] = [[el, 0]];
  while (stack.length > 0) {
    const [n, weight] = stack.pop()!;
    if (isText(n)) {
      const len = n.data.replace(/\s+/g, ' ').length;
      total += len;
      linked += len * weight;
    } else if (isTag(n)) {
      const w = n.name === 'a' ? ((n.attribs.href ?? '').startsWith('#') ? 0.3 : 1) : weight;
      for (let i = n.children.length - 1; i >= 0; i--) stack.push([n.children[i]!, w]);
    }
  }
  const length = textLength ?? total;
  return length === 0 ? 0 : Math.min(1, linked / length);
}

/** True when the subtree holds any non-whitespace text (stops at the first). */
export function hasText(node: AnyNode): boolean {
  const stack: AnyNode[] = [node];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (isText(n)) {
      if (/\S/.test(n.data)) return true;
    } else if (isTag(n)) for (const c of n.children) stack.push(c);
  }
  return false;
}

export function hasAncestor(el: Element, names: Set<string>, maxDepth = 3): boolean {
  let p = el.parent;
  let depth = 0;
  while (p && isTag(p) && (maxDepth <= 0 || depth < maxDepth)) {
    if (names.has(p.name)) return true;
    p = p.parent;
    depth++;
  }
  return false;
}

export function remove(node: AnyNode): void {
  if (node.parent) removeElement(node);
}

/** Replaces `el` by its children. */
export function unwrap(el: Element): void {
  const parent = el.parent;
  if (!parent) return;
  const index = parent.children.indexOf(el);
  const kids = el.children;
  for (const kid of kids) kid.parent = parent;
  parent.children.splice(index, 1, ...kids);
  relink(parent);
  el.children = [];
  el.parent = null;
}

/** Restores prev/next links after a splice of `parent.children`. */
export function relink(parent: ParentNode): void {
  const kids = parent.children;
  for (let i = 0; i < kids.length; i++) {
    const kid = kids[i]!;
    kid.prev = kids[i - 1] ?? null;
    kid.next = kids[i + 1] ?? null;
    kid.parent = parent;
  }
}

export function elementChildren(el: ParentNode): Element[] {
  return el.children.filter(isTag);
}

/** Wraps `nodes` (consecutive children of one parent) in a new element. */
export function wrap(nodes: AnyNode[], name: string): Element | undefined {
  const first = nodes[0];
  const parent = first?.parent;
  if (!first || !parent) return undefined;
  const index = parent.children.indexOf(first);
  const wrapper = new Element(name, {}, []);
  parent.children.splice(index, nodes.length, wrapper);
  wrapper.children = nodes;
  relink(wrapper);
  relink(parent);
  return wrapper;
}

/** OBELICS un-nesting: an element whose only content is one element of the same tag is replaced by it. */
export function unnest(root: ParentNode): void {
  for (const el of elementsIn(root)) {
    const parent = el.parent;
    if (!parent || !isTag(parent) || parent.name !== el.name) continue;
    const only = parent.children.every((c) => c === el || (isText(c) && c.data.trim() === ''));
    if (only) unwrap(parent);
  }
}

/**
 * Flattens everything nested deeper than `maxDepth` into its ancestor at that depth, keeping text,
 * images and line breaks in order. Real pages stay far shallower; hostile ones would otherwise make every
 * subtree walk quadratic.
 */
export function flattenDeep(root: ParentNode, maxDepth: number): number {
  let flattened = 0;
  const stack: [AnyNode, number][] = root.children.map((c) => [c, 1] as [AnyNode, number]);
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (!isTag(node)) continue;
    if (depth < maxDepth) {
      for (const child of node.children) stack.push([child, depth + 1]);
      continue;
    }
    const kept: AnyNode[] = [];
    const inner: AnyNode[] = [...node.children].reverse();
    while (inner.length > 0) {
      const n = inner.pop()!;
      if (isText(n) || (isTag(n) && (n.name === 'img' || n.name === 'br'))) {
        if (isTag(n)) n.children = [];
        kept.push(n);
      } else if (isTag(n)) {
        flattened++;
        for (let i = n.children.length - 1; i >= 0; i--) inner.push(n.children[i]!);
      }
    }
    node.children = kept;
    relink(node);
  }
  return flattened;
}
