// Source: the records of one WARC (or ARC) file that can hold a web page (response and resource records),
// with every broken record counted under its reason and every record read counted by type.
import { basename } from 'node:path';
import type { Source } from '../pipeline/stage.js';
import { decodedChunks } from './warc/decoded-chunks.js';
import { parseWarc, type WarcRecord } from './warc/warc-parser.js';

export interface ReadWarcOptions {
  /** Path of the WARC file. */
  path: string;
  /** Records whose block is larger are skipped as `record_too_large`. */
  maxRecordBytes?: number;
}

const PAGE_TYPES = new Set(['response', 'resource']);

/** A WARC record that may hold a page, with the name of the file it came from. */
export interface PageRecord extends WarcRecord {
  filename: string;
}

export function readWarc(options: ReadWarcOptions): Source<PageRecord> {
  const filename = basename(options.path);
  return {
    name: 'read-warc',
    async *read(ctx) {
      const events = parseWarc(decodedChunks(options.path), {
        ...(options.maxRecordBytes !== undefined ? { maxRecordBytes: options.maxRecordBytes } : {}),
      });
      for await (const event of events) {
        if (event.kind === 'problem') {
          ctx.stats.drop(event.reason);
          ctx.log.debug('broken record', { file: filename, reason: event.reason, offset: event.offset });
          continue;
        }
        const record = event.record;
        ctx.stats.count('records_read');
        ctx.stats.count(`records.${record.type || 'untyped'}`);
        ctx.stats.count('block_bytes', record.block.length);
        if (PAGE_TYPES.has(record.type)) yield { ...record, filename };
      }
    },
  };
}
