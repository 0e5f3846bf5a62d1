// HTML page → title and interleaved blocks. OBELICS-style simplification first (non-content tags, page
// navigation, header and footer chrome, footer/site-info classes), then the main content (Readability-
// style, retried with looser rules when it finds too little), then boilerplate cleanup and linearization.
import { load } from 'cheerio';
import type { Block } from '../../records/web-document.js';
import { cleanArticle } from './article-cleanup.js';
import {
  byTag,
  type Element,
  elementChildren,
  elementsIn,
  flattenDeep,
  innerText,
  isTag,
  remove,
  unnest,
  unwrap,
} from './dom.js';
import type { ImageRefusal } from './images.js';
import { linearize } from './linearize.js';
import { type GrabFlags, grabArticle, Scorer } from './main-content.js';

export interface ExtractedDocument {
  title: string | undefined;
  /** The `lang` attribute of <html>, if any (a hint; language ID decides). */
  htmlLang: string | undefined;
  blocks: Block[];
  /** Images refused while linearizing, by reason. */
  refusedImages: Partial<Record<ImageRefusal, number>>;
  /** Which pass found the content: 0 strict … 3 loosest. */
  pass: number;
}

const REMOVE_TAGS = [
  'script',
  'style',
  'template',
  'link',
  'meta',
  'iframe',
  'object',
  'embed',
  'canvas',
  'svg',
  'math',
  'input',
  'button',
  'select',
  'textarea',
  'option',
  'audio',
  'video',
  'map',
  'nav',
  'dialog',
];
const CHROME_EXACT = new Set(['footer', 'header', 'navigation', 'nav', 'navbar', 'menu']);
const PASSES: GrabFlags[] = [
  { stripUnlikely: true, weightClasses: true, cleanConditionally: true },
  { stripUnlikely: false, weightClasses: true, cleanConditionally: true },
  { stripUnlikely: false, weightClasses: false, cleanConditionally: true },
  { stripUnlikely: false, weightClasses: false, cleanConditionally: false },
];
const ENOUGH_CHARS = 500;
/** Deeper markup is flattened (content kept); see flattenDeep. */
const MAX_NESTING = 120;

function pageTitle(root: Element, head: Element | undefined, body: Element): string | undefined {
  const og = head
    ? byTag(head, 'meta').find((m) => (m.attribs.property ?? m.attribs.name) === 'og:title')?.attribs.content
    : undefined;
  const raw = byTag(head ?? root, 'title')[0];
  const candidate = (raw ? innerText(raw) : '') || og?.trim() || '';
  if (!candidate) return undefined;
  // "Article title | Site name": keep the part a heading of the page repeats, else a substantial first part.
  const parts = candidate.split(/\s+[|\-–—»·:]{1,2}\s+/);
  if (parts.length === 1) return candidate;
  const headings = new Set(byTag(body, 'h1', 'h2').map((h) => innerText(h).toLowerCase()));
  const repeated = parts.find((part) => headings.has(part.toLowerCase()));
  if (repeated) return repeated;
  return parts[0]!.length >= 15 ? parts[0] : candidate;
}

/** OBELICS DOM simplification, as far as it helps main-content detection (see README). */
function simplify(body: Element): void {
  flattenDeep(body, MAX_NESTING);
  for (const el of byTag(body, ...REMOVE_TAGS)) remove(el);
  for (const el of elementsIn(body)) {
    if (!el.parent) continue;
    if (el.name === 'noscript') {
      // With scripting off, <noscript> holds the real <img> of a lazy-loaded one: keep images only.
      if (byTag(el, 'img').length > 0 && innerText(el).length < 200) unwrap(el);
      else remove(el);
      continue;
    }
    const cls = el.attribs.class ?? '';
    if (/(^|\s)(footer|site-info)(\s|$)/.test(cls)) {
      remove(el);
      continue;
    }
    if (
      el.name === 'div' &&
      (CHROME_EXACT.has(cls.trim().toLowerCase()) ||
        CHROME_EXACT.has((el.attribs.id ?? '').trim().toLowerCase()) ||
        CHROME_EXACT.has((el.attribs.title ?? '').trim().toLowerCase()))
    ) {
      remove(el);
      continue;
    }
    // Page-level header/footer are chrome; an article's own <header> (title, standfirst) is content.
    if ((el.name === 'header' || el.name === 'footer') && !insideArticle(el)) remove(el);
  }
  unnest(body);
}

function insideArticle(el: Element): boolean {
  let p = el.parent;
  while (p && isTag(p)) {
    if (p.name === 'article' || p.name === 'main' || p.attribs.role === 'main') return true;
    p = p.parent;
  }
  return false;
}

/**
 * cheerio with its htmlparser2 backend in HTML mode: about twice as fast as parse5 here, and as good on
 * the gold sets (bench/web-quality). parse5 is the spec parser; htmlparser2 skips table foster-parenting.
 */
export const HTML_PARSER_OPTIONS = {
  xml: {
    xmlMode: false,
    decodeEntities: true,
    lowerCaseTags: true,
    lowerCaseAttributeNames: true,
    recognizeSelfClosing: false,
  },
} as const;

function parsePage(html: string) {
  const $ = load(html, HTML_PARSER_OPTIONS);
  const root = $.root()[0] as unknown as Element;
  const htmlEl = elementChildren(root).find((e) => e.name === 'html');
  const head = htmlEl ? elementChildren(htmlEl).find((e) => e.name === 'head') : undefined;
  const body =
    (htmlEl ? elementChildren(htmlEl).find((e) => e.name === 'body') : undefined) ?? htmlEl ?? root;
  return { root, htmlEl, head, body };
}

export function extractDocument(html: string, pageUrl: string): ExtractedDocument {
  const { root, htmlEl, head, body } = parsePage(html);
  let base: URL;
  try {
    base = new URL(pageUrl);
    const baseHref = head ? byTag(head, 'base')[0]?.attribs.href : undefined;
    if (baseHref) base = new URL(baseHref, base);
  } catch {
    base = new URL('http://invalid.invalid/');
  }
  const title = pageTitle(root, head, body);
  const htmlLang = htmlEl?.attribs.lang?.trim() || undefined;
  simplify(body);

  let best: { article: Element; length: number; pass: number } | undefined;
  for (let pass = 0; pass < PASSES.length; pass++) {
    const flags = PASSES[pass]!;
    // The first pass works on the page itself; most pages need no other. Later passes start from a fresh
    // parse (cheaper overall than copying every page's DOM up front).
    let work = body;
    if (pass > 0) {
      work = parsePage(html).body;
      simplify(work);
    }
    const article = grabArticle(work, flags, title);
    cleanArticle(article, new Scorer(flags));
    const length = innerText(article).length;
    if (!best || length > best.length) best = { article, length, pass };
    if (length >= ENOUGH_CHARS) break;
  }
  const { blocks, refused } = linearize(best!.article, base);
  return { title, htmlLang, blocks, refusedImages: refused, pass: best!.pass };
}
