// `--rejected DIR`: what the filters removed, with the filter and the reason, one JSON line per removed
// document or node in DIR/<task>.jsonl, so a user can audit a preset before trusting it. Image bytes are
// left out (the URL identifies the image). A task's file appears complete or not at all.
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { rename } from 'node:fs/promises';
import { dirname } from 'node:path';
import { WeftError } from '../errors.js';
import type { Stage, StageContext } from '../pipeline/stage.js';
import type { AnyRecord } from '../records/index.js';

/** A StageContext that node filters may report removed nodes to. */
export interface RejectingContext extends StageContext {
  rejects?: RejectLog;
}

function summary(record: AnyRecord): Record<string, unknown> {
  switch (record.kind) {
    case 'web-document':
      return {
        url: record.url,
        texts: record.blocks.flatMap((b) => (b.kind === 'text' ? [b.text] : [])),
        images: record.blocks.flatMap((b) => (b.kind === 'image' ? [b.src] : [])),
      };
    case 'image-text-pair':
      return { url: record.url, caption: record.caption };
    case 'pdf-page':
      return { source: record.source, page: record.page };
    default:
      return { kind: record.kind };
  }
}

export class RejectLog {
  private readonly tmp: string;
  private stream: WriteStream | undefined;
  private error: Error | undefined;
  count = 0;

  constructor(private readonly file: string) {
    this.tmp = `${file}.tmp-${process.pid}`;
    mkdirSync(dirname(file), { recursive: true });
  }

  private open(): WriteStream {
    if (!this.stream) {
      this.stream = createWriteStream(this.tmp);
      this.stream.on('error', (error) => {
        this.error ??= error;
      });
    }
    return this.stream;
  }

  private write(line: Record<string, unknown>): void {
    this.open().write(`${JSON.stringify(line)}\n`);
    this.count += 1;
  }

  document(stage: string, reason: string, record: AnyRecord): void {
    this.write({ stage, reason, level: 'document', ...summary(record) });
  }

  node(
    stage: string,
    reason: string,
    url: string,
    level: string,
    content: { text?: string; src?: string },
  ): void {
    this.write({ stage, reason, level, url, ...content });
  }

  async close(): Promise<void> {
    const stream = this.open();
    await new Promise<void>((resolve) => stream.end(() => resolve()));
    if (this.error) {
      throw new WeftError('E_OUTPUT', `cannot write ${this.file}: ${this.error.message}`, {
        data: { path: this.file },
        cause: this.error,
      });
    }
    await rename(this.tmp, this.file);
  }
}

/** Wraps a filter stage so that the documents it drops, and the nodes it removes, go to `log`. */
export function withRejects<R extends AnyRecord>(stage: Stage<R>, log: RejectLog): Stage<R> {
  return {
    name: stage.name,
    run(records, ctx) {
      let current: R | undefined;
      async function* tracked() {
        for await (const record of records) {
          current = record;
          yield record;
        }
      }
      const stats = Object.create(ctx.stats) as typeof ctx.stats;
      stats.drop = (reason: string, n = 1) => {
        // A document emptied by a node filter was reported node by node already.
        if (current && reason !== 'no_content_left') log.document(stage.name, reason, current);
        ctx.stats.drop(reason, n);
      };
      const rejecting: RejectingContext = { ...ctx, stats, rejects: log };
      return stage.run(tracked(), rejecting);
    },
  };
}

/** The last stage of a task with --rejected: closes the task's file once every record has passed. */
export function closeRejects<R>(log: RejectLog): Stage<R> {
  return {
    name: 'rejected',
    async *run(records, ctx) {
      yield* records;
      await log.close();
      ctx.stats.count('rejected_lines', log.count);
    },
  };
}
