// Stage: web documents → image–text pairs. The caption is the figure's caption when there is one, else
// alt text (then the title attribute) that reads like a caption: not a file name, not a generic word
// like "image", not the page title again. Works on the documents dataset, so HTML is parsed once.
import type { Stage } from '../pipeline/stage.js';
import type { CaptionSource, ImageTextPair } from '../records/image-text-pair.js';
import type { ImageBlock, WebDocument } from '../records/web-document.js';

export type CaptionRefusal =
  | 'no_caption'
  | 'filename_caption'
  | 'generic_caption'
  | 'title_caption'
  | 'short_caption'
  | 'long_caption';

const GENERIC =
  /^(image|img|images|photo|photos|picture|pic|bild|foto|fotos|grafik|graphic|thumbnail|thumb|untitled|logo|icon|banner|screenshot|figure|fig|abbildung|imagen|immagine|photo de|画像|写真)[\s_.:-]*(\d+)?$/i;
const FILE_EXT = /\.(jpe?g|png|gif|webp|bmp|svg|tiff?|avif|heic)$/i;
const CAMERA = /^(img|dsc|dscn|dcim|pict|pxl|screenshot|bildschirmfoto|wp|whatsapp image)[\s_-]?\d/i;
const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;
const MAX_CAPTION_CHARS = 1000;

function normalized(s: string): string {
  return s
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

function fileStem(url: string): string {
  try {
    const last = new URL(url).pathname.split('/').pop() ?? '';
    return normalized(decodeURIComponent(last).replace(FILE_EXT, ''));
  } catch {
    return '';
  }
}

/** Why `text` is not a caption for this image, or undefined when it reads like one. */
export function captionProblem(
  text: string,
  image: { src: string },
  pageTitle?: string,
): CaptionRefusal | undefined {
  const t = text.replace(/\s+/g, ' ').trim();
  if (t === '') return 'no_caption';
  if (t.length > MAX_CAPTION_CHARS) return 'long_caption';
  const norm = normalized(t);
  if (
    FILE_EXT.test(t) ||
    CAMERA.test(t) ||
    (norm !== '' && norm === fileStem(image.src)) ||
    /^[\w-]*\d{4,}[\w-]*$/.test(t)
  )
    return 'filename_caption';
  if (!/\s/.test(t) && /[_-]/.test(t) && !CJK.test(t)) return 'filename_caption';
  if (GENERIC.test(t)) return 'generic_caption';
  const letters = (t.match(/\p{L}/gu) ?? []).length;
  const words = t.split(' ').length;
  const short = CJK.test(t) ? letters < 4 : words < 3 || letters < 10;
  if (short) return 'short_caption';
  if (pageTitle && normalized(pageTitle) === norm) return 'title_caption';
  return undefined;
}

function pairFor(
  block: ImageBlock,
  doc: WebDocument,
): { caption: string; source: CaptionSource } | CaptionRefusal {
  let firstProblem: CaptionRefusal | undefined;
  const candidates: [string | undefined, CaptionSource][] = [
    [block.caption, 'figcaption'],
    [block.alt, 'alt'],
    [block.title, 'title'],
  ];
  for (const [text, source] of candidates) {
    if (text === undefined) continue;
    const problem = captionProblem(text, block, doc.title);
    if (!problem) return { caption: text.replace(/\s+/g, ' ').trim(), source };
    if (!firstProblem || firstProblem === 'no_caption') firstProblem = problem;
  }
  return firstProblem ?? 'no_caption';
}

export function derivePairs(): Stage<WebDocument, ImageTextPair> {
  return {
    name: 'derive-pairs',
    async *run(docs, ctx) {
      for await (const doc of docs) {
        const seen = new Set<string>();
        for (const block of doc.blocks) {
          if (block.kind !== 'image') continue;
          ctx.stats.count('images');
          const found = pairFor(block, doc);
          if (typeof found === 'string') {
            ctx.stats.drop(`image_${found}`);
            continue;
          }
          const key = `${block.src}\n${found.caption}`;
          if (seen.has(key)) {
            ctx.stats.drop('image_duplicate_in_page');
            continue;
          }
          seen.add(key);
          ctx.stats.count(`caption_from.${found.source}`);
          const extra: Record<string, unknown> = {};
          if (doc.language) extra.language = doc.language;
          if (block.alt && found.source !== 'alt') extra.alt_text = block.alt;
          if (block.renderedWidth) extra.rendered_width = block.renderedWidth;
          if (block.renderedHeight) extra.rendered_height = block.renderedHeight;
          if (doc.warc) extra.warc_filename = doc.warc.filename;
          const pair: ImageTextPair = {
            kind: 'image-text-pair',
            url: block.src,
            caption: found.caption,
            captionSource: found.source,
            pageUrl: doc.url,
          };
          if (Object.keys(extra).length > 0) pair.extra = extra;
          yield pair;
        }
      }
    },
  };
}
