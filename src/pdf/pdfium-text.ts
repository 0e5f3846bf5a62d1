// Text runs from PDFium's text page: characters with their loose boxes (font ascent to descent, advance
// width) are mapped to the rendered view (page rotation applied, top-left origin, points) and grouped
// into runs, which the shared reading-order code joins into lines and columns. A run goes on across a
// word space and ends at line breaks, at wider gaps and at changes of size or direction; it carries
// the edges of its characters, so word boxes are exact rather than prorated.
import type { Pdfium } from './pdfium-module.js';
import type { ViewTransform } from './pdfium-view.js';
import type { TextRun } from './reading-order.js';

/** Gap (in font heights) between characters that reads as a word break: the reading-order code's own. */
const WORD_GAP_EM = 0.15;
/** Smallest gap (in font heights) that a space glyph must leave between its neighbours to count. */
const MIN_SPACE_EM = 0.1;
/** Largest gap a run spans where a space separates two words (a third of an em, more when justified). */
const SPACED_GAP_EM = 0.8;
const RTL_CHAR = /[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]/;
const LTR_CHAR = /[A-Za-z\u00c0-\u024f\u0370-\u03ff\u0400-\u04ff]/;
/** A character that carries no text: C0/C1 controls, U+FFFD, private use. */
const isUnreadable = (cp: number) =>
  cp === 0xfffd || cp < 0x20 || (cp >= 0x7f && cp < 0xa0) || (cp >= 0xe000 && cp <= 0xf8ff) || cp >= 0xf0000;
const isSpace = (cp: number) => cp === 0x20 || cp === 0x09 || cp === 0xa0 || cp === 0x3000 || cp === 0;
const isLineBreak = (cp: number) => cp === 0x0a || cp === 0x0d;

/** One character as the view sees it. */
interface Char {
  ch: string;
  x0: number;
  x1: number;
  y0: number;
  y1: number;
  /** Font size in points. */
  size: number;
  /** Direction of writing in the view (radians, y down). */
  angle: number;
  rtl: boolean;
}

/** A run being built; its last character decides whether the next one joins it. */
interface OpenRun {
  chars: string[];
  /** x0, x1 of each entry of `chars`. */
  edges: number[];
  x0: number;
  x1: number;
  y0: number;
  y1: number;
  size: number;
  angle: number;
  rtl: number;
  ltr: number;
  first: Char;
  last: Char;
}

/** Reads PDFium's per-character facts through one scratch buffer in module memory. */
class CharReader {
  private readonly x: Pdfium['exports'];
  private readonly scratch: number;
  private floats: Float32Array;
  private doubles: Float64Array;

  constructor(
    pdfium: Pdfium,
    private readonly textPage: number,
    private readonly view: ViewTransform,
  ) {
    this.x = pdfium.exports;
    this.scratch = this.x.malloc(32);
    this.floats = new Float32Array(this.x.memory.buffer);
    this.doubles = new Float64Array(this.x.memory.buffer);
  }

  dispose(): void {
    this.x.free(this.scratch);
  }

  /** Typed views of module memory; a grown memory has a new buffer. */
  private views(): { floats: Float32Array; doubles: Float64Array } {
    if (this.floats.buffer !== this.x.memory.buffer) {
      this.floats = new Float32Array(this.x.memory.buffer);
      this.doubles = new Float64Array(this.x.memory.buffer);
    }
    return { floats: this.floats, doubles: this.doubles };
  }

  /** The character's box in the view, or nothing for a character PDFium has no box for. */
  read(i: number, cp: number): Char | undefined {
    const { x, textPage, view, scratch } = this;
    if (!x.FPDFText_GetLooseCharBox(textPage, i, scratch)) return undefined;
    const at = scratch >> 2;
    // FS_RECTF: left, top, right, bottom in page coordinates (y up).
    const { floats } = this.views();
    const [l, t, r, b] = [floats[at]!, floats[at + 1]!, floats[at + 2]!, floats[at + 3]!];
    const inPage = x.FPDFText_GetCharAngle(textPage, i);
    const cos = Math.cos(inPage);
    const sin = Math.sin(inPage);
    const angle = Math.atan2(view.b * cos + view.d * sin, view.a * cos + view.c * sin);
    // The size set in the text state, scaled by the character's matrix (text matrix × CTM).
    let size = x.FPDFText_GetFontSize(textPage, i);
    if (x.FPDFText_GetMatrix(textPage, i, scratch)) {
      const m = this.views().floats;
      const scale = Math.hypot(m[at + 2]!, m[at + 3]!);
      if (scale > 0 && Number.isFinite(scale)) size *= scale;
    }
    // The loose box spans the font's ascent to descent, about 1.2 em. Type 3 fonts scale glyphs by a
    // font matrix the size above leaves out: where the two disagree wildly, the box is the measure.
    const across = Math.abs(Math.abs(sin) > 0.7 ? r - l : t - b);
    if (across > 0 && !(size > across / 4 && size < across * 2.5)) size = across / 1.2;
    const px = (u: number, v: number) => view.a * u + view.c * v + view.e;
    const py = (u: number, v: number) => view.b * u + view.d * v + view.f;
    const char: Char = {
      ch: String.fromCodePoint(cp),
      x0: Math.min(px(l, t), px(r, b)),
      x1: Math.max(px(l, t), px(r, b)),
      y0: Math.min(py(l, t), py(r, b)),
      y1: Math.max(py(l, t), py(r, b)),
      size,
      angle,
      rtl: false,
    };
    char.rtl = RTL_CHAR.test(char.ch);
    if (Math.abs(angle) <= 0.02 && x.FPDFText_GetCharOrigin(textPage, i, scratch, scratch + 8)) {
      // Upright text: fonts with a huge bounding box (math symbols, braces) would reach into the lines
      // above and below; the box is kept within an em above the baseline and a third below.
      const { doubles } = this.views();
      const baseline = py(doubles[scratch >> 3]!, doubles[(scratch >> 3) + 1]!);
      const top = Math.max(char.y0, baseline - 1.05 * size);
      const bottom = Math.min(char.y1, baseline + 0.35 * size);
      if (bottom > top) [char.y0, char.y1] = [top, bottom];
    }
    return Number.isFinite(char.x0 + char.x1 + char.y0 + char.y1) && size > 0 ? char : undefined;
  }
}

/**
 * A quick count over a text page: its characters (no spaces), those that carry no text, and those
 * PDFium could not map to Unicode, without placing or ordering anything.
 */
export function textStats(
  pdfium: Pdfium,
  textPage: number,
): { chars: number; unreadable: number; unmapped: number } {
  const x = pdfium.exports;
  const count = x.FPDFText_CountChars(textPage);
  let chars = 0;
  let unreadable = 0;
  let unmapped = 0;
  for (let i = 0; i < count; i++) {
    const cp = x.FPDFText_GetUnicode(textPage, i) >>> 0;
    if (isSpace(cp) || isLineBreak(cp) || x.FPDFText_IsGenerated(textPage, i) === 1) continue;
    chars++;
    if (isUnreadable(cp)) unreadable++;
    else if (x.FPDFText_HasUnicodeMapError(textPage, i) === 1) unmapped++;
  }
  return { chars, unreadable, unmapped };
}

/**
 * The runs of a text page, and how many characters PDFium itself reports as unmapped (fonts whose
 * glyphs have no Unicode value): those count as unreadable when judging whether the page needs OCR.
 */
export function pdfiumTextRuns(
  pdfium: Pdfium,
  textPage: number,
  view: ViewTransform,
): { runs: TextRun[]; unmapped: number } {
  const x = pdfium.exports;
  const count = x.FPDFText_CountChars(textPage);
  const runs: TextRun[] = [];
  let unmapped = 0;
  if (!(count > 0)) return { runs, unmapped };
  const reader = new CharReader(pdfium, textPage, view);
  let open: OpenRun | undefined;
  let spaceBefore = false;
  const flush = () => {
    if (open) runs.push(toRun(open));
    open = undefined;
  };
  try {
    for (let i = 0; i < count; i++) {
      let cp = x.FPDFText_GetUnicode(textPage, i) >>> 0;
      // Characters beyond the BMP come as two UTF-16 halves, one per character slot.
      const low =
        cp >= 0xd800 && cp <= 0xdbff && i + 1 < count ? x.FPDFText_GetUnicode(textPage, i + 1) >>> 0 : 0;
      if (low >= 0xdc00 && low <= 0xdfff) cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
      // Hostile fonts map glyphs to values that are no code point at all.
      if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) cp = 0xfffd;
      // PDFium reports a hyphen that ends a line as U+0002 marked as a hyphen; the page shows a hyphen.
      if (x.FPDFText_IsHyphen(textPage, i) === 1) cp = 0x2d;
      if (isLineBreak(cp)) {
        flush();
        spaceBefore = false;
        continue;
      }
      // PDFium's own spaces (between words it sees apart) count as spaces in the text.
      if (isSpace(cp) || x.FPDFText_IsGenerated(textPage, i) === 1) {
        spaceBefore = true;
        continue;
      }
      // Unreadable code points are counted from the text itself; PDFium also knows the glyphs it guessed.
      if (!isUnreadable(cp) && x.FPDFText_HasUnicodeMapError(textPage, i) === 1) unmapped++;
      const char = reader.read(i, cp);
      if (low >= 0xdc00 && low <= 0xdfff) i++;
      if (!char) {
        flush();
        continue;
      }
      // A space glyph with no visible gap around it (letter-spaced CJK, a space after a superscript)
      // separates nothing on the page; pdfjs drops such spaces too.
      if (
        spaceBefore &&
        open &&
        visibleGap(open.last, char) < MIN_SPACE_EM * Math.max(open.last.size, char.size)
      ) {
        spaceBefore = false;
      }
      if (open && continues(open, char, spaceBefore)) {
        if (spaceBefore) {
          // The space spans the gap between its neighbours.
          const [a, b] = char.x0 >= open.last.x1 ? [open.last.x1, char.x0] : [char.x1, open.last.x0];
          open.chars.push(' ');
          open.edges.push(Math.min(a, b), Math.max(a, b));
        }
        open.chars.push(char.ch);
        open.edges.push(char.x0, char.x1);
        open.x0 = Math.min(open.x0, char.x0);
        open.x1 = Math.max(open.x1, char.x1);
        open.y0 = Math.min(open.y0, char.y0);
        open.y1 = Math.max(open.y1, char.y1);
        open.size = Math.max(open.size, char.size);
        open.last = char;
      } else {
        flush();
        const { x0, x1, y0, y1, size, angle } = char;
        open = {
          chars: [char.ch],
          edges: [x0, x1],
          x0,
          x1,
          y0,
          y1,
          size,
          angle,
          rtl: 0,
          ltr: 0,
          first: char,
          last: char,
        };
      }
      if (char.rtl) open.rtl++;
      else if (LTR_CHAR.test(char.ch)) open.ltr++;
      spaceBefore = false;
    }
    flush();
  } finally {
    reader.dispose();
  }
  return { runs, unmapped };
}

/** The gap between two characters along an upright line (either reading direction); 0 for rotated text. */
function visibleGap(prev: Char, next: Char): number {
  if (Math.abs(next.angle) > 0.02) return Number.POSITIVE_INFINITY;
  return Math.max(next.x0 - prev.x1, prev.x0 - next.x1);
}

/** Whether a character continues a run: same size and direction, and next to its last character. */
function continues(run: OpenRun, char: Char, spaceBefore: boolean): boolean {
  const prev = run.last;
  const em = Math.max(prev.size, char.size);
  if (Math.abs(prev.size - char.size) > 0.3 * em) return false;
  if (Math.abs(Math.atan2(Math.sin(run.angle - char.angle), Math.cos(run.angle - char.angle))) > 0.05)
    return false;
  if (Math.abs(char.angle) > 0.02) {
    // Rotated text: neighbours along either axis, boxes touching, or a space apart.
    const reach = (spaceBefore ? SPACED_GAP_EM : WORD_GAP_EM) * em;
    const gapX = Math.max(char.x0 - prev.x1, prev.x0 - char.x1);
    const gapY = Math.max(char.y0 - prev.y1, prev.y0 - char.y1);
    return gapX <= reach && gapY <= reach;
  }
  const overlapY = Math.min(prev.y1, char.y1) - Math.max(prev.y0, char.y0);
  if (overlapY < 0.5 * Math.min(prev.y1 - prev.y0, char.y1 - char.y0)) return false;
  // Left to right the next box starts where this one ends; right to left it ends where this one starts.
  const gap =
    char.rtl || prev.rtl
      ? Math.min(Math.abs(char.x0 - prev.x1), Math.abs(prev.x0 - char.x1))
      : char.x0 - prev.x1;
  return gap > -0.5 * em && gap <= (spaceBefore ? SPACED_GAP_EM : WORD_GAP_EM) * em;
}

function toRun(open: OpenRun): TextRun {
  const isRtl = open.rtl > open.ltr;
  // Right-to-left runs read from their right end; PDFium may list them in drawing order.
  const drawnLeftToRight = open.last.x0 + open.last.x1 > open.first.x0 + open.first.x1;
  const reverse = isRtl && drawnLeftToRight;
  const chars = reverse ? open.chars.slice().reverse() : open.chars;
  let edges = open.edges;
  if (reverse) {
    edges = [];
    for (let k = open.edges.length - 2; k >= 0; k -= 2) edges.push(open.edges[k]!, open.edges[k + 1]!);
  }
  const run: TextRun = {
    text: chars.join(''),
    x0: open.x0,
    x1: open.x1,
    y0: open.y0,
    y1: open.y1,
    fontSize: open.size,
  };
  if (isRtl) run.rtl = true;
  if (Math.abs(open.angle) <= 0.02) run.charEdges = edges;
  if (Math.abs(open.angle) > 0.02) {
    run.rotated = true;
    const sin = Math.sin(open.angle);
    if (Math.abs(sin) > 0.7) run.flow = sin > 0 ? 'down' : 'up';
  }
  return run;
}
