// X-Robots-Tag opt-outs, as img2dataset reads them: directives are comma-separated, optionally scoped
// to a user agent ("otherbot: noindex"); unscoped ones and ones scoped to our token count.

/** The directives img2dataset refuses by default. */
export const DEFAULT_OPT_OUT_DIRECTIVES = ['noai', 'noimageai', 'noindex', 'noimageindex'] as const;

/** The first refused directive found in the X-Robots-Tag values, or undefined. */
export function optOutDirective(
  headerValues: string | string[] | undefined,
  refused: readonly string[],
  userAgentToken: string,
): string | undefined {
  if (!headerValues || refused.length === 0) return undefined;
  const token = userAgentToken.toLowerCase();
  const refusedSet = new Set(refused.map((d) => d.toLowerCase()));
  const values = Array.isArray(headerValues) ? headerValues : [headerValues];
  for (const value of values) {
    let scope: string | undefined;
    for (const raw of value.split(',')) {
      let part = raw.trim().toLowerCase();
      const colon = part.indexOf(':');
      // "bot: noindex, nofollow": the scope carries over the rest of the value.
      if (colon > 0 && !part.startsWith('unavailable_after')) {
        scope = part.slice(0, colon).trim();
        part = part.slice(colon + 1).trim();
      }
      const applies = scope === undefined || scope === '*' || scope === token;
      if (applies && (refusedSet.has(part) || (part === 'none' && refusedSet.has('noindex')))) return part;
    }
  }
  return undefined;
}
