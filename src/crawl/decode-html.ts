// Stage: WARC page records → HTML pages as Unicode text. Undoes the HTTP layer (chunking, compression),
// keeps 2xx HTML responses, and decodes the charset. Everything else is a counted drop.
import type { Stage } from '../pipeline/stage.js';
import type { WarcPointer } from '../records/web-document.js';
import type { PageRecord } from './read-warc.js';
import { type CharsetSource, decodeHtmlBytes } from './warc/charset.js';
import { parseHttpResponse } from './warc/http-response.js';

export interface HtmlPage {
  url: string;
  html: string;
  charset: string;
  charsetSource: CharsetSource;
  warc: WarcPointer;
  /** `uncompressed` when the pointer is into the decoded stream (whole-file gzip). */
  offsetKind: 'file' | 'uncompressed';
  crawlDate?: string;
  /** The archive or the body says the page was cut short. */
  truncated: boolean;
}

export interface DecodeHtmlOptions {
  /** Cap on the decoded body (after content-encoding); larger pages are `content_too_large`. */
  maxBodyBytes: number;
}

const HTML_TYPES = /^(text\/html|application\/xhtml\+xml|application\/xml|text\/xml)\b/i;

function mimeOf(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]!.trim().toLowerCase();
}

function sniffHtml(body: Buffer): boolean {
  const head = body.toString('latin1', 0, Math.min(body.length, 1024)).trimStart().toLowerCase();
  return /^(\ufeff|ï»¿)?\s*<(!doctype html|html|head|body|meta|title|!--|div|p\b)/.test(head);
}

export function decodeHtml(options: DecodeHtmlOptions): Stage<PageRecord, HtmlPage> {
  return {
    name: 'decode-html',
    async *run(records, ctx) {
      for await (const record of records) {
        const url = record.targetUri;
        if (!url) {
          ctx.stats.drop('missing_target_uri');
          continue;
        }
        if (!/^https?:\/\//i.test(url)) {
          ctx.stats.drop('not_http_url');
          continue;
        }
        let body: Buffer;
        let contentType: string | undefined;
        const warcType = record.headers['content-type'] ?? '';
        const isHttp =
          record.type === 'response' &&
          (record.format === 'arc' ||
            /application\/http/i.test(warcType) ||
            record.block.subarray(0, 5).toString('latin1') === 'HTTP/');
        if (isHttp) {
          const parsed = parseHttpResponse(record.block, { maxBodyBytes: options.maxBodyBytes });
          if (!parsed.ok) {
            ctx.stats.drop(parsed.reason);
            continue;
          }
          const { status, headers, notes } = parsed.response;
          for (const note of notes) ctx.stats.count(note);
          if (status < 200 || status >= 300) {
            ctx.stats.drop(`http_status_${Math.floor(status / 100)}xx`);
            continue;
          }
          body = parsed.response.body;
          contentType = headers['content-type'];
        } else if (record.type === 'resource') {
          body = record.block;
          contentType = warcType;
        } else {
          ctx.stats.drop('not_http_response');
          continue;
        }
        if (body.length === 0) {
          ctx.stats.drop('empty_body');
          continue;
        }
        const mime = mimeOf(contentType) || mimeOf(record.headers['warc-identified-payload-type']);
        const isHtml = mime
          ? HTML_TYPES.test(mime) && (mime.includes('html') || sniffHtml(body))
          : sniffHtml(body);
        if (!isHtml) {
          ctx.stats.drop('not_html');
          continue;
        }
        const decoded = decodeHtmlBytes(body, {
          contentType,
          archiveCharset: record.headers['warc-identified-content-charset'],
        });
        ctx.stats.count(`charset.${decoded.charset}`);
        ctx.stats.count(`charset_from.${decoded.source}`);
        const truncated = record.headers['warc-truncated'] !== undefined;
        if (truncated) ctx.stats.count('archive_truncated');
        const page: HtmlPage = {
          url,
          html: decoded.text,
          charset: decoded.charset,
          charsetSource: decoded.source,
          warc: { filename: record.filename, offset: record.offset, length: record.length },
          offsetKind: record.offsetKind,
          truncated,
        };
        if (record.date) page.crawlDate = record.date;
        yield page;
      }
    },
  };
}
