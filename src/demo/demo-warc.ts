// The web demo's input: a small Common Crawl-style WARC (one gzip member per record) of pages weft writes
// itself. They carry what real pages carry: menus, cookie banners, share rows, related links, comments,
// lazy and srcset images, a tracking pixel, icons, and legacy encodings (windows-1252, Shift_JIS), plus
// records a reader must skip (requests, a redirect, a 404, an image, a broken chunked body).
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import iconv from 'iconv-lite';
import { chunked, httpResponse, type WarcRecordSpec, writeWarc } from '../crawl/warc/warc-writer.js';

const SITE = 'http://weft-demo.example';

function chrome(body: string, lang: string, title: string, charsetMeta = ''): string {
  return `<!DOCTYPE html>
<html lang="${lang}"><head>${charsetMeta}<title>${title} | Weft Demo Journal</title>
<script>window.dataLayer = [{"page": "article"}];</script><style>.cookie-banner{position:fixed}</style></head>
<body>
<header class="site-header"><img src="/static/logo.png" alt="Weft Demo Journal logo" width="120" height="40">
<nav class="menu"><ul><li><a href="/">Home</a></li><li><a href="/travel">Travel</a></li><li><a href="/food">Food</a></li><li><a href="/about">About</a></li></ul></nav></header>
<div class="cookie-banner" id="cookie-consent">We use cookies to improve your experience. <a href="/privacy">Privacy policy</a> <button>Accept all cookies</button></div>
<main>${body}</main>
<aside class="sidebar"><h3>Popular</h3><ul><li><a href="/p/1">Ten bridges to see</a></li><li><a href="/p/2">A week of soups</a></li><li><a href="/p/3">Night trains</a></li></ul></aside>
<footer class="footer"><p>© 2024 Weft Demo Journal · <a href="/imprint">Imprint</a> · <a href="/privacy">Privacy</a></p></footer>
<img src="https://pixel.weft-demo.example/track.gif?page=1" width="1" height="1" alt="">
</body></html>`;
}

const SHARE = `<div class="share-buttons"><a href="#"><img src="/static/icons/facebook.png" width="16" height="16" alt="Facebook"></a> <a href="#">Share on Twitter</a> <a href="#">Email</a></div>`;

const RIVER = chrome(
  `<article><h1>A Slow Walk Along the River</h1><p class="byline">By Ada Weaver</p>
<p>We started before sunrise, when the water was still the colour of slate and the only sound was the tapping of the halyards against the masts in the old harbour. The path follows the river for eleven kilometres, past warehouses that have become studios, allotments, and a lock keeper's cottage that sells coffee from a window.</p>
<figure><img src="/img/river-640.jpg" srcset="/img/river-640.jpg 640w, /img/river-1280.jpg 1280w" width="640" height="427" alt="river-640.jpg"><figcaption>Morning mist over the river near the old lock, seen from the towpath.</figcaption></figure>
<p>By the second bridge the mist had lifted, and the herons were standing in the shallows as if they had been placed there for a painting. Cyclists passed us in small groups, nodding, and a rowing crew slid by, the cox calling the stroke in a low voice that carried across the water.</p>
<p><img class="lazy" src="/static/blank.gif" data-src="/img/lock-keeper.jpg" width="800" height="533" alt="The lock keeper's cottage with its coffee window open"></p>
<p>The cottage is the halfway point. The coffee is strong, the cake is whatever the lock keeper baked that morning, and the bench outside faces the weir, where the water drops a metre and a half with a sound that makes conversation pleasantly difficult. <img src="/wp-includes/images/smilies/simple-smile.png" class="wp-smiley" alt=":)"></p>
<p>The last stretch runs through water meadows that flood every winter. In May they are full of buttercups, and the path is raised on a low causeway so that walkers can keep their feet dry while the cattle graze on either side.</p>
${SHARE}
<div class="related-posts"><h3>Related posts</h3><ul><li><a href="/p/4">Five canal walks</a></li><li><a href="/p/5">The best riverside cafés</a></li></ul></div>
<section id="comments" class="comments"><h3>3 Comments</h3><p>Lovely write-up! Reply</p><p>We did this walk last year. Reply</p></section>
</article>`,
  'en',
  'A Slow Walk Along the River',
);

const RECIPE = chrome(
  `<article><h1>Großmutters Apfelkuchen</h1>
<p>Dieses Rezept stammt aus einem handgeschriebenen Heft, das über drei Generationen weitergereicht wurde. Die Äpfel sollten säuerlich sein – Boskop oder Elstar –, und der Teig wird mit Butter, nicht mit Margarine gemacht. „Geduld ist die wichtigste Zutat“, stand am Rand.</p>
<p><img src="/img/IMG_2041.jpg" alt="IMG_2041.jpg" width="900" height="600"></p>
<p>Für den Teig 250 g Mehl, 125 g Butter, 80 g Zucker, ein Ei und eine Prise Salz rasch verkneten und eine Stunde kühlen. Die Äpfel schälen, vierteln und auf der Oberseite mehrmals einschneiden, damit sie beim Backen fächerförmig aufgehen.</p>
<figure><img src="/img/apfelkuchen.jpg" alt="Ein frisch gebackener Apfelkuchen auf einem Holzbrett" width="900" height="600"></figure>
<p><img src="https://vg04.met.vgwort.de/na/4a1b2c3d4e5f" width="1" height="1" alt="">Bei 180 °C etwa 45 Minuten backen, bis der Rand goldbraun ist. Der Kuchen schmeckt lauwarm mit Schlagsahne am besten; die Zutaten kosten zusammen weniger als 6 €.</p>
${SHARE}</article>`,
  'de',
  'Großmutters Apfelkuchen',
);

const KYOTO = chrome(
  `<article><h1>京都の朝の散歩</h1>
<p>早朝の京都は、観光客がまだ少なく、静かな路地を歩くのに最適な時間です。鴨川沿いの道をゆっくり北へ向かうと、川面に朝日が反射して、まるで絵のような景色が広がります。</p>
<figure><img src="/img/kamogawa.jpg" alt="朝日に照らされた鴨川の川沿いの道" width="800" height="533"><figcaption>朝の鴨川。川沿いの遊歩道は地元の人々の散歩道です。</figcaption></figure>
<p>途中の小さな喫茶店では、昔ながらのモーニングセットを楽しむことができます。厚切りのトーストとゆで卵、そして丁寧に淹れたコーヒーが、歩き疲れた体にやさしく染みわたります。</p>
<p>散歩の終わりには、下鴨神社の糺の森を訪れるのがおすすめです。古い木々に囲まれた参道は、夏でもひんやりとしていて、心が落ち着く場所です。</p></article>`,
  'ja',
  '京都の朝の散歩',
  '<meta charset="Shift_JIS">',
);

const FRENCH = chrome(
  `<article><h1>Le marché du dimanche</h1>
<p>Chaque dimanche matin, la place de l'église se remplit d'étals de légumes, de fromages et de fleurs. Les producteurs arrivent avant l'aube, et les premiers clients, souvent des habitués, connaissent chacun par son prénom.</p>
<p><img src="/img/marche.jpg" alt="Des étals de légumes colorés sur la place du marché" width="1024" height="683"></p>
<p>On y trouve des tomates anciennes, du miel de lavande et un comté affiné vingt-quatre mois que le fromager fait goûter sur la pointe de son couteau. Vers midi, les stands ferment un à un et la place retrouve son calme.</p></article>`,
  'fr',
  'Le marché du dimanche',
);

function page(path: string, headers: Record<string, string>, body: Buffer): WarcRecordSpec[] {
  const url = `${SITE}${path}`;
  return [
    {
      type: 'request',
      targetUri: url,
      block: `GET ${path} HTTP/1.1\r\nHost: weft-demo.example\r\nUser-Agent: weft-demo\r\nAccept-Encoding: gzip, br\r\n\r\n`,
    },
    { type: 'response', targetUri: url, block: httpResponse(200, headers, body) },
  ];
}

/** The demo WARC's records, in crawl order. */
export function demoWarcRecords(): WarcRecordSpec[] {
  const html = 'text/html';
  return [
    {
      type: 'warcinfo',
      block: 'software: weft demo\r\nformat: WARC File Format 1.1\r\nisPartOf: weft-demo\r\n',
      headers: { 'WARC-Filename': 'weft-demo.warc.gz' },
    },
    // UTF-8, gzip content-encoding and chunked transfer-encoding, as servers send it.
    ...page(
      '/travel/river-walk',
      {
        'Content-Type': `${html}; charset=utf-8`,
        'Content-Encoding': 'gzip',
        'Transfer-Encoding': 'chunked',
      },
      chunked(gzipSync(Buffer.from(RIVER, 'utf8'))),
    ),
    // windows-1252, declared only in the HTTP header.
    ...page(
      '/food/apfelkuchen',
      { 'Content-Type': `${html}; charset=windows-1252` },
      iconv.encode(RECIPE, 'windows-1252'),
    ),
    // Shift_JIS, declared only in <meta charset>; brotli content-encoding.
    ...page(
      '/travel/kyoto',
      { 'Content-Type': html, 'Content-Encoding': 'br' },
      brotliCompressSync(iconv.encode(KYOTO, 'shift_jis')),
    ),
    ...page(
      '/food/marche',
      { 'Content-Type': `${html}; charset=utf-8`, 'Content-Encoding': 'deflate' },
      deflateSync(Buffer.from(FRENCH, 'utf8')),
    ),
    {
      type: 'response',
      targetUri: `${SITE}/old-path`,
      block: httpResponse(301, { Location: `${SITE}/food/marche` }, ''),
    },
    {
      type: 'response',
      targetUri: `${SITE}/missing`,
      block: httpResponse(404, { 'Content-Type': html }, '<h1>Not found</h1>'),
    },
    {
      type: 'response',
      targetUri: `${SITE}/img/river-640.jpg`,
      block: httpResponse(
        200,
        { 'Content-Type': 'image/jpeg' },
        Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10]),
      ),
    },
    // A chunk-size line that is not hex halfway through the body: a counted `bad_chunked_encoding`.
    {
      type: 'response',
      targetUri: `${SITE}/broken`,
      block: httpResponse(
        200,
        { 'Content-Type': html, 'Transfer-Encoding': 'chunked' },
        '10\r\n<html><body><p>b\r\nzz\r\nroken\r\n0\r\n\r\n',
      ),
    },
  ];
}

export async function writeDemoWarc(path: string): Promise<void> {
  await writeWarc(path, demoWarcRecords(), 'record');
}
