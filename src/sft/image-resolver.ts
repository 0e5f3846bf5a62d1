// Turns image references into checked images: paths are resolved inside the source's folder (never
// outside it, symlinks included), URLs go through a UrlImageSource (no network here: a local copy or a
// counted reason), and every image is decoded once to get its pixel hash (the merge key) and pHash.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile, realpath, stat } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import sharp from 'sharp';
import { phash } from '../images/phash.js';
import { probeImage } from '../images/probe-image.js';
import { type ImageFormat, sha256Hex } from '../records/image.js';
import type { RowProblem } from './adapted-row.js';
import type { ImageRef } from './image-refs.js';

export interface ImageFacts {
  format: ImageFormat;
  widthPx: number;
  heightPx: number;
  /** sha256 of the encoded file bytes. */
  sha256: string;
  /** sha256 of the decoded, upright pixels: the same picture stored differently has the same one. */
  pixelSha256: string;
  phash: string;
}

export interface ResolvedImage extends ImageFacts {
  bytes: Uint8Array;
  /** The path or URL as the row wrote it (stored as the Image cell's `path`). */
  label?: string;
}

export type ImageResult = { image: ResolvedImage } | { problem: RowProblem };

/**
 * Where URL images come from. The default looks for a local copy and refuses otherwise; the downloader
 * (issue 4) plugs in here by implementing `get` with a polite, capped fetch.
 */
export interface UrlImageSource {
  get(url: string, signal: AbortSignal): Promise<{ bytes: Uint8Array } | { problem: RowProblem }>;
}

/** Local copies named by sha256(url), with any extension, in `dir`; without `dir`, every URL is refused. */
export function localCopyUrlSource(dir: string | undefined): UrlImageSource {
  let index: Promise<Map<string, string>> | undefined;
  const load = async () => {
    const map = new Map<string, string>();
    if (!dir || !existsSync(dir)) return map;
    for (const name of await readdir(dir)) map.set(name.replace(/\.[^.]*$/, ''), join(dir, name));
    return map;
  };
  return {
    async get(url) {
      index ??= load();
      const file = (await index).get(createHash('sha256').update(url).digest('hex'));
      if (file) return { bytes: new Uint8Array(await readFile(file)) };
      return {
        problem: {
          reason: 'image_url_not_local',
          message: `image URL ${url} has no local copy (weft sft does not download; put the file in images.urlCacheDir named by the sha256 of the URL)`,
        },
      };
    },
  };
}

/**
 * The one place that decides where URL images come from for `weft sft`. Today: local copies only (no
 * network). Wiring the downloader in means returning its UrlImageSource here (e.g. when a config key
 * such as `images.download` is set), so every task, phase and worker picks it up.
 */
export function urlImageSourceFor(images: { urlCacheDir?: string | undefined }): UrlImageSource {
  return localCopyUrlSource(images.urlCacheDir);
}

export interface ImageResolverOptions {
  /** Folder that relative paths resolve against and that no path may leave. */
  root: string;
  maxPixels: number;
  formats: readonly string[];
  urlSource: UrlImageSource;
  signal?: AbortSignal;
}

const MAX_FILE_BYTES = 256 * 1024 * 1024;

function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel !== '' && !rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel);
}

export class ImageResolver {
  private readonly options: ImageResolverOptions;
  private realRoot: Promise<string> | undefined;
  /** Decoding results by file sha256: each distinct file is decoded once per task. */
  private readonly analyzed = new Map<string, Promise<ImageFacts | RowProblem>>();

  constructor(options: ImageResolverOptions) {
    this.options = options;
  }

  async resolve(ref: ImageRef): Promise<ImageResult> {
    let bytes: Uint8Array;
    let label: string | undefined;
    if (ref.kind === 'bytes') {
      bytes = ref.bytes;
      label = ref.path;
    } else if (ref.kind === 'url') {
      const got = await this.options.urlSource.get(
        ref.url,
        this.options.signal ?? new AbortController().signal,
      );
      if ('problem' in got) return got;
      bytes = got.bytes;
      label = ref.url;
    } else {
      const read = await this.readPath(ref.path);
      if ('problem' in read) return read;
      bytes = read.bytes;
      label = ref.path;
    }
    const facts = await this.analyze(bytes);
    if ('reason' in facts) {
      const name =
        label === undefined
          ? 'inline image'
          : `image "${label.length > 80 ? `${label.slice(0, 80)}…` : label}"`;
      return { problem: { reason: facts.reason, message: `${name}: ${facts.message}` } };
    }
    return { image: { ...facts, bytes, ...(label !== undefined ? { label } : {}) } };
  }

  private async readPath(path: string): Promise<{ bytes: Uint8Array } | { problem: RowProblem }> {
    const root = this.options.root;
    this.realRoot ??= realpath(root).catch(() => resolve(root));
    const outside = {
      problem: {
        reason: 'image_outside_source_dir',
        message: `image path "${path}" leads outside the source folder ${root} (paths may not leave it)`,
      },
    };
    const candidate = resolve(root, path);
    if (!isInside(resolve(root), candidate)) return outside;
    let real: string;
    try {
      real = await realpath(candidate);
    } catch {
      return {
        problem: { reason: 'image_not_found', message: `image file "${path}" not found in ${root}` },
      };
    }
    // A symlink inside the folder may point outside it.
    if (!isInside(await this.realRoot, real)) return outside;
    try {
      const info = await stat(real);
      if (!info.isFile())
        return { problem: { reason: 'image_not_found', message: `image path "${path}" is not a file` } };
      if (info.size > MAX_FILE_BYTES)
        return {
          problem: {
            reason: 'image_too_large',
            message: `image file "${path}" is ${info.size} bytes (cap 256 MiB)`,
          },
        };
      return { bytes: new Uint8Array(await readFile(real)) };
    } catch (error) {
      return {
        problem: { reason: 'image_unreadable', message: `image file "${path}": ${(error as Error).message}` },
      };
    }
  }

  private analyze(bytes: Uint8Array): Promise<ImageFacts | RowProblem> {
    const sha256 = sha256Hex(bytes);
    let pending = this.analyzed.get(sha256);
    if (!pending) {
      pending = analyzeImage(bytes, sha256, this.options);
      this.analyzed.set(sha256, pending);
    }
    return pending;
  }
}

async function analyzeImage(
  bytes: Uint8Array,
  sha256: string,
  options: Pick<ImageResolverOptions, 'maxPixels' | 'formats'>,
): Promise<ImageFacts | RowProblem> {
  const header = await probeImage(bytes);
  if (!header) return { reason: 'image_unreadable', message: 'the bytes are not a decodable image' };
  if (!options.formats.includes(header.format)) {
    return {
      reason: 'image_format_not_allowed',
      message: `format ${header.format} is not allowed (allowed: ${options.formats.join(', ')})`,
    };
  }
  if (header.widthPx * header.heightPx > options.maxPixels) {
    return {
      reason: 'image_too_large',
      message: `${header.widthPx}×${header.heightPx} px is over images.maxPixels ${options.maxPixels}`,
    };
  }
  try {
    const { data, info } = await sharp(bytes, { failOn: 'error', limitInputPixels: options.maxPixels })
      .rotate()
      .raw()
      .toBuffer({ resolveWithObject: true });
    const pixelSha256 = createHash('sha256')
      .update(`${info.width}x${info.height}x${info.channels}\n`)
      .update(data)
      .digest('hex');
    return { ...header, sha256, pixelSha256, phash: await phash(bytes) };
  } catch (error) {
    return { reason: 'image_unreadable', message: `does not decode: ${(error as Error).message}` };
  }
}
