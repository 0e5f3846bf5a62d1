// Image–text pairs: one image (null until downloaded), its URL and caption, flat columns a la img2dataset.
import { CaptionSource, type ImageTextPair } from '../../records/image-text-pair.js';
import { type Features, f } from '../features.js';
import type { Row } from '../shard-writer.js';
import { fromImageCell, toImageCell } from './image-cell.js';
import {
  type DatasetLayout,
  optionalNumber,
  optionalString,
  parseJsonObject,
  scoreColumnName,
  scoresFromRow,
  scoresToRow,
} from './layout.js';

export function imageTextPairsLayout(
  options: { scoreNames?: readonly string[] } = {},
): DatasetLayout<ImageTextPair> {
  const scoreNames = options.scoreNames ?? [];
  const features: Features = {
    image: f.image,
    url: f.string,
    caption: f.string,
    caption_source: f.string,
    page_url: f.string,
    width: f.int32,
    height: f.int32,
    format: f.string,
    sha256: f.string,
    phash: f.string,
    metadata: f.string,
    ...Object.fromEntries(scoreNames.map((name) => [scoreColumnName(name), f.float32])),
  };
  return {
    name: 'image-text-pairs',
    features,
    toRow(pair): Row {
      const image = pair.image;
      return {
        image: toImageCell(image),
        url: pair.url,
        caption: pair.caption,
        caption_source: pair.captionSource,
        page_url: pair.pageUrl ?? null,
        width: image?.widthPx ?? null,
        height: image?.heightPx ?? null,
        format: image?.format ?? null,
        sha256: image?.sha256 ?? null,
        phash: image?.phash ?? null,
        metadata: pair.extra ? JSON.stringify(pair.extra) : null,
        ...scoresToRow(pair.scores, scoreNames),
      };
    },
    async fromRow(row) {
      const url =
        optionalString(row.url) ?? optionalString((row.image as { path?: unknown } | null)?.path) ?? '';
      const caption = optionalString(row.caption) ?? optionalString(row.text) ?? '';
      const known: Record<string, unknown> = {};
      if (optionalNumber(row.width)) known.widthPx = row.width;
      if (optionalNumber(row.height)) known.heightPx = row.height;
      if (optionalString(row.format)) known.format = row.format;
      if (optionalString(row.sha256)) known.sha256 = row.sha256;
      if (optionalString(row.phash)) known.phash = row.phash;
      const image = await fromImageCell(row.image, known);
      const source = CaptionSource.safeParse(row.caption_source);
      const pair: ImageTextPair = {
        kind: 'image-text-pair',
        url,
        caption,
        captionSource: source.success ? source.data : 'caption-column',
      };
      if (optionalString(row.page_url)) pair.pageUrl = row.page_url as string;
      if (image) pair.image = image;
      const extra = parseJsonObject(row.metadata);
      if (Object.keys(extra).length > 0) pair.extra = extra;
      const scores = scoresFromRow(row);
      if (scores) pair.scores = scores;
      return pair;
    },
  };
}
