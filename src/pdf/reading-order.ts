// Page text in reading order from positioned text runs: runs are joined into line segments (split at
// column gutters), and segments are ordered by Breuel's rules (above-and-overlapping before, left column
// before right unless something spanning both lies between), not by content-stream order.
import { buildSegments, horizontalBands, type Segment, type TextRun } from './text-segments.js';

export type { TextRun } from './text-segments.js';

/** A word or line box in normalized page coordinates (0..1, origin top-left). */
export interface PositionedWord {
  text: string;
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

export interface OrderedText {
  /** Lines in reading order; a blank line separates blocks (columns, paragraphs with extra space). */
  text: string;
  words: PositionedWord[];
  /** Line segments in reading order (normalized boxes). */
  lines: PositionedWord[];
}

/** Gap (in font heights) between runs that reads as a word break. */
const SPACE_GAP_EM = 0.15;
/** Above this many segments the quadratic ordering is replaced by a plain top-down, left-right sort. */
const MAX_ORDERED_SEGMENTS = 2000;

const centerY = (s: Segment) => (s.y0 + s.y1) / 2;

/** Breuel's partial order, topologically sorted with top-most-first among the segments that are free. */
export function orderSegments(segments: Segment[]): Segment[] {
  const n = segments.length;
  if (n <= 1) return segments.slice();
  if (n > MAX_ORDERED_SEGMENTS) {
    return segments.slice().sort((a, b) => a.y0 - b.y0 || a.x0 - b.x0);
  }
  const byY = segments.slice().sort((a, b) => centerY(a) - centerY(b));
  const succ: number[][] = byY.map(() => []);
  const indeg = new Array<number>(n).fill(0);
  const edge = (from: number, to: number) => {
    succ[from]!.push(to);
    indeg[to]! += 1;
  };
  for (let i = 0; i < n; i++) {
    const a = byY[i]!;
    // Running facts about the segments between a and b (in y), kept so each pair costs O(1):
    // the widest reach right among those starting left of a's end, and the furthest reach left among
    // those ending right of a's start.
    let maxX1StartingBeforeA = Number.NEGATIVE_INFINITY;
    let minX0EndingAfterA = Number.POSITIVE_INFINITY;
    for (let j = i + 1; j < n; j++) {
      const b = byY[j]!;
      const overlapX = Math.min(a.x1, b.x1) - Math.max(a.x0, b.x0);
      if (overlapX > 0) {
        edge(i, j); // rule 1: a is above b and they share columns
      } else if (a.x1 <= b.x0) {
        // Rule 2: left before right, unless a segment between them spans both (a full-width
        // heading or figure cuts the page there; rule 1 then orders the halves through it).
        if (!(maxX1StartingBeforeA > b.x0)) edge(i, j);
      } else if (!(minX0EndingAfterA < b.x1)) {
        edge(j, i);
      }
      if (b.x0 < a.x1 && b.x1 > maxX1StartingBeforeA) maxX1StartingBeforeA = b.x1;
      if (b.x1 > a.x0 && b.x0 < minX0EndingAfterA) minX0EndingAfterA = b.x0;
    }
  }
  const order: Segment[] = [];
  const done = new Array<boolean>(n).fill(false);
  for (let step = 0; step < n; step++) {
    // Free segments have no predecessor left; byY order makes the lowest index the top-most.
    let pick = -1;
    for (let k = 0; k < n; k++) {
      if (!done[k] && indeg[k] === 0) {
        pick = k;
        break;
      }
    }
    // A cycle (overlapping boxes can make one): break it at the top-most remaining segment.
    if (pick < 0) pick = done.indexOf(false);
    done[pick] = true;
    order.push(byY[pick]!);
    for (const t of succ[pick]!) indeg[t]! -= 1;
  }
  return order;
}

interface CharBox {
  ch: string;
  x0: number;
  x1: number;
  y0: number;
  y1: number;
}

/** The characters of a segment with their boxes, spaces inserted where runs are apart. */
function segmentChars(seg: Segment): CharBox[] {
  const rtl = seg.runs.filter((r) => r.rtl).length * 2 > seg.runs.length;
  const runs = seg.runs.slice().sort((a, b) => (rtl ? b.x1 - a.x1 : a.x0 - b.x0));
  const chars: CharBox[] = [];
  let prev: TextRun | undefined;
  for (const run of runs) {
    if (prev) {
      const gap = rtl ? prev.x0 - run.x1 : run.x0 - prev.x1;
      const em = Math.max(prev.fontSize, run.fontSize);
      const last = chars[chars.length - 1];
      if (gap > SPACE_GAP_EM * em && last && !/\s$/.test(last.ch) && !/^\s/.test(run.text)) {
        chars.push({ ch: ' ', x0: prev.x1, x1: run.x0, y0: run.y0, y1: run.y1 });
      }
    }
    const glyphs = Array.from(run.text);
    const n = Math.max(1, glyphs.length);
    const edges =
      run.charEdges && run.charEdges.length === 2 * glyphs.length && !run.flow ? run.charEdges : undefined;
    glyphs.forEach((ch, i) => {
      if (edges) {
        chars.push({ ch, x0: edges[2 * i]!, x1: edges[2 * i + 1]!, y0: run.y0, y1: run.y1 });
        return;
      }
      // Boxes inside a run are prorated by character: exact at run edges, approximate within.
      if (run.flow) {
        const step = (run.y1 - run.y0) / n;
        const a = run.flow === 'down' ? run.y0 + i * step : run.y1 - (i + 1) * step;
        chars.push({ ch, x0: run.x0, x1: run.x1, y0: a, y1: a + step });
        return;
      }
      const step = (run.x1 - run.x0) / n;
      const a = rtl ? run.x1 - (i + 1) * step : run.x0 + i * step;
      chars.push({ ch, x0: a, x1: a + step, y0: run.y0, y1: run.y1 });
    });
    prev = run;
  }
  return chars;
}

function normalizer(pageWidth: number, pageHeight: number, mirrored: boolean) {
  const clamp = (v: number) => Math.min(1, Math.max(0, v));
  return (b: { x0: number; y0: number; x1: number; y1: number }, text: string): PositionedWord => ({
    text,
    x0: clamp((mirrored ? pageWidth - b.x1 : b.x0) / pageWidth),
    y0: clamp(b.y0 / pageHeight),
    x1: clamp((mirrored ? pageWidth - b.x0 : b.x1) / pageWidth),
    y1: clamp(b.y1 / pageHeight),
  });
}

/** Pages mostly in a right-to-left script are read in a mirror: columns then run right to left too. */
function mirrorIfRtl(
  runs: readonly TextRun[],
  pageWidth: number,
): { runs: readonly TextRun[]; mirrored: boolean } {
  let rtl = 0;
  let all = 0;
  for (const r of runs) {
    all += r.text.length;
    if (r.rtl) rtl += r.text.length;
  }
  if (rtl * 2 <= all) return { runs, mirrored: false };
  const mirrored = runs.map((r) => {
    const run = { ...r, x0: pageWidth - r.x1, x1: pageWidth - r.x0, rtl: false };
    if (r.charEdges) {
      run.charEdges = r.charEdges.map((_, i) => pageWidth - r.charEdges![i % 2 === 0 ? i + 1 : i - 1]!);
    }
    return run;
  });
  return { runs: mirrored, mirrored: true };
}

function wordsOf(chars: CharBox[]): PositionedWord[] {
  const words: PositionedWord[] = [];
  let current: CharBox[] = [];
  const flush = () => {
    if (current.length === 0) return;
    words.push({
      text: current.map((c) => c.ch).join(''),
      x0: Math.min(...current.map((c) => c.x0)),
      x1: Math.max(...current.map((c) => c.x1)),
      y0: Math.min(...current.map((c) => c.y0)),
      y1: Math.max(...current.map((c) => c.y1)),
    });
    current = [];
  };
  for (const c of chars) {
    if (/\s/.test(c.ch)) flush();
    else current.push(c);
  }
  flush();
  return words;
}

/** Orders a page's text runs and returns its text, word boxes and line boxes (normalized). */
export function orderText(runs: readonly TextRun[], pageWidth: number, pageHeight: number): OrderedText {
  const view = mirrorIfRtl(runs, pageWidth);
  const norm = normalizer(pageWidth, pageHeight, view.mirrored);
  const ordered = horizontalBands(buildSegments(view.runs)).flatMap((band) => orderSegments(band));
  const lines: string[] = [];
  const words: PositionedWord[] = [];
  const lineBoxes: PositionedWord[] = [];
  let prev: Segment | undefined;
  for (const seg of ordered) {
    const chars = segmentChars(seg);
    const text = chars
      .map((c) => c.ch)
      .join('')
      .replace(/\s+/g, ' ')
      .trim();
    if (!text) continue;
    if (prev && startsNewBlock(prev, seg)) lines.push('');
    lines.push(text);
    lineBoxes.push(norm(seg, text));
    for (const w of wordsOf(chars)) words.push(norm(w, w.text));
    prev = seg;
  }
  return { text: lines.join('\n'), words, lines: lineBoxes };
}

/** A jump back up (next column), sideways (no shared x) or extra vertical space starts a new block. */
function startsNewBlock(prev: Segment, next: Segment): boolean {
  const em = Math.max(prev.anchor.fontSize, next.anchor.fontSize);
  if (next.y0 < prev.y0 - 0.5 * em) return true;
  if (Math.min(prev.x1, next.x1) - Math.max(prev.x0, next.x0) <= 0) return true;
  return next.y0 - prev.y1 > 0.8 * em;
}
