import { describe, expect, test } from 'vitest';
import { orderText, type TextRun } from '../../src/pdf/reading-order.js';

const PAGE_W = 612;
const PAGE_H = 792;

/** A run of text at (x, baseline y) in points, boxed the way the render thread boxes pdfjs items. */
function run(text: string, x: number, y: number, fontSize = 10, extra: Partial<TextRun> = {}): TextRun {
  const width = text.length * fontSize * 0.5;
  return { text, x0: x, x1: x + width, y0: y - 0.8 * fontSize, y1: y + 0.2 * fontSize, fontSize, ...extra };
}

function twoColumns(rows: number, firstY = 150): { left: TextRun[]; right: TextRun[] } {
  const left: TextRun[] = [];
  const right: TextRun[] = [];
  for (let i = 0; i < rows; i++) {
    left.push(run(`left line ${i + 1}`, 72, firstY + i * 12));
    right.push(run(`right line ${i + 1}`, 324, firstY + i * 12));
  }
  return { left, right };
}

describe('orderText', () => {
  test('reads a left column before a right one, whatever the stream order', () => {
    const { left, right } = twoColumns(20);
    const interleaved = left.flatMap((l, i) => [right[i]!, l]);
    const lines = orderText(interleaved, PAGE_W, PAGE_H).text.split('\n').filter(Boolean);
    expect(lines).toEqual([...left.map((r) => r.text), ...right.map((r) => r.text)]);
  });

  test('a full-width title comes first and is its own block', () => {
    const { left, right } = twoColumns(10);
    const title = run('A Title Spanning Both Columns Of The Page', 100, 90, 18);
    const { text } = orderText([...right, title, ...left], PAGE_W, PAGE_H);
    const lines = text.split('\n');
    expect(lines[0]).toBe(title.text);
    expect(lines[1]).toBe('');
    expect(lines.indexOf('left line 10')).toBeLessThan(lines.indexOf('right line 1'));
  });

  test('whitespace at the same height in both columns does not split them', () => {
    // A gap of three lines in both columns at once: a naive horizontal cut would read L-top, R-top, L-bottom.
    const { left, right } = twoColumns(20);
    const shifted = (r: TextRun, i: number) => (i >= 10 ? { ...r, y0: r.y0 + 40, y1: r.y1 + 40 } : r);
    const l = left.map(shifted);
    const r = right.map(shifted);
    const lines = orderText([...r, ...l], PAGE_W, PAGE_H)
      .text.split('\n')
      .filter(Boolean);
    expect(lines.slice(0, 20)).toEqual(left.map((x) => x.text));
  });

  test('a full-width figure between two-column parts: top half of both columns, then the figure, then the rest', () => {
    const top = twoColumns(5, 150);
    const caption = run('Figure 1. A caption that runs across the whole page width here', 72, 260, 10);
    const bottom = twoColumns(5, 320);
    const lines = orderText(
      [...bottom.right, caption, ...top.right, ...bottom.left, ...top.left],
      PAGE_W,
      PAGE_H,
    )
      .text.split('\n')
      .filter(Boolean);
    const at = (t: string) => lines.indexOf(t);
    expect(at('left line 5')).toBeLessThan(at('right line 1'));
    expect(at('right line 5')).toBeLessThan(at(caption.text));
    expect(at(caption.text)).toBeLessThan(lines.lastIndexOf('left line 1'));
  });

  test('joins runs of one line with spaces where they are apart, not where they touch', () => {
    const a = run('Hello', 72, 100);
    const b = run('world', a.x1 + 3, 100);
    const c = run('!', b.x1, 100);
    const { text, words } = orderText([c, b, a], PAGE_W, PAGE_H);
    expect(text).toBe('Hello world!');
    expect(words.map((w) => w.text)).toEqual(['Hello', 'world!']);
  });

  test('a superscript stays on its line', () => {
    const a = run('Andreas Gal', 72, 100);
    const sup = run('*', a.x1, 96, 6);
    const b = run(', Brendan Eich', sup.x1, 100);
    expect(orderText([a, b, sup], PAGE_W, PAGE_H).text).toBe('Andreas Gal*, Brendan Eich');
  });

  test('a run drawn twice (fake bold) is read once', () => {
    const a = run('Bold heading', 72, 100);
    const shadow = { ...a, x0: a.x0 + 0.4, x1: a.x1 + 0.4 };
    expect(orderText([a, shadow], PAGE_W, PAGE_H).text).toBe('Bold heading');
  });

  test('right-to-left pages: runs of a line and columns are read from the right', () => {
    const rtl = { rtl: true };
    const first = run('שלום', 500, 100, 10, rtl);
    const second = run('עולם', first.x0 - 23, 100, 10, rtl);
    const rightColumn = [first, second, run('שורה ימין', 480, 112, 10, rtl)];
    const leftColumn = [run('שורה שמאל', 150, 100, 10, rtl), run('שורה שנייה', 150, 112, 10, rtl)];
    const { text, words } = orderText(
      [...leftColumn, second, ...rightColumn.slice(2), first],
      PAGE_W,
      PAGE_H,
    );
    expect(text.split('\n').filter(Boolean)).toEqual(['שלום עולם', 'שורה ימין', 'שורה שמאל', 'שורה שנייה']);
    expect(words[0]!.text).toBe('שלום');
    expect(words[0]!.x1).toBeCloseTo(first.x1 / PAGE_W, 2);
  });

  test('word boxes are normalized to the page and ordered with the text', () => {
    const { words } = orderText([run('two words', 306, 396)], PAGE_W, PAGE_H);
    expect(words).toHaveLength(2);
    const [w1, w2] = words;
    expect(w1!.text).toBe('two');
    expect(w1!.x0).toBeCloseTo(0.5, 5);
    expect(w1!.y1).toBeCloseTo(398 / PAGE_H, 5);
    expect(w2!.x0).toBeGreaterThan(w1!.x1);
    for (const w of words) for (const v of [w.x0, w.x1, w.y0, w.y1]) expect(v).toBeGreaterThanOrEqual(0);
  });

  test('ignores blank and degenerate runs', () => {
    const bad = { ...run('nan', 10, 10), x0: Number.NaN };
    expect(orderText([run('   ', 10, 10), bad, run('kept', 72, 100)], PAGE_W, PAGE_H).text).toBe('kept');
  });
});
