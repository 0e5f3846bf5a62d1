// The crawl log `weft crawl` writes: one row per fetch (pages, redirects, failures) with the location of
// its WARC response record, as Common Crawl's index does (filename, offset, length of the gzip member).
import { CrawlLogEntry } from '../../records/crawl-log.js';
import { type Features, f } from '../features.js';
import type { Row } from '../shard-writer.js';
import { type DatasetLayout, optionalNumber, optionalString } from './layout.js';

const COLUMNS: [keyof CrawlLogEntry, string][] = [
  ['url', 'url'],
  ['depth', 'depth'],
  ['fetchedAt', 'fetched_at'],
  ['status', 'status'],
  ['contentType', 'content_type'],
  ['location', 'location'],
  ['payloadBytes', 'payload_bytes'],
  ['payloadDigest', 'payload_digest'],
  ['warcFilename', 'warc_filename'],
  ['warcRecordOffset', 'warc_record_offset'],
  ['warcRecordLength', 'warc_record_length'],
  ['error', 'error'],
  ['detail', 'detail'],
  ['linksQueued', 'links_queued'],
];

export function crawlLogLayout(): DatasetLayout<CrawlLogEntry> {
  const features: Features = {
    url: f.string,
    depth: f.int32,
    fetched_at: f.string,
    status: f.int32,
    content_type: f.string,
    location: f.string,
    payload_bytes: f.int64,
    payload_digest: f.string,
    warc_filename: f.string,
    warc_record_offset: f.int64,
    warc_record_length: f.int64,
    error: f.string,
    detail: f.string,
    links_queued: f.int32,
  };
  return {
    name: 'crawl-log',
    features,
    toRow(entry): Row {
      const row: Row = {};
      for (const [key, column] of COLUMNS) row[column] = entry[key] ?? null;
      return row;
    },
    async fromRow(row) {
      const entry: Record<string, unknown> = { kind: 'crawl-log-entry' };
      for (const [key, column] of COLUMNS) {
        const value = row[column];
        const parsed =
          optionalString(value) ?? optionalNumber(typeof value === 'bigint' ? Number(value) : value);
        if (parsed !== undefined) entry[key] = parsed;
      }
      const result = CrawlLogEntry.safeParse(entry);
      return result.success ? result.data : undefined;
    },
  };
}
