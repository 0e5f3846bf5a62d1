import { writeFile } from 'node:fs/promises';
import type { Schema } from 'apache-arrow';
import { END_OF_STREAM } from './arrow-encode.js';
import { schemaMessage } from './shard-writer.js';

/** A stream file with the schema and no record batch: what an empty dataset's one shard holds. */
export async function writeEmptyStream(path: string, schema: Schema): Promise<void> {
  await writeFile(path, Buffer.concat([...schemaMessage(schema), END_OF_STREAM]));
}
