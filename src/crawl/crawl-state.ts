// A crawl task's persistent state, in the task's stateDir (which outlives failed attempts): an
// append-only event log (URLs queued, fetches done with their log entries, WARC end positions) and the
// WARC files themselves. A killed crawl re-reads the log, trims each WARC file to its last complete
// record, and carries on with the URLs that were queued but not done.
import { existsSync } from 'node:fs';
import { appendFile, mkdir, readdir, readFile, rm, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import type { CrawlLogEntry } from '../records/crawl-log.js';

type CrawlEvent =
  | { e: 'queued'; url: string; depth: number }
  | { e: 'done'; entry: CrawlLogEntry }
  | { e: 'warc'; file: string; end: number };

export interface FrontierItem {
  url: string;
  depth: number;
}

export class CrawlState {
  readonly queued = new Map<string, number>();
  readonly done = new Map<string, CrawlLogEntry>();
  /**
   * Complete length of each WARC file: the largest end logged. Writes are serialised, so when a write
   * reports end E every record before E is complete; events of concurrent fetches may log ends out of order.
   */
  readonly warcEnds = new Map<string, number>();
  private chain: Promise<void> = Promise.resolve();

  private constructor(readonly dir: string) {}

  get logFile(): string {
    return join(this.dir, 'crawl-log.jsonl');
  }

  get warcDir(): string {
    return join(this.dir, 'warc');
  }

  static async load(dir: string): Promise<CrawlState> {
    const state = new CrawlState(dir);
    await mkdir(state.warcDir, { recursive: true });
    if (existsSync(state.logFile)) {
      const lines = (await readFile(state.logFile, 'utf8')).split('\n');
      for (const line of lines) {
        if (!line) continue;
        let event: CrawlEvent;
        try {
          event = JSON.parse(line) as CrawlEvent;
        } catch {
          continue; // The last line of a killed run may be cut short.
        }
        if (event.e === 'queued') state.queued.set(event.url, event.depth);
        else if (event.e === 'done') state.done.set(event.entry.url, event.entry);
        else state.warcEnds.set(event.file, Math.max(event.end, state.warcEnds.get(event.file) ?? 0));
      }
    }
    // Trim what a killed writer left after the last logged record; a file never logged goes.
    for (const name of await readdir(state.warcDir)) {
      const end = state.warcEnds.get(name);
      if (end === undefined) await rm(join(state.warcDir, name), { force: true });
      else await truncate(join(state.warcDir, name), end);
    }
    return state;
  }

  /** URLs queued and not yet done, shallowest first (breadth-first). */
  pending(): FrontierItem[] {
    return [...this.queued]
      .filter(([url]) => !this.done.has(url))
      .map(([url, depth]) => ({ url, depth }))
      .sort((a, b) => a.depth - b.depth);
  }

  /** Appends events in order; each resolves once written. */
  record(...events: CrawlEvent[]): Promise<void> {
    for (const event of events) {
      if (event.e === 'queued') this.queued.set(event.url, event.depth);
      else if (event.e === 'done') this.done.set(event.entry.url, event.entry);
      else this.warcEnds.set(event.file, Math.max(event.end, this.warcEnds.get(event.file) ?? 0));
    }
    const text = events.map((e) => `${JSON.stringify(e)}\n`).join('');
    this.chain = this.chain.then(() => appendFile(this.logFile, text));
    return this.chain;
  }

  /** Runs `work` after everything recorded so far, and before anything recorded later is written. */
  exclusive<T>(work: () => Promise<T>): Promise<T> {
    const result = this.chain.then(work);
    this.chain = result.then(
      () => {},
      () => {},
    );
    return result;
  }
}
