// Node-level filtering, in the spirit of defineFilter: a filter file gives a name, a zod options schema
// and `reasonToDrop` for one node (a paragraph, a line, a whole document's text, or an image); this file
// owns the loops over documents and nodes, removes what fails, and counts nodes in / kept / dropped by
// reason, separately from the documents the stage drops.
import type { z } from 'zod';
import { WeftError } from '../errors.js';
import { parseOptions } from '../pipeline/options.js';
import type { Stage, StageContext } from '../pipeline/stage.js';
import type { ImageValue } from '../records/image.js';
import type { Block, ImageBlock, TextBlock, WebDocument } from '../records/web-document.js';
import { type DropReason, defineFilter } from './define-filter.js';
import type { RejectingContext } from './rejected.js';
import { type BlockParts, documentView, partsOf, reserveParts, writeBlock } from './text/node-parts.js';
import { type TextLevel, type TextView, textView } from './text/text-view.js';

export { documentView } from './text/node-parts.js';

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
  /**
   * Node levels only: the part's text as the filter keeps it (C4 removes citation marks), applied
   * before `reasonToDrop`; return the same string to leave the part alone.
   */
  rewrite?(text: string, options: z.output<S>): string;
}

export interface TextFilterFactory<S extends AnyObject> {
  /** A stage at one level: node levels remove paragraphs or lines, `document` drops documents. */
  at(level: TextLevel, options?: Partial<z.input<S>>): Stage<WebDocument> & { readonly options: z.output<S> };
  readonly levels: TextLevel[];
  readonly definition: TextFilterDefinition<S>;
}

/** Whether a part is OBELICS's document separator (exempt from node filters). */
const isEndOfDocument = ({ text }: TextView) =>
  text.length >= END_OF_DOCUMENT.length && text.includes(END_OF_DOCUMENT) && text.trim() === END_OF_DOCUMENT;

type MaybePromise<T> = T | Promise<T>;

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
      const unit = `${level}s`;
      const name = `${level}/${definition.name}`;
      const counters = {
        in: `${unit}_in`,
        kept: `${unit}_kept`,
        rewritten: `${unit}_rewritten`,
        dropped: (reason: string) => `${unit}_dropped.${reason}`,
      };
      const { rewrite } = definition;
      /** The block's parts after `rewrite`: the same object when no part changes. */
      const rewritten = (ctx: StageContext, parts: BlockParts): BlockParts => {
        if (!rewrite) return parts;
        let views: TextView[] | undefined;
        for (let i = 0; i < parts.views.length; i++) {
          const view = parts.views[i]!;
          const text = isEndOfDocument(view) ? view.text : rewrite(view.text, options);
          if (text === view.text) {
            views?.push(view);
            continue;
          }
          ctx.stats.count(counters.rewritten);
          views ??= parts.views.slice(0, i);
          views.push(textView(text, level));
        }
        return views ? { views, exact: false } : parts;
      };
      const judge = (view: TextView): MaybePromise<DropReason> =>
        isEndOfDocument(view) ? undefined : definition.reasonToDrop(view, options);
      /** Notes the verdict on views[i]; returns the parts kept so far (undefined while all are). */
      const note = (
        ctx: StageContext,
        doc: WebDocument,
        views: TextView[],
        i: number,
        reason: DropReason,
        kept: TextView[] | undefined,
      ) => {
        if (!reason) {
          kept?.push(views[i]!);
          return kept;
        }
        ctx.stats.count(counters.dropped(reason));
        (ctx as RejectingContext).rejects?.node(name, reason, doc.url, level, { text: views[i]!.text });
        return kept ?? views.slice(0, i);
      };
      const result = (
        ctx: StageContext,
        block: TextBlock,
        parts: BlockParts,
        kept: TextView[] | undefined,
      ) => {
        const out = kept ?? parts.views;
        ctx.stats.count(counters.in, parts.views.length);
        ctx.stats.count(counters.kept, out.length);
        if (out.length === 0) return undefined;
        if (!kept && parts.exact) return block;
        return writeBlock(block, level, out);
      };
      /** The rest of a block once the filter answers with a promise. */
      const finish = async (
        ctx: StageContext,
        doc: WebDocument,
        block: TextBlock,
        parts: BlockParts,
        kept: TextView[] | undefined,
        from: number,
        pending: Promise<DropReason>,
      ) => {
        const { views } = parts;
        kept = note(ctx, doc, views, from, await pending, kept);
        for (let i = from + 1; i < views.length; i++)
          kept = note(ctx, doc, views, i, await judge(views[i]!), kept);
        return result(ctx, block, parts, kept);
      };
      return {
        name,
        options,
        run: (docs, ctx) =>
          // Synchronous while the filter is: most answer at once, and a promise per paragraph costs.
          removeNodes(docs, ctx, (block, doc, index) => {
            if (index === 0) reserveParts(level, doc.blocks.length);
            if (block.kind !== 'text') return block;
            const parts = rewritten(ctx, partsOf(block, level));
            const { views } = parts;
            let kept: TextView[] | undefined;
            for (let i = 0; i < views.length; i++) {
              const reason = judge(views[i]!);
              if (reason instanceof Promise) return finish(ctx, doc, block, parts, kept, i, reason);
              kept = note(ctx, doc, views, i, reason, kept);
            }
            return result(ctx, block, parts, kept);
          }),
      };
    },
  };
}

/** Runs `map` over every block; a document with no block left is dropped as `no_content_left`. */
async function* removeNodes(
  docs: AsyncIterable<WebDocument>,
  ctx: StageContext,
  map: (block: Block, doc: WebDocument, index: number) => MaybePromise<Block | undefined>,
): AsyncIterable<WebDocument> {
  for await (const doc of docs) {
    // A new block list only from the first block that changes: most documents pass a filter whole.
    let blocks: Block[] | undefined;
    for (let i = 0; i < doc.blocks.length; i++) {
      const block = doc.blocks[i]!;
      let out = map(block, doc, i);
      if (out instanceof Promise) out = await out;
      if (out !== block) blocks ??= doc.blocks.slice(0, i);
      if (out && blocks) blocks.push(out);
    }
    if (blocks?.length === 0) {
      // Its nodes were reported one by one; the empty shell is only counted.
      ctx.stats.drop('no_content_left');
      continue;
    }
    yield blocks ? { ...doc, blocks } : doc;
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
