// Page text in reading order from positioned text runs: runs are joined into line segments (split at
// column gutters), and segments are ordered by Breuel's rules (above-and-overlapping before, left column
// before right unless something spanning both lies between), not by content-stream order.

/** A run of text with its box in page points (origin top-left, y down). */
export interface TextRun {
  text: string;
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  /** Font height in points. */
  fontSize: number;
  /** Right-to-left script (Arabic, Hebrew): runs of a line are joined from right to left. */
  rtl?: boolean;
  /** Rotated or vertical text: kept as its own segment. */
  rotated?: boolean;
  /** For text running (near) vertically: the direction it reads in, so word boxes follow it. */
  flow?: 'down' | 'up';
}

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

interface Segment {
  runs: TextRun[];
  x0: number;
  x1: number;
  y0: number;
  y1: number;
  /** The tallest run: the line's body, against which superscripts and neighbours are aligned. */
  anchor: TextRun;
  rotated: boolean;
}

/** Largest horizontal gap (in font heights) still inside one line segment; column gutters are wider. */
const MAX_GAP_EM = 1.0;
/** Gap (in font heights) between runs that reads as a word break. */
const SPACE_GAP_EM = 0.15;
/** Above this many segments the quadratic ordering is replaced by a plain top-down, left-right sort. */
const MAX_ORDERED_SEGMENTS = 2000;

const isBlank = (s: string) => s.trim() === '';

function verticalOverlap(a: { y0: number; y1: number }, b: { y0: number; y1: number }): number {
  return Math.min(a.y1, b.y1) - Math.max(a.y0, b.y0);
}

function newSegment(run: TextRun): Segment {
  return { runs: [run], x0: run.x0, x1: run.x1, y0: run.y0, y1: run.y1, anchor: run, rotated: !!run.rotated };
}

/** Joins runs into line segments with an x-sorted sweep, so content-stream order does not matter. */
export function buildSegments(runs: readonly TextRun[]): Segment[] {
  const sorted = runs
    .filter((r) => !isBlank(r.text) && Number.isFinite(r.x0 + r.x1 + r.y0 + r.y1) && r.fontSize > 0)
    .sort((a, b) => a.x0 - b.x0 || a.y0 - b.y0);
  const open: Segment[] = [];
  const done: Segment[] = [];
  for (const run of sorted) {
    if (run.rotated) {
      done.push(newSegment(run));
      continue;
    }
    let best: Segment | undefined;
    let bestScore = Number.POSITIVE_INFINITY;
    for (let i = open.length - 1; i >= 0; i--) {
      const seg = open[i]!;
      const em = Math.max(seg.anchor.fontSize, run.fontSize);
      const gap = run.x0 - seg.x1;
      if (gap > MAX_GAP_EM * em) {
        // The sweep has passed this segment's reach: it cannot grow any more.
        if (gap > MAX_GAP_EM * em * 4) {
          done.push(seg);
          open.splice(i, 1);
        }
        continue;
      }
      const overlap = verticalOverlap(seg.anchor, run);
      const smaller = Math.min(seg.anchor.y1 - seg.anchor.y0, run.y1 - run.y0);
      if (smaller <= 0 || overlap < 0.5 * smaller) continue;
      const score = (1 - overlap / smaller) * 4 + Math.abs(gap) / em;
      if (score < bestScore) {
        bestScore = score;
        best = seg;
      }
    }
    if (!best) {
      open.push(newSegment(run));
      continue;
    }
    const last = best.runs[best.runs.length - 1]!;
    // Fake bold and shadows draw the same run twice a fraction of a point apart: keep one.
    const em = Math.max(last.fontSize, run.fontSize);
    if (
      last.text === run.text &&
      Math.abs(last.x0 - run.x0) < 0.3 * em &&
      Math.abs(last.y0 - run.y0) < 0.3 * em
    )
      continue;
    best.runs.push(run);
    best.x1 = Math.max(best.x1, run.x1);
    best.y0 = Math.min(best.y0, run.y0);
    best.y1 = Math.max(best.y1, run.y1);
    if (run.y1 - run.y0 > best.anchor.y1 - best.anchor.y0) best.anchor = run;
  }
  return done.concat(open);
}

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
    glyphs.forEach((ch, i) => {
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
  const mirrored = runs.map((r) => ({ ...r, x0: pageWidth - r.x1, x1: pageWidth - r.x0, rtl: false }));
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

/**
 * Cuts the page into horizontal bands at full-width whitespace (the gap under a title block, above a
 * footnote area) so that each band is ordered on its own. A gap is not cut when the lines just above
 * and just below it share a column gutter: then it is only where two columns happen to have space at
 * the same height.
 */
export function horizontalBands(segments: Segment[]): Segment[][] {
  if (segments.length < 2) return [segments];
  const heights = segments.map((s) => s.anchor.fontSize).sort((a, b) => a - b);
  const em = heights[Math.floor(heights.length / 2)]!;
  const byTop = segments.slice().sort((a, b) => a.y0 - b.y0);
  const cuts: Array<{ top: number; bottom: number }> = [];
  let reach = byTop[0]!.y1;
  for (const seg of byTop.slice(1)) {
    if (seg.y0 - reach >= em) cuts.push({ top: reach, bottom: seg.y0 });
    reach = Math.max(reach, seg.y1);
  }
  const window = 4 * em;
  const accepted = cuts.filter((cut) => {
    const above = segments.filter((s) => s.y1 <= cut.top && s.y1 > cut.top - window);
    const below = segments.filter((s) => s.y0 >= cut.bottom && s.y0 < cut.bottom + window);
    return !sharesGutter(gutters(above, em), gutters(below, em));
  });
  const bands: Segment[][] = accepted.map(() => []);
  bands.push([]);
  for (const seg of segments) {
    let band = 0;
    while (band < accepted.length && seg.y0 >= accepted[band]!.bottom) band++;
    bands[band]!.push(seg);
  }
  return bands.filter((b) => b.length > 0);
}

/** Vertical whitespace strips (at least half an em wide) between the segments of a window. */
function gutters(segments: Segment[], em: number): Array<[number, number]> {
  const byLeft = segments.filter((s) => !s.rotated).sort((a, b) => a.x0 - b.x0);
  const found: Array<[number, number]> = [];
  let reach = Number.NEGATIVE_INFINITY;
  for (const seg of byLeft) {
    if (reach > Number.NEGATIVE_INFINITY && seg.x0 - reach >= 0.5 * em) found.push([reach, seg.x0]);
    reach = Math.max(reach, seg.x1);
  }
  return found;
}

function sharesGutter(a: Array<[number, number]>, b: Array<[number, number]>): boolean {
  return a.some(([a0, a1]) => b.some(([b0, b1]) => Math.min(a1, b1) > Math.max(a0, b0)));
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
