// Image URLs naming page furniture or adult content (logo, button, icon…), matched as whole words of
// the URL path and query (split at punctuation and camelCase, plural -s allowed), so that "essex.jpg"
// or "iconic-view.jpg" stay while "site-logo.png", "SocialIcons.svg" and "/icons/x.png" go.
import { z } from 'zod';
import { defineImageFilter } from './define-node-filter.js';

/** OBELICS's banned URL words plus other furniture that is never content. */
export const DEFAULT_URL_WORDS = [
  'logo',
  'button',
  'icon',
  'favicon',
  'plugin',
  'widget',
  'banner',
  'badge',
  'sprite',
  'avatar',
  'spacer',
  'porn',
  'xxx',
  'sex',
];

/** Lowercase words of a URL's path and query (the host is left out: "icons.example.com" is a CDN). */
export function urlWords(src: string): string[] {
  let rest = src;
  try {
    const url = new URL(src);
    rest = `${url.pathname} ${url.search}`;
  } catch {
    // Not an absolute URL: use it as it is.
  }
  let decoded = rest;
  try {
    decoded = decodeURIComponent(rest);
  } catch {
    // Malformed escapes: keep the raw text.
  }
  return decoded
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w !== '');
}

export const imageUrlWords = defineImageFilter({
  name: 'image-url-words',
  description: 'Drops images whose URL contains a banned word (logo, button, icon, …) as a whole word.',
  options: z.strictObject({
    words: z
      .array(z.string().regex(/^[\p{L}\p{N}]+$/u, 'a single word of letters and digits'))
      .default(DEFAULT_URL_WORDS),
  }),
  needsImage: false,
  reasonToDrop({ src }, { words }) {
    const banned = new Set(words.map((w) => w.toLowerCase()));
    for (const word of urlWords(src)) {
      if (banned.has(word) || (word.endsWith('s') && banned.has(word.slice(0, -1)))) return 'url_banned_word';
    }
    return undefined;
  },
});
