// Decontamination end to end: planted copies of evaluation pictures (byte-identical, and re-encoded and
// resized) and verbatim copies of evaluation questions are removed and counted per source; unrelated
// rows, including ones that share a few words with evaluation questions, stay.
import { join } from 'node:path';
import sharp from 'sharp';
import { expect, test } from 'vitest';
import { seededRandom } from '../../src/demo/synthetic-images.js';
import { hammingDistance, phash } from '../../src/images/phash.js';
import { PhashIndex, questionNgrams } from '../../src/sft/decontaminate.js';
import { tempDir } from '../helpers/temp-dir.js';
import { buildSft, counter, dropped, noisePicture, writeFileIn, writeJsonl } from './fixtures.js';

const EVAL_QUESTIONS = [
  'Which month shows the largest drop in quarterly revenue for the northern region in this chart?',
  'How many people in the photograph are wearing red helmets while riding bicycles?',
  'What is the name of the street written on the blue sign above the bakery entrance?',
  'According to the table, which country had the highest literacy rate in the year 2010?',
  'What is the measure of angle ABC in the triangle drawn on the whiteboard?',
  'Which animal in the enclosure is standing closest to the wooden feeding trough?',
  'What time is displayed on the clock tower behind the fountain in the town square?',
  'Which of the plotted lines crosses the horizontal axis first when moving from left to right?',
];

const FRESH_QUESTIONS = [
  'What colour dominates the upper left part of this picture?',
  'Is the picture brighter on the left or on the right side?',
  'Describe the texture of the surface shown here.',
  'What is shown in the image?',
  'Which month is it?',
  'How many distinct colour regions can you count in this image?',
];

test('planted evaluation pictures and questions are removed; unrelated rows stay', async () => {
  const work = await tempDir();
  const evalDir = join(work, 'eval');
  const trainDir = join(work, 'train');
  const evalRows = [];
  const evalPictures: Buffer[] = [];
  for (const [i, question] of EVAL_QUESTIONS.entries()) {
    const picture = await noisePicture(1000 + i, { widthPx: 320, heightPx: 240 });
    evalPictures.push(picture);
    await writeFileIn(evalDir, `img/${i}.jpg`, picture);
    evalRows.push({ q: question, a: 'x', img: `img/${i}.jpg` });
  }
  await writeJsonl(evalDir, 'bench.jsonl', evalRows);

  const train = [];
  const expectKept = new Set<string>();
  // Byte-identical copies of evaluation pictures under other names, with new questions.
  for (let i = 0; i < 4; i++) {
    await writeFileIn(trainDir, `exact-${i}.jpg`, evalPictures[i]!);
    train.push({ q: FRESH_QUESTIONS[i], a: `exact-${i}`, img: `exact-${i}.jpg` });
  }
  // Re-encoded (WebP / PNG / JPEG q60), resized copies: other bytes, other pixels, same picture.
  for (let i = 0; i < EVAL_QUESTIONS.length; i++) {
    const copy = sharp(evalPictures[i]!).resize(i % 2 === 0 ? 200 : 480);
    const bytes = await (i % 3 === 0
      ? copy.webp({ quality: 70 })
      : i % 3 === 1
        ? copy.png()
        : copy.jpeg({ quality: 60 })
    ).toBuffer();
    expect(hammingDistance(await phash(bytes), await phash(evalPictures[i]!))).toBeLessThanOrEqual(6);
    await writeFileIn(trainDir, `near-${i}.img`, bytes);
    train.push({ q: FRESH_QUESTIONS[i % FRESH_QUESTIONS.length], a: `near-${i}`, img: `near-${i}.img` });
  }
  // Evaluation questions copied (casing and punctuation changed, a prefix added) onto fresh pictures.
  for (let i = 0; i < EVAL_QUESTIONS.length; i++) {
    await writeFileIn(trainDir, `q-${i}.jpg`, await noisePicture(3000 + i));
    const question =
      i % 2 === 0 ? EVAL_QUESTIONS[i]!.toUpperCase().replace('?', '') : `Question: ${EVAL_QUESTIONS[i]}`;
    train.push({ q: question, a: `question-${i}`, img: `q-${i}.jpg` });
  }
  // Unrelated rows: fresh pictures, questions that share at most a few words with the benchmark.
  for (let i = 0; i < 24; i++) {
    await writeFileIn(
      trainDir,
      `fresh-${i}.jpg`,
      await noisePicture(5000 + i, { widthPx: 200 + i, heightPx: 150 }),
    );
    train.push({ q: FRESH_QUESTIONS[i % FRESH_QUESTIONS.length], a: `fresh-${i}`, img: `fresh-${i}.jpg` });
    expectKept.add(`fresh-${i}`);
  }
  await writeJsonl(trainDir, 'train.jsonl', train);
  // A text-only source: verbatim benchmark questions go, the others stay.
  await writeJsonl(trainDir, 'chat.jsonl', [
    { question: EVAL_QUESTIONS[2], answer: 'text-copy' },
    { question: 'Write a haiku about autumn leaves falling on a quiet pond.', answer: 'text-fresh-0' },
    { question: `${EVAL_QUESTIONS[5]} Explain.`, answer: 'text-copy-2' },
    { question: 'What is the capital of Australia?', answer: 'text-fresh-1' },
  ]);
  expectKept.add('text-fresh-0').add('text-fresh-1');

  const { rows, summary } = await buildSft(
    {
      sources: [
        {
          name: 'vqa',
          path: join(trainDir, 'train.jsonl'),
          fields: { question: 'q', answer: 'a', image: 'img' },
        },
        { name: 'chat', path: join(trainDir, 'chat.jsonl') },
      ],
      evaluation: [
        {
          name: 'bench',
          path: join(evalDir, 'bench.jsonl'),
          fields: { question: 'q', answer: 'a', image: 'img' },
        },
      ],
      merge: { byImage: false },
    },
    join(work, 'out'),
  );
  const kept = new Set(rows.flatMap((r) => r.texts.map((t) => t.assistant)));
  expect(kept).toEqual(expectKept);
  expect(counter(summary, 'source.vqa.dropped.eval_image_exact')).toBe(4);
  expect(counter(summary, 'source.vqa.dropped.eval_image_near')).toBe(EVAL_QUESTIONS.length);
  expect(counter(summary, 'source.vqa.dropped.eval_question_overlap')).toBe(EVAL_QUESTIONS.length);
  expect(counter(summary, 'source.chat.dropped.eval_question_overlap')).toBe(2);
  expect(dropped(summary, 'eval_question_overlap')).toBe(EVAL_QUESTIONS.length + 2);
});

test('the pHash multi-index finds exactly what an all-pairs scan finds', () => {
  const random = seededRandom(5);
  const hex = () => Array.from({ length: 16 }, () => Math.floor(random() * 16).toString(16)).join('');
  const flip = (hash: string, bits: number) => {
    let value = BigInt(`0x${hash}`);
    for (let i = 0; i < bits; i++) value ^= 1n << BigInt(Math.floor(random() * 64));
    return value.toString(16).padStart(16, '0');
  };
  const stored = Array.from({ length: 400 }, hex);
  const index = new PhashIndex(6);
  for (const h of stored) index.add(h);
  const queries = [
    ...stored.slice(0, 100).map((h, i) => flip(h, i % 10)),
    ...Array.from({ length: 200 }, hex),
  ];
  for (const q of queries) {
    const brute = stored.map((h) => hammingDistance(q, h)).filter((d) => d <= 6);
    expect(index.nearest(q)).toBe(brute.length === 0 ? undefined : Math.min(...brute));
  }
});

test('question n-grams ignore case and punctuation; CJK characters are words; short questions are one gram', () => {
  expect(questionNgrams('What IS the colour, of the car?', 3)).toEqual([
    'what is the',
    'is the colour',
    'the colour of',
    'colour of the',
    'of the car',
  ]);
  expect(questionNgrams('Which month?', 8)).toEqual(['which month']);
  expect(questionNgrams('他们在做什么？', 2)).toHaveLength(5);
});
