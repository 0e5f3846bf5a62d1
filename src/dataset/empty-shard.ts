import { writeFile } from 'node:fs/promises';
import { RecordBatchStreamWriter, type Schema } from 'apache-arrow';

/** A stream file with the schema and no record batch: what an empty dataset's one shard holds. */
export async function writeEmptyStream(path: string, schema: Schema): Promise<void> {
  const writer = new RecordBatchStreamWriter();
  writer.reset(undefined, schema);
  writer.finish();
  await writeFile(path, writer.toUint8Array(true));
}
