// Joins Arrow IPC stream files that share one schema into one stream file, byte for byte: the first
// file without its end-of-stream marker, then each next file without its schema message. No decoding.
import { open } from 'node:fs/promises';

const EOS_BYTES = 8;

/** Length of the schema message at the start of a stream file (continuation marker + length + body). */
async function schemaMessageLength(path: string): Promise<number> {
  const handle = await open(path, 'r');
  try {
    const header = Buffer.alloc(8);
    await handle.read(header, 0, 8, 0);
    if (header.readInt32LE(0) !== -1)
      throw new Error(`${path}: not an Arrow IPC stream (no continuation marker)`);
    return 8 + header.readInt32LE(4);
  } finally {
    await handle.close();
  }
}

async function copyRange(
  from: string,
  to: Awaited<ReturnType<typeof open>>,
  start: number,
  end: number,
): Promise<number> {
  const source = await open(from, 'r');
  const buffer = Buffer.allocUnsafe(8 * 1024 * 1024);
  let position = start;
  try {
    while (position < end) {
      const { bytesRead } = await source.read(buffer, 0, Math.min(buffer.length, end - position), position);
      if (bytesRead === 0) break;
      await to.write(buffer, 0, bytesRead);
      position += bytesRead;
    }
  } finally {
    await source.close();
  }
  return position - start;
}

export async function concatStreamFiles(
  sources: readonly string[],
  target: string,
  durable = true,
): Promise<number> {
  const out = await open(target, 'w');
  let written = 0;
  try {
    for (const [i, source] of sources.entries()) {
      const size = (await open(source, 'r').then(async (h) => {
        const s = await h.stat();
        await h.close();
        return s.size;
      })) as number;
      const start = i === 0 ? 0 : await schemaMessageLength(source);
      const end = i === sources.length - 1 ? size : size - EOS_BYTES;
      written += await copyRange(source, out, start, end);
    }
    if (durable) await out.sync();
  } finally {
    await out.close();
  }
  return written;
}
