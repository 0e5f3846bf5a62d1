// What a row says about its images, before anything is read: a path, a URL, or inline bytes (a data:
// URI, base64, or a `datasets` Image cell). Turning a reference into bytes is image-resolver.ts's job.

export type ImageRef =
  | { kind: 'path'; path: string }
  | { kind: 'url'; url: string }
  | { kind: 'bytes'; bytes: Uint8Array; path?: string };

export type RefResult = { ref: ImageRef } | { problem: { reason: string; message: string } };

function decodeDataUri(uri: string): RefResult {
  const match = /^data:([^,;]*)((?:;[^,;]*)*?)(;base64)?,(.*)$/s.exec(uri);
  if (!match) return { problem: { reason: 'bad_image_value', message: 'malformed data: URI' } };
  const payload = match[4]!;
  const bytes = match[3]
    ? Buffer.from(payload, 'base64')
    : Buffer.from(decodeURIComponent(payload), 'latin1');
  return { ref: { kind: 'bytes', bytes: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) } };
}

function describe(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
}

/** One image value from a row (string, `{bytes, path}` cell, `{url}`) as a reference. */
export function imageRefOf(value: unknown): RefResult {
  if (typeof value === 'string') {
    const text = value.trim();
    if (text === '') return { problem: { reason: 'missing_image', message: 'the image value is empty' } };
    if (/^data:/i.test(text)) return decodeDataUri(text);
    if (/^https?:\/\//i.test(text)) return { ref: { kind: 'url', url: text } };
    if (/^file:\/\//i.test(text))
      return { ref: { kind: 'path', path: decodeURIComponent(new URL(text).pathname) } };
    if (/^[a-z][a-z0-9+.-]+:\/\//i.test(text)) {
      return {
        problem: {
          reason: 'unsupported_image_scheme',
          message: `image ${describe(text)}: only file paths, http(s) URLs and data: URIs are allowed`,
        },
      };
    }
    return { ref: { kind: 'path', path: text } };
  }
  if (value instanceof Uint8Array) return { ref: { kind: 'bytes', bytes: value } };
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const cell = value as Record<string, unknown>;
    const path = typeof cell.path === 'string' && cell.path !== '' ? cell.path : undefined;
    if (cell.bytes instanceof Uint8Array && cell.bytes.byteLength > 0)
      return { ref: { kind: 'bytes', bytes: cell.bytes, ...(path ? { path } : {}) } };
    if (typeof cell.bytes === 'string' && cell.bytes !== '') {
      const bytes = Buffer.from(cell.bytes, 'base64');
      return {
        ref: {
          kind: 'bytes',
          bytes: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength),
          ...(path ? { path } : {}),
        },
      };
    }
    if (path) return imageRefOf(path);
    if (typeof cell.url === 'string') return imageRefOf(cell.url);
  }
  return {
    problem: {
      reason: 'bad_image_value',
      message: `image value ${describe(value)} is not a path, URL, data: URI or {bytes, path} cell`,
    },
  };
}

/** A label for logs and the Image cell's `path`: the path or URL as written, never resolved. */
export function refLabel(ref: ImageRef): string | undefined {
  if (ref.kind === 'path') return ref.path;
  if (ref.kind === 'url') return ref.url;
  return ref.path;
}
