// Image–text pairs from documents: which captions are kept, and why the others are not.
import { describe, expect, test } from 'vitest';
import { captionProblem, derivePairs } from '../../src/crawl/derive-pairs.js';
import type { WebDocument } from '../../src/records/web-document.js';
import { runStage } from '../helpers/run-stage.js';

const img = { src: 'https://x.example/photos/DSC_0042.jpg' };

describe('caption rules', () => {
  test.each([
    ['A heron standing in the shallows at dawn', undefined],
    ['朝の鴨川の遊歩道', undefined],
    ['DSC_0042.jpg', 'filename_caption'],
    ['DSC_0042', 'filename_caption'],
    ['IMG_2041', 'filename_caption'],
    ['my-holiday-photo', 'filename_caption'],
    ['image', 'generic_caption'],
    ['Foto 3', 'generic_caption'],
    ['Heron', 'short_caption'],
    ['The Article Title Here', 'title_caption'],
    ['', 'no_caption'],
    ['x'.repeat(1200), 'long_caption'],
  ])('%j → %s', (text, problem) => {
    expect(captionProblem(text, img, 'The Article Title Here')).toBe(problem);
  });
});

describe('derive-pairs stage', () => {
  test('figcaption first, then caption-like alt, then title; one pair per image and caption', async () => {
    const doc: WebDocument = {
      kind: 'web-document',
      url: 'https://x.example/story',
      title: 'The Story',
      language: 'en',
      blocks: [
        { kind: 'text', text: 'Intro.' },
        {
          kind: 'image',
          src: 'https://x.example/a.jpg',
          alt: 'a.jpg',
          caption: 'Boats in the harbour at low tide.',
        },
        { kind: 'image', src: 'https://x.example/b.jpg', alt: 'A lock keeper pouring coffee at the window' },
        {
          kind: 'image',
          src: 'https://x.example/c.jpg',
          alt: 'image',
          title: 'Cattle grazing on the water meadow',
        },
        { kind: 'image', src: 'https://x.example/d.jpg', alt: 'The Story' },
        { kind: 'image', src: 'https://x.example/e.jpg' },
        { kind: 'image', src: 'https://x.example/b.jpg', alt: 'A lock keeper pouring coffee at the window' },
      ],
    };
    const { kept, stats } = await runStage(derivePairs(), [doc]);
    expect(kept.map((p) => [p.url.slice(-5), p.captionSource, p.caption])).toEqual([
      ['a.jpg', 'figcaption', 'Boats in the harbour at low tide.'],
      ['b.jpg', 'alt', 'A lock keeper pouring coffee at the window'],
      ['c.jpg', 'title', 'Cattle grazing on the water meadow'],
    ]);
    expect(kept[0]!.pageUrl).toBe('https://x.example/story');
    expect(kept[0]!.extra).toEqual({ language: 'en', alt_text: 'a.jpg' });
    expect(stats).toMatchObject({
      'dropped.image_short_caption': 1,
      'dropped.image_no_caption': 1,
      'dropped.image_duplicate_in_page': 1,
      images: 6,
    });
  });
});
