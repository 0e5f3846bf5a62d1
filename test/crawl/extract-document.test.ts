// Interleaved extraction on pages built to carry each thing the extractor must get right.
import { describe, expect, test } from 'vitest';
import { extractDocument } from '../../src/crawl/extract/extract-document.js';
import { parseSrcset, renderedSize } from '../../src/crawl/extract/images.js';
import type { Block } from '../../src/records/web-document.js';

const para = (n: number, topic: string) =>
  Array.from(
    { length: n },
    (_, i) =>
      `<p>Paragraph ${i + 1} about ${topic}, with enough words, commas, and detail to read like the body of an article that someone wrote with care.</p>`,
  ).join('\n');

function page(main: string, extra = ''): string {
  return `<!doctype html><html lang="en"><head><title>The Article Title | Site</title><base href="https://cdn.example.org/media/"></head><body>
<header><nav><a href="/">Home</a> <a href="/a">A</a> <a href="/b">B</a></nav></header>
<div id="cookie-banner">We use cookies to improve your experience. <a href="/p">Privacy policy</a></div>
<article><h1>The Article Title</h1>${main}</article>
<div class="related-posts"><h3>Related posts</h3><ul><li><a href="/x">Other story one</a></li><li><a href="/y">Other story two</a></li></ul></div>
${extra}
<footer class="footer">© 2024 Example Inc. All rights reserved.</footer></body></html>`;
}

const texts = (blocks: Block[]) =>
  blocks.filter((b) => b.kind === 'text').map((b) => (b.kind === 'text' ? b.text : ''));
const images = (blocks: Block[]) => blocks.flatMap((b) => (b.kind === 'image' ? [b] : []));

describe('interleaved extraction', () => {
  test('keeps the article text and its images in page order; drops menus, banners, related, footer', () => {
    const doc = extractDocument(
      page(
        `${para(2, 'rivers')}<figure><img src="river.jpg" alt="A river at dawn" width="640px" height="480"><figcaption>The river at dawn.</figcaption></figure>${para(2, 'bridges')}`,
      ),
      'https://www.example.org/news/story.html',
    );
    expect(doc.title).toBe('The Article Title');
    expect(doc.blocks.map((b) => b.kind)).toEqual(['text', 'image', 'text']);
    const all = texts(doc.blocks).join('\n');
    expect(all).toContain('Paragraph 1 about rivers');
    expect(all).toContain('Paragraph 2 about bridges');
    expect(all).toContain('The river at dawn.');
    for (const chrome of [
      'Home',
      'cookies',
      'Related posts',
      'Other story',
      'rights reserved',
      'The Article Title',
    ])
      expect(all).not.toContain(chrome);
    expect(texts(doc.blocks)[0]).toMatch(/rivers, with enough words.*\n\nParagraph 2/s);
    expect(images(doc.blocks)[0]).toEqual({
      kind: 'image',
      src: 'https://cdn.example.org/media/river.jpg',
      alt: 'A river at dawn',
      caption: 'The river at dawn.',
      renderedWidth: '640',
      renderedHeight: '480',
    });
  });

  test('image URL rules: lazy attributes, largest srcset, <picture><source>, base href, protocol-relative', () => {
    const doc = extractDocument(
      page(`${para(2, 'lazy images')}
<p><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" data-src="/real/lazy.jpg" alt="lazy"></p>
<p><img src="small.jpg" srcset="small.jpg 320w, large.jpg 1280w, medium.jpg 640w" alt="srcset"></p>
<picture><source srcset="pic-800.webp 800w, pic-1600.webp 1600w" type="image/webp"><img src="pic.jpg" alt="picture"></picture>
<p><img src="//other.example.net/x.png" alt="protocol relative"></p>
${para(2, 'more text')}`),
      'https://www.example.org/a/b.html',
    );
    expect(images(doc.blocks).map((i) => i.src)).toEqual([
      'https://cdn.example.org/real/lazy.jpg',
      'https://cdn.example.org/media/large.jpg',
      'https://cdn.example.org/media/pic-1600.webp',
      'https://other.example.net/x.png',
    ]);
    expect(images(doc.blocks)[1]!.extra).toEqual({ fallback_src: 'https://cdn.example.org/media/small.jpg' });
  });

  test('data: URIs, tracking pixels and icons are refused and counted', () => {
    const doc = extractDocument(
      page(`${para(3, 'pixels')}
<p><img src="data:image/png;base64,iVBORw0KGgo=" alt="inline"></p>
<p><img src="https://t.example.com/collect.gif?id=1" width="1" height="1"></p>
<p><img src="https://www.facebook.com/tr?id=123&ev=PageView"></p>
<p><img src="/static/icons/search.png" alt="search"></p>
<p><img src="/emoji/smile.png" width="16" height="16" class="wp-smiley" alt=":)"></p>
<p><img src="/photos/harbour.jpg" alt="The harbour" width="800" height="600"></p>`),
      'https://www.example.org/p.html',
    );
    expect(images(doc.blocks).map((i) => i.src)).toEqual(['https://cdn.example.org/photos/harbour.jpg']);
    expect(doc.refusedImages).toEqual({ data_uri_image: 1, tracking_pixel: 2, icon_image: 2 });
  });

  test('a lazy placeholder next to its <noscript> copy gives one image; separate uses stay', () => {
    const doc = extractDocument(
      page(`${para(2, 'noscript')}<p><img src="/img/a.jpg" class="lazy"><noscript><img src="/img/a.jpg"></noscript></p>
${para(1, 'between')}<p><img src="/img/a.jpg"></p>${para(1, 'after')}`),
      'https://www.example.org/p.html',
    );
    expect(images(doc.blocks).map((i) => i.src)).toEqual([
      'https://cdn.example.org/img/a.jpg',
      'https://cdn.example.org/img/a.jpg',
    ]);
  });

  test('lists, tables and preformatted text keep their content with line structure', () => {
    const doc = extractDocument(
      page(`${para(2, 'structure')}<ul><li>First item of the list</li><li>Second item of the list</li></ul>
<table><tr><td>Cell A1</td><td>Cell B1</td></tr><tr><td>Cell A2</td><td>Cell B2</td></tr></table>
<pre>line one
  line two</pre>`),
      'https://www.example.org/p.html',
    );
    const all = texts(doc.blocks).join('\n');
    expect(all).toContain('First item of the list\nSecond item of the list');
    expect(all).toContain('Cell A1 Cell B1\nCell A2 Cell B2');
    expect(all).toContain('line one\n line two');
  });

  test('comments, share rows and repeated per-item lines are dropped', () => {
    const doc = extractDocument(
      page(
        `${para(3, 'comments')}<div class="share-buttons"><a href="#">Share on Facebook</a> <a href="#">Tweet</a></div>`,
        `<section id="comments"><h3>4 Comments</h3><p>Great post, thanks for writing it all up. Reply</p></section>`,
      ),
      'https://www.example.org/p.html',
    );
    const all = texts(doc.blocks).join('\n');
    expect(all).not.toMatch(/Share on Facebook|Tweet|Great post|Comments/);
  });

  test('hostile input: deep nesting and garbage do not throw', () => {
    const deep = `${'<div>'.repeat(5000)}deep text here${'</div>'.repeat(5000)}`;
    expect(() => extractDocument(deep, 'https://x.example/')).not.toThrow();
    const mixed = `<body><p>${'<span><b>'.repeat(3000)}x${'</b></span>'.repeat(3000)}</p><div>${'<ins>'.repeat(5000)}y</div>`;
    expect(() => extractDocument(mixed, 'https://x.example/')).not.toThrow();
    expect(() => extractDocument('\u0000<<<>>><img src=">', 'not a url')).not.toThrow();
  });
});

describe('image helpers', () => {
  test('srcset parsing tolerates commas in URLs and density descriptors', () => {
    expect(parseSrcset('a.jpg 1x, https://c.example/w_100,h_100/b.jpg 2x')).toEqual([
      { url: 'a.jpg', width: 1 },
      { url: 'https://c.example/w_100,h_100/b.jpg', width: 2 },
    ]);
    expect(parseSrcset('x.jpg 480w,y.jpg 960w')).toEqual([
      { url: 'x.jpg', width: 480 },
      { url: 'y.jpg', width: 960 },
    ]);
  });

  test('rendered sizes follow OBELICS', () => {
    expect([
      renderedSize('640px'),
      renderedSize('33.6'),
      renderedSize('50%'),
      renderedSize('auto'),
      renderedSize('x'),
    ]).toEqual(['640', '34', '50%', '100%', undefined]);
  });
});
