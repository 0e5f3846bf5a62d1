// URL images in SFT sources: downloaded with weft's polite fetcher when `images.download` is set
// (from a real local server here), refused with a counted reason when the fetch cannot or must not be made.
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { startServer } from '../helpers/local-server.js';
import { tempDir } from '../helpers/temp-dir.js';
import { buildSft, dropped, noisePicture, writeFileIn } from './fixtures.js';

test('URL images are fetched politely when images.download is set; failures are counted reasons', async () => {
  const picture = await noisePicture(11);
  const server = await startServer({
    '/robots.txt': (_req, res) => {
      res.end('User-agent: *\nDisallow: /private/\n');
    },
    '/img/cat.jpg': (_req, res) => {
      res.setHeader('Content-Type', 'image/jpeg');
      res.end(picture);
    },
    '/img/opted-out.jpg': (_req, res) => {
      res.setHeader('Content-Type', 'image/jpeg');
      res.setHeader('X-Robots-Tag', 'noai');
      res.end(picture);
    },
    '/private/secret.jpg': (_req, res) => {
      res.end(picture);
    },
  });
  const work = await tempDir();
  const rows = [
    { q: 'What is it?', a: 'A cat.', img: `${server.url}/img/cat.jpg` },
    { q: 'Missing?', a: 'Yes.', img: `${server.url}/img/gone.jpg` },
    { q: 'Allowed?', a: 'No.', img: `${server.url}/img/opted-out.jpg` },
    { q: 'Disallowed?', a: 'No.', img: `${server.url}/private/secret.jpg` },
    // Another loopback address: not in the allowed range, so it must be refused before connecting.
    { q: 'Private?', a: 'No.', img: `http://127.0.0.2:${server.port}/img/cat.jpg` },
  ];
  await writeFileIn(join(work, 'src'), 'train.jsonl', `${rows.map((r) => JSON.stringify(r)).join('\n')}\n`);
  const source = {
    name: 'web-vqa',
    path: join(work, 'src', 'train.jsonl'),
    fields: { question: 'q', answer: 'a', image: 'img' },
  };

  const { rows: out, summary } = await buildSft(
    {
      sources: [source],
      images: {
        download: { allowedPrivateRanges: ['127.0.0.1/32'], retries: 0, perHostRequestsPerSecond: 0 },
      },
    },
    join(work, 'out'),
  );
  expect(out).toHaveLength(1);
  expect(out[0]!.texts[0]).toMatchObject({ user: 'What is it?', assistant: 'A cat.', source: 'web-vqa' });
  expect(dropped(summary, 'image_url_http_4xx')).toBe(1);
  expect(dropped(summary, 'image_url_opted_out')).toBe(1);
  expect(dropped(summary, 'image_url_robots_disallowed')).toBe(1);
  expect(dropped(summary, 'image_url_private_address')).toBe(1);
  expect(server.hits.get('/private/secret.jpg')).toBeUndefined();
  expect(server.hits.get('/robots.txt')).toBe(1);

  // Without images.download nothing is fetched: every URL needs a local copy.
  const before = server.hits.get('/img/cat.jpg');
  const { summary: offline } = await buildSft({ sources: [source] }, join(work, 'offline'));
  expect(dropped(offline, 'image_url_not_local')).toBe(5);
  expect(server.hits.get('/img/cat.jpg')).toBe(before);
});
