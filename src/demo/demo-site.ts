// A small website served on 127.0.0.1 for the demo (no network needed): an index linking to articles
// with text and synthetic captioned pictures, a robots.txt that fences off /private/, and an opted-out
// picture. `weft demo` crawls it into WARC and downloads its pictures.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { renderSyntheticImage, syntheticImageSpec } from './synthetic-images.js';

export interface DemoSite {
  url: string;
  /** The article pages' picture URLs with their captions. */
  images: { url: string; caption: string }[];
  close(): Promise<void>;
}

const escapeHtml = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');

export async function startDemoSite(
  options: { articles?: number; imagesPerArticle?: number; seed?: number } = {},
): Promise<DemoSite> {
  const articles = options.articles ?? 6;
  const perArticle = options.imagesPerArticle ?? 4;
  const seed = options.seed ?? 7;
  const specs = Array.from({ length: articles * perArticle }, (_, i) => syntheticImageSpec(seed, i));
  const pictures = new Map<string, { bytes: Uint8Array; type: string }>();
  for (const spec of specs) {
    const ext = spec.format === 'jpeg' ? 'jpg' : 'png';
    pictures.set(`/images/${spec.index}.${ext}`, {
      bytes: await renderSyntheticImage(spec),
      type: `image/${spec.format}`,
    });
  }
  const paths = [...pictures.keys()];
  const article = (a: number): string => {
    const body = specs
      .slice(a * perArticle, (a + 1) * perArticle)
      .map(
        (spec, i) =>
          `<p>Paragraph ${i + 1} of article ${a + 1}: a picture follows.</p>\n<figure><img src="${paths[a * perArticle + i]}" alt="${escapeHtml(spec.caption)}"><figcaption>${escapeHtml(spec.caption)}</figcaption></figure>`,
      )
      .join('\n');
    const next = a + 1 < articles ? `<a href="/articles/${a + 1}.html">next article</a>` : '';
    return `<!doctype html><html lang="en"><head><title>Article ${a + 1}</title></head><body><h1>Article ${a + 1}</h1>\n${body}\n<p><img src="/opted-out.jpg" alt="opted out"></p>${next}</body></html>`;
  };
  const index = `<!doctype html><html lang="en"><head><title>weft demo site</title></head><body><h1>Demo articles</h1><ul>${Array.from(
    { length: articles },
    (_, a) => `<li><a href="/articles/${a}.html">Article ${a + 1}</a></li>`,
  ).join('')}<li><a href="/private/drafts.html">drafts (robots.txt disallows)</a></li></ul></body></html>`;
  const optedOut = pictures.get(paths[0]!)!;

  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    const picture = pictures.get(path);
    if (picture) {
      res.writeHead(200, { 'content-type': picture.type, 'content-length': picture.bytes.byteLength });
      res.end(picture.bytes);
    } else if (path === '/opted-out.jpg') {
      res.writeHead(200, { 'content-type': optedOut.type, 'x-robots-tag': 'noai, noimageai' });
      res.end(optedOut.bytes);
    } else if (path === '/robots.txt') {
      res.end('User-agent: *\nDisallow: /private/\n');
    } else if (path === '/' || path === '/index.html') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(index);
    } else if (/^\/articles\/\d+\.html$/.test(path) && Number(path.match(/\d+/)![0]) < articles) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(article(Number(path.match(/\d+/)![0])));
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    images: [
      ...specs.map((spec, i) => ({ url: `${url}${paths[i]}`, caption: spec.caption })),
      { url: `${url}/opted-out.jpg`, caption: 'a picture whose server says noai' },
    ],
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
