// PDFs from a URL list (the same .txt/.csv/.tsv/.jsonl lists `weft images` reads), fetched with the
// shared polite fetcher: robots.txt, X-Robots-Tag opt-outs, private addresses refused, per-host limits,
// retries with backoff, and bodies capped at the file size limit. Each failure is its fetch reason.
import { classifyError } from '../fetch/fetch-error.js';
import type { FetchOptions } from '../fetch/fetch-options.js';
import { PoliteFetcher } from '../fetch/polite-fetcher.js';
import { readUrlList, type UrlListFormat, type UrlListRange } from '../images/url-list.js';
import { mapConcurrent } from '../pipeline/map-concurrent.js';
import type { Source } from '../pipeline/stage.js';
import type { PdfInput } from './pdf-inputs.js';

export interface UrlListSlice {
  path: string;
  format: UrlListFormat;
  range: UrlListRange;
}

export interface UrlPdfOptions {
  fetch: FetchOptions;
  maxFileBytes: number;
  optOutDirectives: readonly string[];
  /** Column / field with the URL (csv, tsv, jsonl). */
  urlField: string;
  /** Documents fetched ahead of the one being rendered. */
  prefetch: number;
}

const looksLikePdf = (body: Uint8Array) =>
  Buffer.from(body.subarray(0, 1024)).toString('latin1').includes('%PDF-');

export function urlPdfSource(slice: UrlListSlice, options: UrlPdfOptions): Source<PdfInput> {
  return {
    name: 'read-pdfs',
    async *read(ctx) {
      const fetcher = new PoliteFetcher(options.fetch, ctx.signal);
      const entries = readUrlList(
        slice.path,
        slice.format,
        slice.range,
        { urlField: options.urlField, captionField: 'caption' },
        (reason) => ctx.stats.drop(reason),
      );
      const fetchOne = async ({ url }: { url: string }) => {
        const started = performance.now();
        try {
          const response = await fetcher.fetch(url, {
            maxBytes: options.maxFileBytes,
            accept: 'application/pdf,*/*;q=0.5',
            optOutDirectives: options.optOutDirectives,
          });
          ctx.stats.observe('fetch_ms', performance.now() - started);
          return { url, body: response.body, wireBytes: response.wireBytes };
        } catch (error) {
          return { url, failure: classifyError(error) };
        }
      };
      try {
        // Ordered, so a task's rows come out in list order whatever the network does.
        const concurrency = Math.max(1, Math.min(options.prefetch, options.fetch.concurrency));
        for await (const result of mapConcurrent(entries, fetchOne, { concurrency, ordered: true })) {
          ctx.stats.count('urls');
          if (result.failure) {
            ctx.stats.drop(result.failure.reason);
            ctx.log.debug(`${result.url}: ${result.failure.reason}: ${result.failure.message}`);
            continue;
          }
          if (!looksLikePdf(result.body)) {
            ctx.stats.drop('not_a_pdf');
            continue;
          }
          ctx.stats.count('files');
          ctx.stats.count('bytes_downloaded', result.wireBytes);
          yield { source: result.url, bytes: new Uint8Array(result.body) };
        }
      } finally {
        ctx.stats.count('fetch_requests', fetcher.counters.requests);
        ctx.stats.count('fetch_retries', fetcher.counters.retries);
        await fetcher.close();
      }
    },
  };
}
