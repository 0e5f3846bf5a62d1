// Where PDFium's page coordinates land in the rendered view: the transform of a loaded page (rotation
// and crop offsets as PDFium renders them), and the US Letter stand-in for pages with unusable boxes.
import type { Pdfium } from './pdfium-module.js';

/** Affine map from PDFium page coordinates (points, y up) to the view (points, y down, rotated). */
export interface ViewTransform {
  a: number;
  b: number;
  c: number;
  d: number;
  e: number;
  f: number;
}

/**
 * The view of a page whose box is unusable (empty, or absurdly large): like pdfjs, the page is taken to
 * be US Letter at the origin, turned by its /Rotate (`quarterTurns` clockwise).
 */
export function letterView(quarterTurns: number): { view: ViewTransform; widthPt: number; heightPt: number } {
  const [w, h] = [612, 792];
  switch (((quarterTurns % 4) + 4) % 4) {
    case 1:
      return { view: { a: 0, b: 1, c: 1, d: 0, e: 0, f: 0 }, widthPt: h, heightPt: w };
    case 2:
      return { view: { a: -1, b: 0, c: 0, d: 1, e: w, f: 0 }, widthPt: w, heightPt: h };
    case 3:
      return { view: { a: 0, b: -1, c: -1, d: 0, e: h, f: w }, widthPt: h, heightPt: w };
    default:
      return { view: { a: 1, b: 0, c: 0, d: -1, e: 0, f: h }, widthPt: w, heightPt: h };
  }
}

/** The view transform of a loaded page, from three points PDFium maps itself (so rotation and crop offsets match the render). */
export function viewTransform(
  pdfium: Pdfium,
  page: number,
  widthPt: number,
  heightPt: number,
): ViewTransform {
  // PageToDevice answers in whole device pixels: map onto a ×64 device so the answer is exact to 1/64 pt.
  const k = 64;
  const x = pdfium.exports;
  const out = x.malloc(8);
  try {
    const map = (px: number, py: number): [number, number] => {
      x.FPDF_PageToDevice(
        page,
        0,
        0,
        Math.round(widthPt * k),
        Math.round(heightPt * k),
        0,
        px,
        py,
        out,
        out + 4,
      );
      const ints = new Int32Array(pdfium.heap().buffer, out, 2);
      return [ints[0]! / k, ints[1]! / k];
    };
    const span = Math.max(widthPt, heightPt);
    const [e, f] = map(0, 0);
    const [ax, ay] = map(span, 0);
    const [bx, by] = map(0, span);
    return { a: (ax - e) / span, b: (ay - f) / span, c: (bx - e) / span, d: (by - f) / span, e, f };
  } finally {
    x.free(out);
  }
}
