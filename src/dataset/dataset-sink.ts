// The sink every job ends with: records → rows (through the layout) → Arrow part files of one task.
import type { Sink } from '../pipeline/stage.js';
import { WEFT_VERSION } from '../version.js';
import type { DatasetLayout } from './layouts/layout.js';
import { type ShardPart, ShardWriter, type ShardWriterOptions } from './shard-writer.js';

export function weftSchemaMetadata(layoutName: string): Record<string, string> {
  return { weft: JSON.stringify({ layout: layoutName, version: WEFT_VERSION }) };
}

export function datasetSink<R>(
  layout: DatasetLayout<R>,
  dir: string,
  options: Omit<ShardWriterOptions, 'metadata'> = {},
): Sink<R, ShardPart[]> {
  return {
    name: 'write-dataset',
    async write(records, ctx) {
      const writer = new ShardWriter(dir, layout.features, {
        ...options,
        metadata: weftSchemaMetadata(layout.name),
      });
      try {
        for await (const record of records) await writer.append(layout.toRow(record));
        const parts = await writer.close();
        ctx.stats.count(
          'bytes',
          parts.reduce((n, p) => n + p.bytes, 0),
        );
        ctx.stats.count('parts', parts.length);
        return parts;
      } catch (error) {
        await writer.abort();
        throw error;
      }
    },
  };
}
