// Links of an HTML page for the crawl frontier: <a>/<area> href resolved against <base href> and the
// page URL, fragments removed, http(s) only. htmlparser2 is forgiving of broken markup.
import { Parser } from 'htmlparser2';

export function extractLinks(html: string, pageUrl: string): string[] {
  let base = pageUrl;
  const hrefs: string[] = [];
  const parser = new Parser(
    {
      onopentag(name, attributes) {
        if (name === 'base' && attributes.href) {
          try {
            base = new URL(attributes.href, pageUrl).href;
          } catch {
            // A broken <base> is ignored, as browsers do.
          }
        } else if ((name === 'a' || name === 'area') && attributes.href) {
          if (!/\bnofollow\b/i.test(attributes.rel ?? '')) hrefs.push(attributes.href);
        }
      },
    },
    { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true },
  );
  parser.write(html);
  parser.end();
  const links = new Set<string>();
  for (const href of hrefs) {
    try {
      const url = new URL(href.trim(), base);
      if (url.protocol !== 'http:' && url.protocol !== 'https:') continue;
      url.hash = '';
      links.add(url.href);
    } catch {
      // Unresolvable href: not a link we can follow.
    }
  }
  return [...links];
}
