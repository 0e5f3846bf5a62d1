// Line segments from positioned text runs: runs that share a baseline band and sit close together are
// joined (an x-sorted sweep, so content-stream order does not matter), gutters split them, and the page
// is cut into horizontal bands where full-width whitespace does not run through columns.

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
  /**
   * Left and right edge of each character (x0, x1 pairs, in the order of the code points of `text`),
   * where the engine knows them: word boxes inside the run are then exact rather than prorated.
   */
  charEdges?: number[];
}

/** Runs of one line of one column, with their union box. */
export interface Segment {
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
