// Phase outputs on disk: named typed-array columns in one file (a JSON header line, then raw bytes),
// and small JSON decision files. Written atomically, read back whole or one column at a time.
import { open, readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../dataset/dataset-files.js';

type Typed = Uint32Array | Int32Array | Float64Array | Uint8Array;
const CTORS = { u32: Uint32Array, i32: Int32Array, f64: Float64Array, u8: Uint8Array } as const;
type Kind = keyof typeof CTORS;

function kindOf(a: Typed): Kind {
  if (a instanceof Uint32Array) return 'u32';
  if (a instanceof Int32Array) return 'i32';
  if (a instanceof Float64Array) return 'f64';
  return 'u8';
}

interface Header {
  columns: { name: string; kind: Kind; offset: number; length: number }[];
  meta: Record<string, unknown>;
}

export async function writeColumns(
  path: string,
  columns: Record<string, Typed>,
  meta: Record<string, unknown> = {},
): Promise<void> {
  const header: Header = { columns: [], meta };
  let offset = 0;
  for (const [name, array] of Object.entries(columns)) {
    // Keep each column 8-byte aligned so it can be viewed in place after reading.
    offset = Math.ceil(offset / 8) * 8;
    header.columns.push({ name, kind: kindOf(array), offset, length: array.length });
    offset += array.byteLength;
  }
  const head = Buffer.from(`${JSON.stringify(header)}\n`);
  const body = new Uint8Array(offset);
  for (const c of header.columns) {
    const array = columns[c.name]!;
    body.set(new Uint8Array(array.buffer, array.byteOffset, array.byteLength), c.offset);
  }
  await writeFileAtomic(path, Buffer.concat([head, body]));
}

export class ColumnsFile {
  private constructor(
    private readonly path: string,
    readonly header: Header,
    private readonly bodyStart: number,
  ) {}

  static async open(path: string): Promise<ColumnsFile> {
    const handle = await open(path, 'r');
    try {
      const chunk = Buffer.alloc(1 << 16);
      let text = '';
      let position = 0;
      for (;;) {
        const { bytesRead } = await handle.read(chunk, 0, chunk.length, position);
        if (bytesRead === 0) throw new Error(`${path}: no header`);
        const part = chunk.subarray(0, bytesRead);
        const nl = part.indexOf(10);
        if (nl >= 0) {
          text += part.subarray(0, nl).toString();
          return new ColumnsFile(path, JSON.parse(text) as Header, position + nl + 1);
        }
        text += part.toString();
        position += bytesRead;
      }
    } finally {
      await handle.close();
    }
  }

  get meta(): Record<string, unknown> {
    return this.header.meta;
  }

  /** Reads one column (or a slice of it, in elements), into `into` when it is big enough. */
  async column(name: string, start = 0, end?: number, into?: Typed): Promise<Typed> {
    const c = this.header.columns.find((x) => x.name === name);
    if (!c) throw new Error(`${this.path}: no column ${name}`);
    const Ctor = CTORS[c.kind];
    const stop = Math.min(end ?? c.length, c.length);
    const n = Math.max(0, stop - start);
    const out = into instanceof Ctor && into.length >= n ? (into.subarray(0, n) as Typed) : new Ctor(n);
    if (n === 0) return out;
    const handle = await open(this.path, 'r');
    try {
      await handle.read(
        new Uint8Array(out.buffer),
        0,
        out.byteLength,
        this.bodyStart + c.offset + start * Ctor.BYTES_PER_ELEMENT,
      );
    } finally {
      await handle.close();
    }
    return out;
  }
}

export async function writeJson(path: string, value: unknown): Promise<void> {
  await writeFileAtomic(path, JSON.stringify(value));
}

export async function readJson<T>(path: string): Promise<T> {
  return JSON.parse(await readFile(path, 'utf8')) as T;
}
