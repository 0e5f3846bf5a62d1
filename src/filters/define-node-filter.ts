// Node-level filtering, in the spirit of defineFilter: a filter file gives a name, a zod options schema
// and `reasonToDrop` for one node (a paragraph, a line, a whole document's text, or an image); this file
// owns the loops over documents and nodes, removes what fails, and counts nodes in / kept / dropped by
// reason, separately from the documents the stage drops.
import type { z } from 'zod';
import { WeftError } from '../errors.js';
import { parseOptions } from '../pipeline/options.js';
import type { Stage, StageContext } from '../pipeline/stage.js';
import type { ImageValue } from '../records/image.js';
import type { Block, ImageBlock, WebDocument } from '../records/web-document.js';
import { type DropReason, defineFilter } from './define-filter.js';
import type { RejectingContext } from './rejected.js';
import { type TextLevel, TextView, textView } from './text/text-view.js';

/** OBELICS's document separator inside a text node; never removed by paragraph filters. */
export const END_OF_DOCUMENT = 'END_OF_DOCUMENT_TOKEN_TO_BE_REPLACED';

type AnyObject = z.ZodObject;

export interface TextFilterDefinition<S extends AnyObject> {
  /** kebab-case name: the file name and the registry key. */
  name: string;
  description: string;
  /** Options; thresholds that differ by level get their values from `defaults`. */
  options: S;
  /** Default options per level; a level with no entry is not offered. */
  defaults: Partial<Record<TextLevel, z.input<S>>>;
  reasonToDrop(text: TextView, options: z.output<S>): DropReason | Promise<DropReason>;
}

export interface TextFilterFactory<S extends AnyObject> {
  /** A stage at one level: node levels remove paragraphs or lines, `document` drops documents. */
  at(level: TextLevel, options?: Partial<z.input<S>>): Stage<WebDocument> & { readonly options: z.output<S> };
  readonly levels: TextLevel[];
  readonly definition: TextFilterDefinition<S>;
}

const documentViews = new WeakMap<WebDocument, TextView>();

/** The document's full text (text nodes joined by blank lines, as OBELICS does), analysed once. */
export function documentView(doc: WebDocument): TextView {
  let view = documentViews.get(doc);
  if (!view) {
    const texts: string[] = [];
    for (const block of doc.blocks) if (block.kind === 'text' && block.text !== '') texts.push(block.text);
    const text = texts.join('\n\n');
    view = new TextView(
      text,
      'document',
      text.split('\n\n').map((p) => textView(p, 'paragraph')),
    );
    documentViews.set(doc, view);
  }
  return view;
}

const UNIT_NAMES: Record<Exclude<TextLevel, 'document'>, { sep: string; counter: string }> = {
  paragraph: { sep: '\n\n', counter: 'paragraphs' },
  line: { sep: '\n', counter: 'lines' },
};

export function defineTextFilter<S extends AnyObject>(
  definition: TextFilterDefinition<S>,
): TextFilterFactory<S> {
  const levels = Object.keys(definition.defaults) as TextLevel[];
  const parse = (level: TextLevel, input: Partial<z.input<S>> | undefined) => {
    const defaults = definition.defaults[level];
    if (!defaults) {
      throw new WeftError(
        'E_CONFIG',
        `filter ${definition.name}: has no ${level} level (it has: ${levels.join(', ')})`,
        { data: { filter: definition.name, level } },
      );
    }
    return parseOptions(`filter ${definition.name} (${level})`, definition.options, {
      ...defaults,
      ...input,
    });
  };
  return {
    levels,
    definition,
    at(level, input) {
      const options = parse(level, input);
      if (level === 'document') {
        const stage = defineFilter<WebDocument, AnyObject>({
          name: `document/${definition.name}`,
          description: definition.description,
          options: definition.options,
          reasonToDrop: (doc) => definition.reasonToDrop(documentView(doc), options),
        })(options as never);
        return Object.assign(stage, { options });
      }
      const unit = UNIT_NAMES[level];
      return {
        name: `${level}/${definition.name}`,
        options,
        run: (docs, ctx) =>
          removeNodes(docs, ctx, async (block, doc) => {
            if (block.kind !== 'text') return block;
            const kept: string[] = [];
            let seen = 0;
            for (const part of block.text.split(unit.sep)) {
              if (part.trim() === '') continue;
              seen += 1;
              const reason =
                part.trim() === END_OF_DOCUMENT
                  ? undefined
                  : await definition.reasonToDrop(textView(part, level), options);
              if (reason) {
                ctx.stats.count(`${unit.counter}_dropped.${reason}`);
                (ctx as RejectingContext).rejects?.node(
                  `${level}/${definition.name}`,
                  reason,
                  doc.url,
                  level,
                  { text: part },
                );
              } else kept.push(part);
            }
            ctx.stats.count(`${unit.counter}_in`, seen);
            ctx.stats.count(`${unit.counter}_kept`, kept.length);
            return kept.length === 0 ? undefined : { ...block, text: kept.join(unit.sep) };
          }),
      };
    },
  };
}

/** Runs `map` over every block; a document with no block left is dropped as `no_content_left`. */
async function* removeNodes(
  docs: AsyncIterable<WebDocument>,
  ctx: StageContext,
  map: (block: Block, doc: WebDocument) => Promise<Block | undefined>,
): AsyncIterable<WebDocument> {
  for await (const doc of docs) {
    let changed = false;
    const blocks: Block[] = [];
    for (const block of doc.blocks) {
      const out = await map(block, doc);
      if (out !== block) changed = true;
      if (out) blocks.push(out);
    }
    if (blocks.length === 0 && doc.blocks.length > 0) {
      // Its nodes were reported one by one; the empty shell is only counted.
      ctx.stats.drop('no_content_left');
      continue;
    }
    yield changed ? { ...doc, blocks } : doc;
  }
}

/** What an image filter sees: the URL, the downloaded image if any, and the HTML rendered size. */
export interface ImageFacts {
  src: string;
  image?: ImageValue | undefined;
  renderedWidth?: string | undefined;
  renderedHeight?: string | undefined;
}

/** Records that carry one image (image-text pairs, PDF pages). */
export type WithImage = { image?: ImageValue | undefined; url?: string; source?: string };

export interface ImageFilterDefinition<S extends z.ZodType> {
  name: string;
  description: string;
  options: S;
  /** Whether the filter needs the image bytes (size, format, NSFW) or only the URL. */
  needsImage: boolean;
  reasonToDrop(image: ImageFacts, options: z.output<S>): DropReason | Promise<DropReason>;
}

export interface ImageFilterFactory<S extends z.ZodType> {
  /** Record level: drops image-text pairs or PDF pages whose image fails (`no_image` when absent). */
  (options?: z.input<S>): Stage<WithImage> & { readonly options: z.output<S> };
  /** Node level: removes failing image nodes from web documents. */
  nodes(options?: z.input<S>): Stage<WebDocument> & { readonly options: z.output<S> };
  readonly definition: ImageFilterDefinition<S>;
}

function factsOfBlock(block: ImageBlock): ImageFacts {
  return {
    src: block.src,
    image: block.image,
    renderedWidth: block.renderedWidth,
    renderedHeight: block.renderedHeight,
  };
}

export function defineImageFilter<S extends z.ZodType>(
  definition: ImageFilterDefinition<S>,
): ImageFilterFactory<S> {
  const records = (input?: z.input<S>) => {
    const stage = defineFilter<WithImage, S>({
      name: definition.name,
      description: definition.description,
      options: definition.options,
      reasonToDrop(record, options) {
        if (definition.needsImage && !record.image) return 'no_image';
        return definition.reasonToDrop(
          { src: record.url ?? record.source ?? '', image: record.image },
          options,
        );
      },
    })(input);
    return stage;
  };
  const nodes = (input?: z.input<S>) => {
    const options = parseOptions(`filter ${definition.name}`, definition.options, input ?? {});
    return {
      name: `image/${definition.name}`,
      options,
      run: (docs: AsyncIterable<WebDocument>, ctx: StageContext) =>
        removeNodes(docs, ctx, async (block, doc) => {
          if (block.kind !== 'image') return block;
          ctx.stats.count('images_in');
          if (definition.needsImage && !block.image) {
            // Not downloaded (a `urls` dataset): nothing to judge, so the node stays.
            ctx.stats.count('images_unchecked');
            ctx.stats.count('images_kept');
            return block;
          }
          const reason = await definition.reasonToDrop(factsOfBlock(block), options);
          if (reason) {
            ctx.stats.count(`images_dropped.${reason}`);
            (ctx as RejectingContext).rejects?.node(`image/${definition.name}`, reason, doc.url, 'image', {
              src: block.src,
            });
            return undefined;
          }
          ctx.stats.count('images_kept');
          return block;
        }),
    };
  };
  return Object.assign(records, { nodes, definition });
}
