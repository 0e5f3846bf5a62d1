// Finds a page's main content the way Mozilla Readability does: drop unlikely and hidden regions, score
// paragraphs into their ancestors, take the best-scoring container (dampened by link density) plus the
// siblings that score close to it. Works on a copy of <body>; the caller retries with looser flags.
import {
  type AnyNode,
  classAndId,
  Element,
  elementChildren,
  hasAncestor,
  innerText,
  isTag,
  isText,
  linkDensity,
  relink,
  remove,
} from './dom.js';
import {
  BLOCK_TAGS,
  BYLINE,
  MAYBE_CANDIDATE,
  NEGATIVE,
  POSITIVE,
  UNLIKELY,
  UNLIKELY_ROLES,
} from './patterns.js';
import {
  hasBlockChild,
  isProbablyVisible,
  isWithoutContent,
  paragraphize,
  textSimilarity,
} from './readability-nodes.js';

export { isProbablyVisible };

export interface GrabFlags {
  stripUnlikely: boolean;
  weightClasses: boolean;
  cleanConditionally: boolean;
}

const TAGS_TO_SCORE = new Set(['section', 'h2', 'h3', 'h4', 'h5', 'h6', 'p', 'td', 'pre']);
const TABLE_OR_CODE = new Set(['table', 'code']);
const KEEP_NAME = new Set(['div', 'article', 'section', 'p', 'main']);

export class Scorer {
  readonly scores = new Map<Element, number>();
  constructor(readonly flags: GrabFlags) {}

  classWeight(el: Element): number {
    if (!this.flags.weightClasses) return 0;
    let weight = 0;
    for (const value of [el.attribs.class, el.attribs.id]) {
      if (!value) continue;
      if (NEGATIVE.test(value)) weight -= 25;
      if (POSITIVE.test(value)) weight += 25;
    }
    return weight;
  }

  init(el: Element): number {
    let score = this.classWeight(el);
    const name = el.name;
    if (name === 'div') score += 5;
    else if (name === 'pre' || name === 'td' || name === 'blockquote') score += 3;
    else if (['address', 'ol', 'ul', 'dl', 'dd', 'dt', 'li', 'form'].includes(name)) score -= 3;
    else if (/^h[1-6]$/.test(name) || name === 'th') score -= 5;
    this.scores.set(el, score);
    return score;
  }
}

/** Readability's first pass: prune, normalize divs, collect the elements to score. */
function prune(body: Element, scorer: Scorer, title: string | undefined): Element[] {
  const toScore: Element[] = [];
  let bylineRemoved = false;
  let titleRemoved = false;
  const stack: AnyNode[] = [...body.children].reverse();
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (!isTag(node) || !node.parent) continue;
    const name = node.name;
    if (!isProbablyVisible(node)) {
      remove(node);
      continue;
    }
    const match = classAndId(node);
    const rel = node.attribs.rel ?? '';
    const itemprop = node.attribs.itemprop ?? '';
    if (
      !bylineRemoved &&
      (rel === 'author' || itemprop.includes('author') || BYLINE.test(match)) &&
      innerText(node).length > 0 &&
      innerText(node).length < 100
    ) {
      bylineRemoved = true;
      remove(node);
      continue;
    }
    if (
      !titleRemoved &&
      title &&
      (name === 'h1' || name === 'h2') &&
      textSimilarity(title, innerText(node)) > 0.75
    ) {
      titleRemoved = true;
      remove(node);
      continue;
    }
    if (scorer.flags.stripUnlikely) {
      if (
        UNLIKELY.test(match) &&
        !MAYBE_CANDIDATE.test(match) &&
        !hasAncestor(node, TABLE_OR_CODE, 0) &&
        name !== 'body' &&
        name !== 'a'
      ) {
        remove(node);
        continue;
      }
      if (UNLIKELY_ROLES.has(node.attribs.role ?? '')) {
        remove(node);
        continue;
      }
    }
    if (
      ['div', 'section', 'header', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6'].includes(name) &&
      isWithoutContent(node)
    ) {
      remove(node);
      continue;
    }
    if (TAGS_TO_SCORE.has(name)) toScore.push(node);
    let next: Element = node;
    if (name === 'div') {
      paragraphize(node);
      const kids = elementChildren(node);
      const onlyP =
        kids.length === 1 &&
        kids[0]!.name === 'p' &&
        node.children.every((c) => c === kids[0] || (isText(c) && c.data.trim() === ''));
      if (onlyP && linkDensity(node) < 0.25) {
        const p = kids[0]!;
        const parent = node.parent;
        parent.children.splice(parent.children.indexOf(node), 1, p);
        relink(parent);
        toScore.push(p);
        next = p;
      } else if (!hasBlockChild(node)) {
        node.name = 'p';
        toScore.push(node);
      }
    }
    for (let i = next.children.length - 1; i >= 0; i--) stack.push(next.children[i]!);
  }
  return toScore;
}

function ancestors(el: Element, max: number): Element[] {
  const out: Element[] = [];
  let p = el.parent;
  while (p && isTag(p) && out.length < max) {
    out.push(p);
    p = p.parent;
  }
  return out;
}

/** Returns a new <div> holding the main content moved out of `body` (a disposable copy). */
export function grabArticle(body: Element, flags: GrabFlags, title: string | undefined): Element {
  const scorer = new Scorer(flags);
  const { scores } = scorer;
  const toScore = prune(body, scorer, title);
  const candidates: Element[] = [];
  for (const el of toScore) {
    if (!el.parent || !isTag(el.parent)) continue;
    const text = innerText(el);
    if (text.length < 25) continue;
    const ups = ancestors(el, 5);
    const score = 1 + (text.split(/[,，、]/).length - 1) + Math.min(Math.floor(text.length / 100), 3);
    ups.forEach((anc, level) => {
      if (!anc.parent || !isTag(anc.parent)) return;
      if (!scores.has(anc)) {
        scorer.init(anc);
        candidates.push(anc);
      }
      const divider = level === 0 ? 1 : level === 1 ? 2 : level * 3;
      scores.set(anc, scores.get(anc)! + score / divider);
    });
  }
  for (const c of candidates) scores.set(c, scores.get(c)! * (1 - linkDensity(c)));
  const ranked = candidates.sort((a, b) => scores.get(b)! - scores.get(a)!).slice(0, 5);
  let top = ranked[0];
  const article = new Element('div', {}, []);
  if (!top || top.name === 'body') {
    article.children = [...body.children];
    relink(article);
    body.children = [];
    return article;
  }
  const topScore = scores.get(top)!;
  const alternatives = ranked
    .slice(1)
    .filter((c) => scores.get(c)! / topScore >= 0.75)
    .map((c) => ancestors(c, 100));
  if (alternatives.length >= 3) {
    let p = top.parent;
    while (p && isTag(p) && p.name !== 'body') {
      const anc = p;
      if (alternatives.filter((list) => list.includes(anc)).length >= 3) {
        top = anc;
        break;
      }
      p = p.parent;
    }
  }
  if (!scores.has(top)) scorer.init(top);
  let parent = top.parent;
  let lastScore = scores.get(top)!;
  const threshold = lastScore / 3;
  while (parent && isTag(parent) && parent.name !== 'body') {
    const ps = scores.get(parent);
    if (ps === undefined) {
      parent = parent.parent;
      continue;
    }
    if (ps < threshold) break;
    if (ps > lastScore) {
      top = parent;
      break;
    }
    lastScore = ps;
    parent = parent.parent;
  }
  parent = top.parent;
  while (parent && isTag(parent) && parent.name !== 'body' && elementChildren(parent).length === 1) {
    top = parent;
    parent = top.parent;
  }
  if (!scores.has(top)) scorer.init(top);
  const finalScore = scores.get(top)!;
  const siblingThreshold = Math.max(10, finalScore * 0.2);
  const siblings = parent && isTag(parent) ? elementChildren(parent) : [top];
  const kept: Element[] = [];
  for (const s of siblings) {
    let append = s === top;
    if (!append) {
      const bonus = s.attribs.class && s.attribs.class === top.attribs.class ? finalScore * 0.2 : 0;
      const score = scores.get(s);
      if (score !== undefined && score + bonus >= siblingThreshold) append = true;
      else if (s.name === 'p') {
        const text = innerText(s);
        const ld = linkDensity(s, text.length);
        if (text.length > 80 && ld < 0.25) append = true;
        else if (text.length > 0 && text.length < 80 && ld === 0 && /\.( |$)/.test(text)) append = true;
      }
    }
    if (append) {
      if (
        !KEEP_NAME.has(s.name) &&
        BLOCK_TAGS.has(s.name) &&
        !['ul', 'ol', 'table', 'figure'].includes(s.name)
      )
        s.name = 'div';
      kept.push(s);
    }
  }
  for (const s of kept) remove(s);
  article.children = kept;
  relink(article);
  return article;
}
