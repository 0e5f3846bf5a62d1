// The writer tasks: each reads its slice of the plan and turns every planned conversation into an
// SftSample (images from the ingest store, turns tagged with their source), then optionally renders the
// Idefics2 training text and measures its length.
import { createReadStream, existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Source, Stage } from '../pipeline/stage.js';
import type { ImageValue } from '../records/image.js';
import type { SftSample, SftTurn } from '../records/sft-sample.js';
import {
  estimatingCounter,
  loadTokenizerCounter,
  renderIdefics2,
  type TemplateSettings,
  type TokenCounter,
} from './chat-template.js';
import type { SftOptions } from './config.js';
import { IngestReader, type StoredRow } from './ingest-store.js';
import { type PlanPart, type PlanSummary, sliceFileName } from './plan.js';

/** Records the plan's global numbers once (task 0), so stats.json holds them exactly once. */
function recordSummary(summary: PlanSummary, count: (key: string, n: number) => void): void {
  count('rows_ingested', summary.rowsIngested);
  count('rows_selected', summary.rowsSelected);
  count('rows_not_selected', summary.rowsIngested - summary.rowsSelected);
  count('conversations_planned', summary.conversations);
  count('merged_conversations', summary.mergedConversations);
  count('cross_source_conversations', summary.crossSourceConversations);
  count('split_conversations', summary.splitConversations);
  for (const s of summary.perSource) {
    count(`source.${s.name}.selected`, s.selected);
    count(`source.${s.name}.not_selected`, s.ingested - s.selected);
  }
}

export function planSliceSource(
  options: SftOptions,
  planDir: string,
  taskDirs: string[],
  sliceIndex: number,
): Source<SftSample> {
  return {
    name: 'read-plan',
    async *read(ctx) {
      if (sliceIndex === 0) {
        const summary = JSON.parse(await readFile(join(planDir, 'summary.json'), 'utf8')) as PlanSummary;
        recordSummary(summary, (key, n) => ctx.stats.count(key, n));
      }
      const file = join(planDir, sliceFileName(sliceIndex));
      if (!existsSync(file)) return;
      const readers = new Map<number, IngestReader>();
      const readerFor = (task: number) => {
        let reader = readers.get(task);
        if (!reader) {
          reader = new IngestReader(taskDirs[task]!);
          readers.set(task, reader);
        }
        return reader;
      };
      try {
        const lines = createInterface({
          input: createReadStream(file, 'utf8'),
          crlfDelay: Number.POSITIVE_INFINITY,
        });
        for await (const line of lines) {
          if (line === '') continue;
          const parts = JSON.parse(line) as PlanPart[];
          const turns: SftTurn[] = [];
          let first: { row: StoredRow; task: number } | undefined;
          const rows = new Map<string, StoredRow>();
          for (const [task, offset, length, from, to] of parts) {
            const key = `${task}:${offset}`;
            let row = rows.get(key);
            if (!row) {
              row = await readerFor(task).row(offset, length);
              rows.set(key, row);
            }
            first ??= { row, task };
            const name = options.sources[row.source]!.name;
            for (const turn of row.turns.slice(from, to)) turns.push({ ...turn, source: name });
            ctx.stats.count(`source.${name}.turns_written`, to - from);
          }
          if (!first) continue;
          const images: ImageValue[] = [];
          for (const stored of first.row.images) {
            const image: ImageValue = {
              bytes: await readerFor(first.task).imageBytes(stored),
              format: stored.format,
              widthPx: stored.widthPx,
              heightPx: stored.heightPx,
              sha256: stored.sha256,
              phash: stored.phash,
            };
            if (stored.path !== undefined) image.source = stored.path;
            images.push(image);
          }
          ctx.stats.count('images', images.length);
          ctx.stats.count('turns', turns.length);
          ctx.stats.histogram('turns_per_conversation', turns.length, { min: 0, max: 20, bins: 20 });
          yield { kind: 'sft-sample', images, turns };
        }
      } finally {
        for (const reader of readers.values()) await reader.close();
      }
    },
  };
}

export function renderTemplateStage(
  settings: TemplateSettings,
  tokenizerPath: string | undefined,
): Stage<SftSample> {
  return {
    name: 'render-template',
    async *run(samples, ctx) {
      const counter: TokenCounter = tokenizerPath ? loadTokenizerCounter(tokenizerPath) : estimatingCounter;
      // The label is in the key, so an estimate is never mistaken for a count.
      const key = counter.estimated ? 'tokens_estimated' : 'tokens';
      ctx.stats.count(counter.estimated ? 'token_counts_estimated' : 'token_counts_from_tokenizer', 0);
      for await (const sample of samples) {
        const text = renderIdefics2(sample.images.length, sample.turns, settings);
        const tokens = counter.count(text);
        ctx.stats.observe('text_chars', text.length);
        ctx.stats.observe(key, tokens);
        ctx.stats.observe('image_tokens', sample.images.length * settings.imageTokens);
        ctx.stats.histogram(key, tokens, { min: 0, max: 8192, bins: 32 });
        yield { ...sample, text };
      }
    },
  };
}
