// Cleans the chosen main content: Readability's conditional cleaning (link-dense lists and divs, form
// leftovers, header chrome) and, beyond it, consent banners, share/related rows and other short blocks
// whose text says they are chrome. Image galleries and figures are protected.
import {
  byTag,
  type Element,
  elementChildren,
  elementsIn,
  hasAncestor,
  innerText,
  isTag,
  linkDensity,
  remove,
  shortInnerText,
} from './dom.js';
import type { Scorer } from './main-content.js';
import { BOILERPLATE_TEXT, CONSENT_TEXT, SHARE } from './patterns.js';

const FIGURE = new Set(['figure']);
const CODE = new Set(['code', 'pre']);

function isDataTable(table: Element): boolean {
  const role = table.attribs.role;
  if (role === 'presentation') return false;
  if (table.attribs.datatable === '0') return false;
  if (role === 'grid' || role === 'treegrid' || table.attribs.summary) return true;
  if (byTag(table, 'caption', 'thead', 'tfoot', 'th', 'colgroup', 'col').length > 0) return true;
  if (byTag(table, 'table').length > 0) return false;
  const rows = byTag(table, 'tr');
  const columns = Math.max(0, ...rows.map((r) => elementChildren(r).filter((c) => c.name === 'td').length));
  return rows.length >= 10 || columns > 4 || rows.length * columns > 10;
}

function insideDataTable(el: Element): boolean {
  let p = el.parent;
  while (p && isTag(p)) {
    if (p.name === 'table' && isDataTable(p)) return true;
    p = p.parent;
  }
  return false;
}

function shouldRemove(el: Element, tag: string, scorer: Scorer): boolean {
  if (tag === 'table' && isDataTable(el)) return false;
  if (insideDataTable(el) || hasAncestor(el, CODE, 0)) return false;
  const text = innerText(el);
  let isList = tag === 'ul' || tag === 'ol';
  if (!isList && text.length > 0) {
    const listLength = byTag(el, 'ul', 'ol').reduce((n, l) => n + innerText(l).length, 0);
    isList = listLength / text.length > 0.9;
  }
  const weight = scorer.classWeight(el);
  if (weight < 0) return true;
  if (text.split(',').length - 1 >= 10) return false;
  const p = byTag(el, 'p').length;
  const img = byTag(el, 'img').length;
  const li = byTag(el, 'li').length - 100;
  const input = byTag(el, 'input').length;
  const headingLength = byTag(el, 'h1', 'h2', 'h3', 'h4', 'h5', 'h6').reduce(
    (n, h) => n + innerText(h).length,
    0,
  );
  const headingDensity = text.length ? headingLength / text.length : 0;
  const embeds = byTag(el, 'object', 'embed', 'iframe').filter(
    (e) =>
      !/\/\/(www\.)?(dailymotion|youtube|youtube-nocookie|player\.vimeo|v\.qq)\.com/i.test(
        e.attribs.src ?? '',
      ),
  ).length;
  const ld = linkDensity(el, text.length);
  const inFigure = hasAncestor(el, FIGURE, 0);
  const remove =
    (img > 1 && p / img < 0.5 && !inFigure) ||
    (!isList && li > p) ||
    input > Math.floor(p / 3) ||
    (!isList && headingDensity < 0.9 && text.length < 25 && (img === 0 || img > 2) && !inFigure) ||
    (!isList && weight < 25 && ld > 0.2) ||
    (weight >= 25 && ld > 0.5) ||
    (embeds === 1 && text.length < 75) ||
    embeds > 1;
  if (remove && isList) {
    // A list of images (a gallery) stays: one image per item.
    const items = byTag(el, 'li');
    if (items.length > 0 && img === items.length && items.every((item) => elementChildren(item).length <= 1))
      return false;
  }
  return remove;
}

function cleanConditionally(root: Element, tag: string, scorer: Scorer): void {
  if (!scorer.flags.cleanConditionally) return;
  for (const el of byTag(root, tag).reverse()) {
    if (el.parent && shouldRemove(el, tag, scorer)) remove(el);
  }
}

/** Short chrome blocks recognized by their text: share rows, "related posts", cookie notices. */
function removeChromeBlocks(root: Element): void {
  for (const el of elementsIn(root).reverse()) {
    if (!el.parent) continue;
    const text = shortInnerText(el, 4000);
    if (text === undefined || text.length === 0) continue;
    const hasImage = byTag(el, 'img').length > 0;
    if (text.length < 60 && BOILERPLATE_TEXT.test(text) && !hasImage && el.name !== 'p' && el.name !== 'td') {
      remove(el);
      continue;
    }
    if (
      text.length < 60 &&
      BOILERPLATE_TEXT.test(text) &&
      el.name === 'p' &&
      linkDensity(el, text.length) > 0.5
    ) {
      remove(el);
      continue;
    }
    if (text.length < 600 && CONSENT_TEXT.test(text) && !hasImage && el.name !== 'td') {
      remove(el);
    }
  }
}

/** Readability's _prepArticle, trimmed to what changes text and images, plus the chrome pass. */
export function cleanArticle(article: Element, scorer: Scorer): void {
  cleanConditionally(article, 'form', scorer);
  cleanConditionally(article, 'fieldset', scorer);
  for (const el of byTag(article, 'object', 'embed', 'footer', 'link', 'aside', 'nav')) remove(el);
  for (const top of elementChildren(article)) {
    for (const el of elementsIn(top)) {
      if (
        el.parent &&
        SHARE.test(`${el.attribs.class ?? ''} ${el.attribs.id ?? ''}`) &&
        innerText(el).length < 500
      )
        remove(el);
    }
  }
  for (const el of byTag(article, 'iframe', 'input', 'textarea', 'select', 'button')) remove(el);
  for (const h of byTag(article, 'h1', 'h2')) if (scorer.classWeight(h) < 0) remove(h);
  cleanConditionally(article, 'table', scorer);
  cleanConditionally(article, 'ul', scorer);
  cleanConditionally(article, 'div', scorer);
  removeChromeBlocks(article);
  for (const p of byTag(article, 'p')) {
    if (byTag(p, 'img', 'embed', 'object', 'iframe', 'picture', 'video').length === 0 && innerText(p) === '')
      remove(p);
  }
}
