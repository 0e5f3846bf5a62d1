// Which URL an <img> really shows (lazy-load attributes, the largest srcset or <picture><source>
// candidate, src), resolved against <base href> and the page, with alt, title, caption and rendered size;
// data: URIs, tracking pixels and obvious icons are refused with a reason.
import { type AnyNode, attr, type Element, elementChildren, innerText, isTag } from './dom.js';

export interface ImageInfo {
  src: string;
  /** The plain `src` when a better candidate (srcset, lazy attribute) was chosen over it. */
  fallbackSrc?: string;
  alt?: string;
  title?: string;
  caption?: string;
  renderedWidth?: string;
  renderedHeight?: string;
}

export type ImageRefusal = 'no_image_src' | 'data_uri_image' | 'tracking_pixel' | 'icon_image';

const LAZY_ATTRS = [
  'data-src',
  'data-lazy-src',
  'data-original',
  'data-lazy',
  'data-url',
  'data-hi-res-src',
  'data-full-src',
  'data-src-fg',
  'data-scroll-image',
  'data-lateloadsrc',
  'data-img-src',
  'data-gt-lazy-src',
  'data-echo',
  'data-actualsrc',
  'data-original-src',
  'data-orig-file',
  'data-large-file',
  'src2',
];
const SRCSET_ATTRS = ['srcset', 'data-srcset', 'data-lazy-srcset'];

const PLACEHOLDER =
  /(^data:)|blank\.(gif|png)|spacer\.gif|pixel\.(gif|png)|transparent\.(gif|png)|placeholder|lazy[-_]?load|grey\.gif|loading\.gif|\/1x1\./i;
const BEACON_HOST =
  /(^|\.)(doubleclick\.net|google-analytics\.com|googletagmanager\.com|scorecardresearch\.com|quantserve\.com|facebook\.com|bat\.bing\.com|pixel\.wp\.com|stats\.wp\.com|analytics\.twitter\.com|ads\.linkedin\.com|pixel\.quantserve\.com|sb\.scorecardresearch\.com|vg\d+\.met\.vgwort\.de|ssl-vg03\.met\.vgwort\.de|cdn\.syndication\.twimg\.com)$/i;
const BEACON_PATH =
  /\/(pixel|beacon|spacer|1x1|tracker|tracking|clear|blank|transparent)\.(gif|png|jpe?g)$|\/(pixel|beacon|track|tracking)\/|\/b\/ss\//i;
const ICON_PATH =
  /(^|[/_.-])(icons?|favicons?|logos?|avatars?|emojis?|emoticons?|smilies|smiley|sprites?|spinner|loader|badges?|buttons?|btn|social|share)([/_.\d-]|$)|\.ico$/i;
const ICON_CLASS = /(^|[\s_-])(icon|emoji|wp-smiley|avatar|logo|sprite|spinner|badge|rating)([\s_-]|$)/i;
const ICON_HOST = /(^|\.)(gravatar\.com|s\.w\.org)$/i;

interface Candidate {
  url: string;
  width: number;
}

/** Parses a srcset per the HTML spec's shape: URL (may contain commas), optional descriptor, comma. */
export function parseSrcset(srcset: string): Candidate[] {
  const out: Candidate[] = [];
  let i = 0;
  const s = srcset.trim();
  while (i < s.length) {
    while (i < s.length && /[\s,]/.test(s[i]!)) i++;
    let url = '';
    while (i < s.length && !/\s/.test(s[i]!)) url += s[i++];
    let descriptor = '';
    if (url.endsWith(',')) url = url.replace(/,+$/, '');
    else {
      while (i < s.length && s[i] !== ',') descriptor += s[i++];
    }
    if (!url) continue;
    const d = descriptor.trim();
    const w = /^(\d+)w$/i.exec(d);
    const x = /^(\d*\.?\d+)x$/i.exec(d);
    // Density descriptors rank below any width; 1x-equivalent when there is none.
    out.push({ url, width: w ? Number(w[1]) : x ? Number(x[1]) : 1 });
  }
  return out;
}

function largest(candidates: Candidate[]): string | undefined {
  let best: Candidate | undefined;
  for (const c of candidates) if (!best || c.width > best.width) best = c;
  return best?.url;
}

function resolve(raw: string | undefined, base: URL): string | undefined {
  const text = raw?.trim();
  if (!text || PLACEHOLDER.test(text)) return undefined;
  try {
    const url = new URL(text, base);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
    return url.href;
  } catch {
    return undefined;
  }
}

/** OBELICS rendered size: "640px" → "640", floats rounded, "%" kept, auto/full-width → "100%". */
export function renderedSize(value: string | undefined): string | undefined {
  const v = value?.trim().toLowerCase();
  if (!v) return undefined;
  if (v === 'auto' || v === 'full-width') return '100%';
  if (/^\d+(\.\d+)?%$/.test(v)) return v;
  const m = /^(\d+(?:\.\d+)?)\s*(px)?$/.exec(v);
  return m ? String(Math.round(Number(m[1]))) : undefined;
}

/** The caption of the figure (or WordPress caption box) an image sits in. */
export function captionOf(img: Element): string | undefined {
  let node = img.parent;
  for (let depth = 0; node && isTag(node) && depth < 5; depth++, node = node.parent) {
    const isFigure = node.name === 'figure';
    const isWpCaption = /\bwp-caption\b/.test(node.attribs.class ?? '');
    if (!isFigure && !isWpCaption) continue;
    const stack: AnyNode[] = [...node.children];
    while (stack.length > 0) {
      const n = stack.shift()!;
      if (!isTag(n)) continue;
      if (n.name === 'figcaption' || /\bwp-caption-text\b/.test(n.attribs.class ?? '')) {
        const text = innerText(n);
        return text || undefined;
      }
      stack.push(...n.children);
    }
    return undefined;
  }
  return undefined;
}

export function imageInfo(img: Element, base: URL): ImageInfo | ImageRefusal {
  const rawSrc = attr(img, 'src');
  const src = resolve(rawSrc, base);
  const lazy = LAZY_ATTRS.map((name) => resolve(attr(img, name), base)).find((u) => u !== undefined);
  const candidates: Candidate[] = [];
  for (const name of SRCSET_ATTRS) {
    const set = attr(img, name);
    if (set) candidates.push(...parseSrcset(set));
  }
  const picture = img.parent && isTag(img.parent) && img.parent.name === 'picture' ? img.parent : undefined;
  if (picture) {
    for (const source of elementChildren(picture)) {
      if (source.name !== 'source') continue;
      const set = attr(source, 'srcset') ?? attr(source, 'data-srcset');
      if (set) candidates.push(...parseSrcset(set));
    }
  }
  const fromSrcset = resolve(largest(candidates.filter((c) => resolve(c.url, base) !== undefined)), base);
  const chosen = fromSrcset ?? lazy ?? src;
  if (!chosen) return rawSrc?.trim().startsWith('data:') ? 'data_uri_image' : 'no_image_src';

  const width = renderedSize(attr(img, 'width'));
  const height = renderedSize(attr(img, 'height'));
  const url = new URL(chosen);
  const numeric = (v: string | undefined) => (v && !v.endsWith('%') ? Number(v) : undefined);
  const w = numeric(width);
  const h = numeric(height);
  if (
    (w !== undefined && w <= 2 && (h === undefined || h <= 2)) ||
    (h !== undefined && h <= 2 && w === undefined)
  )
    return 'tracking_pixel';
  if (BEACON_HOST.test(url.hostname) || BEACON_PATH.test(url.pathname)) return 'tracking_pixel';
  if (
    ICON_HOST.test(url.hostname) ||
    ICON_PATH.test(url.pathname) ||
    ICON_CLASS.test(`${img.attribs.class ?? ''} ${img.attribs.id ?? ''}`) ||
    (w !== undefined && h !== undefined && w <= 32 && h <= 32)
  )
    return 'icon_image';

  const info: ImageInfo = { src: chosen };
  if (src && src !== chosen) info.fallbackSrc = src;
  const alt = attr(img, 'alt')?.replace(/\s+/g, ' ').trim();
  if (alt) info.alt = alt;
  const title = attr(img, 'title')?.replace(/\s+/g, ' ').trim();
  if (title) info.title = title;
  const caption = captionOf(img);
  if (caption) info.caption = caption;
  if (width) info.renderedWidth = width;
  if (height) info.renderedHeight = height;
  return info;
}
