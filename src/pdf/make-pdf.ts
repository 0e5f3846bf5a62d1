// Writes small, valid PDFs by hand (objects, xref table, trailer), for the demo and for tests that need
// a PDF with known text, layout or pathological content. Fonts are the standard 14 (not embedded), so
// rendering them exercises pdfjs's bundled standard font data.
import { deflateSync } from 'node:zlib';

export interface MadePage {
  /** Page size in points; US Letter by default. */
  widthPt?: number;
  heightPt?: number;
  /** The page's content stream (PDF operators). Fonts /F1 Helvetica, /F2 Helvetica-Bold, /F3 Times-Roman. */
  content: string | Uint8Array;
  /** Store the content FlateDecode-compressed. */
  compress?: boolean;
  /** Extra entries for the page's /Resources dictionary, e.g. `/XObject << /Im1 7 0 R >>`. */
  resources?: string;
  /** The page's /Rotate (0, 90, 180, 270). */
  rotate?: number;
  /** Where the page box starts (its lower-left corner in user space); 0 0 by default. */
  originPt?: [number, number];
}

export interface MadePdf {
  pages: MadePage[];
  info?: { title?: string; author?: string };
  /** Document language (the catalog's /Lang). */
  language?: string;
  /** Extra indirect objects, numbered from 100 in order (for images and forms that pages reference). */
  objects?: Array<{ dict: string; stream?: Uint8Array }>;
}

/** A PDF literal string with ( ) \ escaped; non-Latin-1 characters are not supported. */
export function pdfString(text: string): string {
  return `(${text.replace(/([()\\])/g, '\\$1')})`;
}

export function makePdf(spec: MadePdf): Uint8Array {
  const chunks: Buffer[] = [];
  let length = 0;
  const offsets = new Map<number, number>();
  const write = (part: string | Uint8Array) => {
    const buf = typeof part === 'string' ? Buffer.from(part, 'latin1') : Buffer.from(part);
    chunks.push(buf);
    length += buf.length;
  };
  const object = (num: number, dict: string, stream?: Uint8Array) => {
    offsets.set(num, length);
    if (!stream) {
      write(`${num} 0 obj\n${dict}\nendobj\n`);
      return;
    }
    write(`${num} 0 obj\n${dict.replace(/>>\s*$/, '')} /Length ${stream.length} >>\nstream\n`);
    write(stream);
    write('\nendstream\nendobj\n');
  };

  write('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n');
  const fonts = '/Font << /F1 4 0 R /F2 5 0 R /F3 6 0 R >>';
  const firstPage = 10;
  const pageNums = spec.pages.map((_, i) => firstPage + i * 2);
  const lang = spec.language ? ` /Lang ${pdfString(spec.language)}` : '';
  object(1, `<< /Type /Catalog /Pages 2 0 R${lang} >>`);
  object(
    2,
    `<< /Type /Pages /Kids [${pageNums.map((n) => `${n} 0 R`).join(' ')}] /Count ${pageNums.length} >>`,
  );
  const info = [
    spec.info?.title ? `/Title ${pdfString(spec.info.title)}` : '',
    spec.info?.author ? `/Author ${pdfString(spec.info.author)}` : '',
    '/Producer (weft make-pdf)',
  ].join(' ');
  object(3, `<< ${info} >>`);
  object(4, '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>');
  object(5, '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>');
  object(6, '<< /Type /Font /Subtype /Type1 /BaseFont /Times-Roman /Encoding /WinAnsiEncoding >>');
  spec.pages.forEach((page, i) => {
    const num = pageNums[i]!;
    const w = page.widthPt ?? 612;
    const h = page.heightPt ?? 792;
    const [x0, y0] = page.originPt ?? [0, 0];
    object(
      num,
      `<< /Type /Page /Parent 2 0 R /MediaBox [${x0} ${y0} ${x0 + w} ${y0 + h}]${page.rotate ? ` /Rotate ${page.rotate}` : ''} /Contents ${num + 1} 0 R /Resources << ${fonts} ${page.resources ?? ''} >> >>`,
    );
    const raw = typeof page.content === 'string' ? Buffer.from(page.content, 'latin1') : page.content;
    if (page.compress) object(num + 1, '<< /Filter /FlateDecode >>', deflateSync(raw));
    else object(num + 1, '<< >>', raw);
  });
  (spec.objects ?? []).forEach((o, i) => {
    object(100 + i, o.dict, o.stream);
  });

  const nums = [...offsets.keys()].sort((a, b) => a - b);
  const size = nums[nums.length - 1]! + 1;
  const xrefAt = length;
  let xref = `xref\n0 ${size}\n0000000000 65535 f \n`;
  for (let n = 1; n < size; n++) {
    const at = offsets.get(n);
    xref += at === undefined ? '0000000000 65535 f \n' : `${String(at).padStart(10, '0')} 00000 n \n`;
  }
  write(xref);
  write(`trailer\n<< /Size ${size} /Root 1 0 R /Info 3 0 R >>\nstartxref\n${xrefAt}\n%%EOF\n`);
  return new Uint8Array(Buffer.concat(chunks, length));
}

/** Content-stream operators that place one line of text at (x, y) in points (origin bottom-left). */
export function textLine(text: string, x: number, y: number, font = 'F3', sizePt = 10): string {
  return `BT /${font} ${sizePt} Tf ${x} ${y} Td ${pdfString(text)} Tj ET\n`;
}

const WORDS =
  'pages render text layer reading order columns weft datasets vision language models learn read documents scanned printed tables figures captions'.split(
    ' ',
  );

/** Deterministic filler sentences, numbered so tests can check their order. */
export function fillerLines(prefix: string, count: number, wordsPerLine = 8): string[] {
  return Array.from({ length: count }, (_, i) => {
    const words = Array.from({ length: wordsPerLine - 2 }, (_, k) => WORDS[(i * 7 + k * 3) % WORDS.length]);
    return `${prefix}${i + 1} ${words.join(' ')}.`;
  });
}

/**
 * A two-column page whose content stream interleaves the columns line by line (left 1, right 1,
 * left 2…), so stream order and reading order differ: a reader must find the columns to get it right.
 */
export function twoColumnPage(title: string, left: string[], right: string[]): MadePage {
  let content = textLine(title, 72, 720, 'F2', 16);
  const rows = Math.max(left.length, right.length);
  for (let i = 0; i < rows; i++) {
    const y = 680 - i * 13;
    if (left[i]) content += textLine(left[i]!, 72, y);
    if (right[i]) content += textLine(right[i]!, 324, y);
  }
  return { content };
}

/** The demo's input: a two-column page, a blank page and a drawing without text (which needs OCR). */
export function demoPdf(): Uint8Array {
  const drawing = [
    '0.2 0.4 0.8 rg 72 400 200 150 re f',
    '0.9 0.3 0.2 rg 320 420 m 460 560 l 540 380 l h f',
    '0 0 0 RG 4 w 72 300 m 540 300 l S',
  ].join('\n');
  return makePdf({
    info: { title: 'weft demo: two columns', author: 'weft' },
    language: 'en',
    pages: [
      twoColumnPage('Rendered pages with their text', fillerLines('L', 40, 6), fillerLines('R', 40, 6)),
      { content: '' },
      { content: drawing, compress: true },
    ],
  });
}
