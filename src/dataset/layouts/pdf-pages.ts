// Rendered PDF pages: one row per page with its image, text, positioned words and document metadata.
import type { PdfMetadata, PdfPage, PositionedText } from '../../records/pdf-page.js';
import { type Features, f } from '../features.js';
import type { Row } from '../shard-writer.js';
import { fromImageCell, toImageCell } from './image-cell.js';
import {
  type DatasetLayout,
  optionalNumber,
  optionalString,
  scoreColumnName,
  scoresFromRow,
  scoresToRow,
} from './layout.js';

const METADATA_KEYS = ['title', 'author', 'language', 'creator', 'producer'] as const;

export function pdfPagesLayout(options: { scoreNames?: readonly string[] } = {}): DatasetLayout<PdfPage> {
  const scoreNames = options.scoreNames ?? [];
  const features: Features = {
    image: f.image,
    text: f.string,
    words: f.list(f.struct({ text: f.string, x0: f.float32, y0: f.float32, x1: f.float32, y1: f.float32 })),
    page: f.int32,
    page_count: f.int32,
    width: f.int32,
    height: f.int32,
    source: f.string,
    needs_ocr: f.bool,
    sha256: f.string,
    document_metadata: f.struct(Object.fromEntries(METADATA_KEYS.map((k) => [k, f.string]))),
    ...Object.fromEntries(scoreNames.map((name) => [scoreColumnName(name), f.float32])),
  };
  return {
    name: 'pdf-pages',
    features,
    toRow(page): Row {
      return {
        image: toImageCell(page.image),
        text: page.text,
        words: page.words,
        page: page.page,
        page_count: page.pageCount,
        width: page.image.widthPx,
        height: page.image.heightPx,
        source: page.source,
        needs_ocr: page.needsOcr,
        sha256: page.image.sha256,
        document_metadata: Object.fromEntries(METADATA_KEYS.map((k) => [k, page.metadata[k] ?? null])),
        ...scoresToRow(page.scores, scoreNames),
      };
    },
    async fromRow(row) {
      const known: Record<string, unknown> = {};
      if (optionalNumber(row.width)) known.widthPx = row.width;
      if (optionalNumber(row.height)) known.heightPx = row.height;
      if (optionalString(row.sha256)) known.sha256 = row.sha256;
      const image = await fromImageCell(row.image, known);
      if (!image) return undefined;
      const stored = (row.document_metadata ?? {}) as Record<string, unknown>;
      const metadata: PdfMetadata = {};
      for (const key of METADATA_KEYS)
        if (typeof stored[key] === 'string') metadata[key] = stored[key] as string;
      const page: PdfPage = {
        kind: 'pdf-page',
        source: optionalString(row.source) ?? '',
        page: optionalNumber(row.page) ?? 1,
        pageCount: optionalNumber(row.page_count) ?? 1,
        image,
        text: optionalString(row.text) ?? '',
        words: Array.isArray(row.words) ? (row.words as PositionedText[]) : [],
        needsOcr: row.needs_ocr === true,
        metadata,
      };
      const scores = scoresFromRow(row);
      if (scores) page.scores = scores;
      return page;
    },
  };
}
