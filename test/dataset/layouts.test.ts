import { expect, test } from 'vitest';
import { imageTextPairsLayout } from '../../src/dataset/layouts/image-text-pairs.js';
import { pdfPagesLayout } from '../../src/dataset/layouts/pdf-pages.js';
import { sftSamplesLayout } from '../../src/dataset/layouts/sft-samples.js';
import { webDocumentsLayout } from '../../src/dataset/layouts/web-documents.js';
import { makeDoc, makeImage, makePair, makePdfPage, makeSft } from '../helpers/fixtures.js';

test('web documents keep block order, provenance and per-image metadata, in URL and bytes form', async () => {
  const image = await makeImage(320, 200, { seed: 3 });
  const doc = makeDoc({
    title: 'Title',
    language: 'en',
    languageScore: 0.93,
    crawlDate: '2023-02-01T10:00:00Z',
    warc: { filename: 'CC-MAIN-x.warc.gz', offset: 1234, length: 5678 },
    scores: { clip: 0.31 },
  });
  const urls = webDocumentsLayout({ images: 'urls', scoreNames: ['clip'] });
  const row = urls.toRow(doc);
  expect(row.images).toEqual([null, 'https://example.com/a.jpg', null]);
  expect(row.texts).toEqual(['First paragraph.', null, 'Second paragraph.']);
  expect(JSON.parse(row.metadata as string)).toEqual([
    null,
    { src: 'https://example.com/a.jpg', alt_text: 'a cat' },
    null,
  ]);
  expect(JSON.parse(row.general_metadata as string)).toEqual({
    url: 'https://example.com/article',
    warc_filename: 'CC-MAIN-x.warc.gz',
    warc_record_offset: 1234,
    warc_record_length: 5678,
    crawl_date: '2023-02-01T10:00:00Z',
    title: 'Title',
    language: 'en',
    language_score: 0.93,
  });
  expect(row.clip_score).toBe(0.31);
  expect(await urls.fromRow(row)).toEqual(doc);

  const withBytes = makeDoc({
    blocks: [
      { kind: 'image', src: 'https://example.com/a.jpg', image },
      { kind: 'text', text: 'x' },
    ],
  });
  const bytesLayout = webDocumentsLayout({ images: 'bytes' });
  const back = await bytesLayout.fromRow(bytesLayout.toRow(withBytes));
  const block = back?.blocks[0];
  expect(block?.kind === 'image' && block.image?.sha256).toBe(image.sha256);
  expect(block?.kind === 'image' && block.image?.widthPx).toBe(320);
});

test('pairs, PDF pages and SFT samples survive a round trip through rows', async () => {
  const image = await makeImage(200, 150, { format: 'png', source: 'photo.png' });
  const pairs = imageTextPairsLayout();
  const pair = makePair(image);
  expect(await pairs.fromRow(pairs.toRow(pair))).toEqual(pair);
  const missing = makePair(undefined);
  expect(await pairs.fromRow(pairs.toRow(missing))).toEqual(missing);

  const pages = pdfPagesLayout();
  const page = makePdfPage(image, 2);
  const pageBack = await pages.fromRow(pages.toRow(page));
  expect(pageBack?.words).toEqual(page.words);
  expect(pageBack?.metadata).toEqual(page.metadata);
  expect(pageBack?.image.sha256).toBe(image.sha256);

  const sft = sftSamplesLayout({ withText: true });
  const sample = { ...makeSft([image, await makeImage(64, 64, { seed: 9 })]), text: 'User:<image>…' };
  const sampleBack = await sft.fromRow(sft.toRow(sample));
  expect(sampleBack?.turns).toEqual(sample.turns);
  expect(sampleBack?.images.map((i) => i.sha256)).toEqual(sample.images.map((i) => i.sha256));
  expect(sampleBack?.text).toBe('User:<image>…');
});
