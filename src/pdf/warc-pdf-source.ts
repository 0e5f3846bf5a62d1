// PDFs out of WARC files, with the crawl code's WARC reader (plain, gzip, lz4, ARC; broken records
// counted under its reasons): every response or resource record whose payload is a PDF (by its %PDF-
// signature, whatever the Content-Type says) becomes a PdfInput named by its target URL.
import { readWarc } from '../crawl/read-warc.js';
import { parseHttpResponse, splitHead } from '../crawl/warc/http-response.js';
import type { Source } from '../pipeline/stage.js';
import type { PdfInput } from './pdf-inputs.js';

const hasPdfSignature = (bytes: Uint8Array, within = 1024) =>
  Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.length, within))
    .toString('latin1')
    .includes('%PDF-');

/**
 * Whether an HTTP response may carry a PDF, from its head alone: most responses are HTML or images
 * and never need their body decoded. Servers send PDFs as application/pdf, but also as octet-stream,
 * "download" types or with no Content-Type at all.
 */
function mayBePdf(block: Buffer, targetUri: string | undefined): boolean {
  if (hasPdfSignature(block, 16 * 1024) || /\.pdf\b/i.test(targetUri ?? '')) return true;
  const head = splitHead(block)?.head ?? '';
  const type = /^content-type:[ \t]*([^\r\n;]*)/im.exec(head)?.[1]?.trim().toLowerCase() ?? '';
  return type === '' || /pdf|octet-stream|download|binary|unknown/.test(type);
}

/** PDF responses from WARC files (one task per file keeps the scan sequential and resumable). */
export function warcPdfSource(paths: readonly string[], options: { maxFileBytes: number }): Source<PdfInput> {
  // HTTP headers come on top of the payload; larger records are counted as record_too_large.
  const maxRecordBytes = options.maxFileBytes + 64 * 1024;
  return {
    name: 'read-pdfs',
    async *read(ctx) {
      for (const path of paths) {
        ctx.stats.count('warc_files');
        for await (const record of readWarc({ path, maxRecordBytes }).read(ctx)) {
          let body: Buffer = record.block;
          let declaredPdf = false;
          if (record.type === 'response' && /application\/http/i.test(record.headers['content-type'] ?? '')) {
            if (!mayBePdf(record.block, record.targetUri)) continue;
            const http = parseHttpResponse(record.block, { maxBodyBytes: options.maxFileBytes });
            if (!http.ok) {
              ctx.stats.drop(http.reason === 'content_too_large' ? 'file_too_large' : http.reason);
              continue;
            }
            body = http.response.body;
            declaredPdf = /pdf/i.test(http.response.headers['content-type'] ?? '');
          }
          if (!hasPdfSignature(body)) {
            if (declaredPdf) ctx.stats.drop('not_a_pdf_payload');
            continue;
          }
          if (record.headers['warc-truncated']) {
            // Common Crawl cuts records at 1 MiB: such a PDF lacks its end (and its cross-reference table).
            ctx.stats.drop('truncated_record');
            continue;
          }
          if (body.length > options.maxFileBytes) {
            ctx.stats.drop('file_too_large');
            continue;
          }
          ctx.stats.count('files');
          yield { source: record.targetUri ?? `${path}#${record.offset}`, bytes: new Uint8Array(body) };
        }
      }
    },
  };
}
