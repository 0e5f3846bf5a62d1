// The two corpus-wide phases of `weft images`. `image-urls`: every task lists its records' image URLs
// into one file per partition (by host); the reduce de-duplicates each partition. `download`: task i
// fetches partition i (so each URL once per run, each host from one task, per-host limits run-wide),
// processes the images and writes a store; the reduce writes failures.jsonl next to the dataset.
import { existsSync } from 'node:fs';
import { appendFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { classifyError } from '../fetch/fetch-error.js';
import { PoliteFetcher } from '../fetch/polite-fetcher.js';
import { mapConcurrent } from '../pipeline/map-concurrent.js';
import { StageStats } from '../pipeline/stats.js';
import type { JobPhase } from '../run/job.js';
import { ImageStoreWriter, partitionFileName, partitionOf, readStoreIndex } from './image-store.js';
import { imagesInputSource, loadUrlFilter, urlsOf } from './images-input.js';
import type { ImagesOptions } from './images-options.js';
import { processImage } from './process-image.js';
import { runPipelineSource } from './run-source.js';

export const FAILURES_FILE = 'failures.jsonl';

/** Interleaves URLs host by host, so a slow or rate-limited host does not hold every fetch slot. */
function interleaveByHost(urls: Iterable<string>): string[] {
  const byHost = new Map<string, string[]>();
  for (const url of urls) {
    let host = '';
    try {
      host = new URL(url).host;
    } catch {}
    let list = byHost.get(host);
    if (!list) {
      list = [];
      byHost.set(host, list);
    }
    list.push(url);
  }
  const lists = [...byHost.values()];
  const out: string[] = [];
  for (let i = 0; out.length < lists.reduce((n, l) => n + l.length, 0); i++) {
    for (const list of lists) if (i < list.length) out.push(list[i]!);
  }
  return out;
}

export const imageUrlsPhase: JobPhase<ImagesOptions> = {
  name: 'image-urls',
  async runTask(options, task, ctx) {
    const filter = await loadUrlFilter(options);
    const source = await imagesInputSource(options, task);
    const buckets = new Map<number, Set<string>>();
    const stats = await runPipelineSource(source, ctx, 'list-image-urls', (record, s) => {
      for (const url of urlsOf(record)) {
        s.count('image_urls');
        if (filter && !filter.has(url)) continue;
        const partition = partitionOf(url, ctx.task.count);
        let bucket = buckets.get(partition);
        if (!bucket) {
          bucket = new Set();
          buckets.set(partition, bucket);
        }
        bucket.add(url);
      }
    });
    for (const [partition, urls] of buckets) {
      await writeFile(join(ctx.outDir, partitionFileName(partition)), `${[...urls].join('\n')}\n`);
    }
    return stats;
  },
  async reduce(_options, ctx) {
    for (let partition = 0; partition < ctx.taskDirs.length; partition++) {
      const urls = new Set<string>();
      for (const dir of ctx.taskDirs) {
        const file = join(dir, partitionFileName(partition));
        if (!existsSync(file)) continue;
        for (const url of (await readFile(file, 'utf8')).split('\n')) if (url) urls.add(url);
      }
      await writeFile(join(ctx.outDir, partitionFileName(partition)), interleaveByHost(urls).join('\n'));
    }
  },
};

function semaphore(limit: number): <T>(work: () => Promise<T>) => Promise<T> {
  let active = 0;
  const waiting: (() => void)[] = [];
  return async (work) => {
    if (active >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    active += 1;
    try {
      return await work();
    } finally {
      active -= 1;
      waiting.shift()?.();
    }
  };
}

export const downloadPhase: JobPhase<ImagesOptions> = {
  name: 'download',
  async runTask(options, _task, ctx) {
    const file = join(ctx.phaseDir('image-urls'), partitionFileName(ctx.task.index));
    const urls = existsSync(file) ? (await readFile(file, 'utf8')).split('\n').filter(Boolean) : [];
    const stats = new StageStats('download');
    const fetcher = new PoliteFetcher(options.fetch);
    const store = new ImageStoreWriter(ctx.outDir);
    const decode = semaphore(options.decodeConcurrency);
    const started = performance.now();
    const work = async (url: string) => {
      const t0 = performance.now();
      try {
        const response = await fetcher.fetch(url, {
          maxBytes: options.maxImageBytes,
          accept: 'image/avif,image/webp,image/png,image/jpeg,image/*;q=0.8,*/*;q=0.5',
          acceptEncoding: 'identity',
          optOutDirectives: options.optOutDirectives,
        });
        stats.count('bytes_downloaded', response.wireBytes);
        stats.observe('fetch_ms', performance.now() - t0);
        const processed = await decode(() => processImage(response.body, options.image));
        return { url, processed };
      } catch (error) {
        const failure = classifyError(error);
        return { url, failure };
      }
    };
    try {
      for await (const result of mapConcurrent(urls, work, {
        concurrency: options.fetch.concurrency,
        ordered: false,
      })) {
        stats.in += 1;
        if (result.failure) {
          stats.drop(result.failure.reason);
          await store.addFailure(
            result.url,
            result.failure.reason,
            result.failure.message,
            result.failure.status,
          );
        } else if (!result.processed.ok) {
          stats.drop(result.processed.reason);
          await store.addFailure(result.url, result.processed.reason, result.processed.detail);
        } else {
          const { image, kept } = result.processed;
          stats.out += 1;
          stats.count(kept ? 'kept_original' : 'reencoded');
          stats.count('bytes_stored', image.bytes.byteLength);
          await store.addImage(result.url, image);
        }
      }
    } finally {
      await store.close();
      await fetcher.close();
    }
    stats.timeMs = performance.now() - started;
    stats.count('requests', fetcher.counters.requests);
    stats.count('retries', fetcher.counters.retries);
    stats.count('host_pauses', fetcher.counters.pauses);
    stats.count('robots_txt_fetched', fetcher.robots.fetched);
    stats.count('dns_lookups', fetcher.client.dns.lookups);
    return [stats.toJSON()];
  },
  async reduce(_options, ctx) {
    const failures = join(ctx.filesDir, FAILURES_FILE);
    await writeFile(failures, '');
    for (const dir of ctx.taskDirs) {
      const lines = (await readStoreIndex(dir)).flatMap((e) =>
        e.ok
          ? []
          : [`${JSON.stringify({ url: e.url, reason: e.reason, detail: e.detail, status: e.status })}\n`],
      );
      if (lines.length > 0) await appendFile(failures, lines.join(''));
    }
    await writeFile(join(ctx.outDir, 'stores.json'), JSON.stringify(ctx.taskDirs));
  },
};
