// `weft crawl`: fetches seed URLs (and, optionally, links within the seed hosts up to a depth and a
// per-host budget) politely, archives every response in WARC/1.1 files, and writes a crawl log dataset
// whose rows point at the WARC records. Seed hosts are spread over tasks by hash, one task per host;
// each task's frontier and WARC files persist in its state folder, so a killed crawl resumes.
import { existsSync } from 'node:fs';
import { link, mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { crawlLogLayout } from '../dataset/layouts/crawl-log.js';
import { WeftError } from '../errors.js';
import { classifyError } from '../fetch/fetch-error.js';
import { headerValue } from '../fetch/http-client.js';
import { PoliteFetcher } from '../fetch/polite-fetcher.js';
import { partitionOf } from '../images/image-store.js';
import type { Source, StageContext } from '../pipeline/stage.js';
import type { CrawlLogEntry } from '../records/crawl-log.js';
import { defineJob } from '../run/job.js';
import { WEFT_VERSION } from '../version.js';
import { CrawlOptions } from './crawl-options.js';
import { CrawlState, type FrontierItem } from './crawl-state.js';
import { requestBlock, responseBlock } from './http-records.js';
import { extractLinks } from './page-links.js';
import { newRecordId, WarcWriter } from './warc-writer.js';

interface CrawlTaskInput {
  seeds: string[];
}

async function readSeeds(path: string): Promise<string[]> {
  const text = await readFile(path, 'utf8').catch((error: Error) => {
    throw new WeftError('E_INPUT', `cannot read seeds file ${path}: ${error.message}`, { data: { path } });
  });
  const seeds = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  return [...new Set(seeds)];
}

function hostOf(url: string): string {
  try {
    return new URL(url).host.toLowerCase();
  } catch {
    return '';
  }
}

const isHtml = (type: string | undefined) => /^(text\/html|application\/xhtml\+xml)/i.test(type ?? '');

function crawlSource(
  options: CrawlOptions,
  input: CrawlTaskInput,
  stateDir: string,
  filesDir: string,
  taskId: string,
): Source<CrawlLogEntry> {
  return {
    name: 'crawl',
    async *read(ctx: StageContext) {
      const state = await CrawlState.load(stateDir);
      const hosts = new Set(input.seeds.map(hostOf));
      if (state.queued.size === 0) {
        await state.record(...input.seeds.map((url) => ({ e: 'queued' as const, url, depth: 0 })));
      } else {
        ctx.log.info(`resuming crawl: ${state.done.size} fetched, ${state.pending().length} queued`);
        ctx.stats.count('resumed_entries', state.done.size);
      }
      for (const entry of state.done.values()) yield entry;

      const queuedPerHost = new Map<string, number>();
      for (const url of state.queued.keys())
        queuedPerHost.set(hostOf(url), (queuedPerHost.get(hostOf(url)) ?? 0) + 1);
      const enqueue = (url: string, depth: number, events: { e: 'queued'; url: string; depth: number }[]) => {
        const host = hostOf(url);
        if (!hosts.has(host) || state.queued.has(url) || depth > options.maxDepth) return false;
        if ((queuedPerHost.get(host) ?? 0) >= options.maxPagesPerHost) {
          ctx.stats.count('links_over_budget');
          return false;
        }
        queuedPerHost.set(host, (queuedPerHost.get(host) ?? 0) + 1);
        events.push({ e: 'queued', url, depth });
        state.queued.set(url, depth);
        return true;
      };

      // A new WARC file for this attempt (the earlier ones were trimmed to their last complete record).
      let sequence = state.warcEnds.size;
      let writer: WarcWriter | undefined;
      let warcName = '';
      const warcinfoId = newRecordId();
      const openWarc = async () => {
        await writer?.close();
        sequence += 1;
        warcName = `crawl-${taskId}-${String(sequence).padStart(5, '0')}.warc.gz`;
        writer = await WarcWriter.open(join(state.warcDir, warcName));
        const fields = [
          `software: weft/${WEFT_VERSION}`,
          'format: WARC File Format 1.1',
          'conformsTo: https://iso.org/standard/68004.html',
          `robots: ${options.fetch.respectRobotsTxt ? 'obey' : 'ignore'}`,
          `http-header-user-agent: ${options.fetch.userAgent}`,
        ];
        await writer.write({
          type: 'warcinfo',
          recordId: warcinfoId,
          date: new Date(),
          contentType: 'application/warc-fields',
          block: Buffer.from(`${fields.join('\r\n')}\r\n`),
          headers: { 'WARC-Filename': warcName },
        });
        await state.record({ e: 'warc', file: warcName, end: writer.size });
      };
      await openWarc();

      const fetcher = new PoliteFetcher(options.fetch, ctx.signal);
      const crawlOne = async (item: FrontierItem): Promise<CrawlLogEntry> => {
        const base: CrawlLogEntry = {
          kind: 'crawl-log-entry',
          url: item.url,
          depth: item.depth,
          fetchedAt: '',
        };
        const events: { e: 'queued'; url: string; depth: number }[] = [];
        let entry: CrawlLogEntry;
        try {
          const response = await fetcher.fetch(item.url, {
            maxBytes: options.maxPageBytes,
            accept: 'text/html,application/xhtml+xml,*/*;q=0.8',
            acceptEncoding: 'gzip, deflate, br',
            optOutDirectives: options.optOutDirectives,
            followRedirects: false,
          });
          const date = new Date();
          const contentType = headerValue(response.headers, 'content-type');
          const written = await state.exclusive(async () => {
            if (writer!.size > options.maxWarcBytes) await openWarc();
            const responseId = newRecordId();
            const common = { 'WARC-Warcinfo-ID': warcinfoId };
            await writer!.write({
              type: 'request',
              targetUri: response.url,
              date,
              contentType: 'application/http;msgtype=request',
              block: requestBlock(response.url, response.requestHeaders),
              payload: Buffer.alloc(0),
              headers: { ...common, 'WARC-Concurrent-To': responseId },
            });
            const record = await writer!.write({
              type: 'response',
              recordId: responseId,
              targetUri: response.url,
              date,
              contentType: 'application/http;msgtype=response',
              block: responseBlock(response),
              payload: response.body,
              headers: common,
            });
            return { record, file: warcName, end: writer!.size };
          });
          entry = {
            ...base,
            fetchedAt: date.toISOString(),
            status: response.status,
            payloadBytes: response.body.byteLength,
            payloadDigest: written.record.payloadDigest!,
            warcFilename: `warc/${written.file}`,
            warcRecordOffset: written.record.offset,
            warcRecordLength: written.record.length,
          };
          if (contentType) entry.contentType = contentType;
          const location = headerValue(response.headers, 'location');
          if (response.status >= 300 && response.status < 400 && location) {
            try {
              entry.location = new URL(location, response.url).href;
              enqueue(entry.location, item.depth, events);
            } catch {
              entry.detail = `bad Location ${JSON.stringify(location)}`;
            }
          }
          if (response.status < 300 && isHtml(contentType) && item.depth < options.maxDepth) {
            let queued = 0;
            for (const url of extractLinks(response.body.toString('utf8'), response.url))
              if (enqueue(url, item.depth + 1, events)) queued += 1;
            entry.linksQueued = queued;
          }
          ctx.stats.count('bytes_archived', response.body.byteLength);
          await state.record({ e: 'warc', file: written.file, end: written.end }, ...events, {
            e: 'done',
            entry,
          });
          frontier.push(...events.map((e) => ({ url: e.url, depth: e.depth })));
        } catch (error) {
          const failure = classifyError(error);
          entry = {
            ...base,
            fetchedAt: new Date().toISOString(),
            error: failure.reason,
            detail: failure.message,
          };
          if (failure.status) entry.status = failure.status;
          await state.record({ e: 'done', entry });
        }
        return entry;
      };

      const frontier = state.pending();
      const results: CrawlLogEntry[] = [];
      let active = 0;
      let failed: unknown;
      let wake: (() => void) | undefined;
      const pump = () => {
        while (active < options.fetch.concurrency && frontier.length > 0 && !failed && !ctx.signal.aborted) {
          const item = frontier.shift()!;
          active += 1;
          crawlOne(item)
            .then(
              (entry) => results.push(entry),
              (error) => (failed ??= error),
            )
            .finally(() => {
              active -= 1;
              pump();
              wake?.();
            });
        }
      };
      try {
        pump();
        while (active > 0 || results.length > 0) {
          const next = results.shift();
          if (next) {
            // Failures stay in the log (a row with its reason), so they are counted, not dropped.
            if (next.error) ctx.stats.count(`failed.${next.error}`);
            else ctx.stats.count(`status_${Math.floor((next.status ?? 0) / 100)}xx`);
            yield next;
            continue;
          }
          await new Promise<void>((resolve) => {
            wake = resolve;
          });
          wake = undefined;
        }
        if (failed) throw failed;
        await state.exclusive(async () => {});
        await writer?.close();
        writer = undefined;
        // Publish the WARC files (hard links: the state folder keeps them until the dataset is committed).
        await mkdir(join(filesDir, 'warc'), { recursive: true });
        for (const name of state.warcEnds.keys()) {
          const target = join(filesDir, 'warc', name);
          if (!existsSync(target)) await link(join(state.warcDir, name), target);
        }
        ctx.stats.count('robots_txt_fetched', fetcher.robots.fetched);
        ctx.stats.count('requests', fetcher.counters.requests);
        ctx.stats.count('retries', fetcher.counters.retries);
      } finally {
        await writer?.close();
        await fetcher.close();
      }
    },
  };
}

export const crawlJob = defineJob({
  name: 'crawl',
  description: 'Polite crawl into WARC/1.1 files with a crawl log (weft crawl)',
  options: CrawlOptions,
  async planTasks(options) {
    const seeds = await readSeeds(options.seeds);
    const hosts = [...new Set(seeds.map(hostOf))].sort();
    const count = Math.max(1, Math.min(options.maxTasks, hosts.length));
    const groups: string[][] = Array.from({ length: count }, () => []);
    for (const seed of seeds) groups[partitionOf(seed, count)]!.push(seed);
    return groups
      .map((group, i) => ({
        label: `crawl ${i} (${group.length} seeds)`,
        input: { seeds: group } satisfies CrawlTaskInput,
      }))
      .filter((t) => t.input.seeds.length > 0);
  },
  layout: () => crawlLogLayout(),
  buildPipeline(options, task, ctx) {
    return {
      source: crawlSource(options, task.input as CrawlTaskInput, ctx.stateDir, ctx.filesDir, ctx.task.id),
      stages: [],
    };
  },
});
