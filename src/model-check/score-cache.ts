// A content-hash cache of item scores on disk: a resumed task, a new threshold or a new output
// directory never asks the model twice about the same (model, prompt, image, text). Each process
// appends to its own file, so parallel workers never contend; readers skip torn last lines.
import { createHash, randomBytes } from 'node:crypto';
import { appendFile, mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { WeftError } from '../errors.js';
import type { ScoreItem } from './scorer.js';

const FLUSH_EVERY = 256;

/** 128-bit key of one item under one scorer fingerprint, as 22 base64url characters. */
export function itemKey(fingerprint: string, item: ScoreItem, usesText: boolean): string {
  const hash = createHash('sha256').update(fingerprint).update('\0').update(item.image.sha256);
  if (usesText) hash.update('\0').update(item.text);
  return hash.digest('base64url').slice(0, 22);
}

export class ScoreCache {
  readonly dir: string;
  private readonly scores = new Map<string, number>();
  private readonly file: string;
  private pending: string[] = [];
  private writing: Promise<void> = Promise.resolve();
  private writeError: Error | undefined;

  private constructor(dir: string) {
    this.dir = dir;
    this.file = join(dir, `${process.pid}-${randomBytes(4).toString('hex')}.tsv`);
  }

  /** Opens (and loads) the cache folder of one scorer fingerprint. */
  static async open(dir: string): Promise<ScoreCache> {
    const cache = new ScoreCache(dir);
    try {
      await mkdir(dir, { recursive: true });
      for (const name of await readdir(dir)) {
        if (name.endsWith('.tsv')) cache.load(await readFile(join(dir, name), 'utf8'));
      }
    } catch (error) {
      throw new WeftError('E_OUTPUT', `score cache ${dir} cannot be used: ${(error as Error).message}`, {
        data: { path: dir },
        cause: error,
      });
    }
    return cache;
  }

  private load(text: string): void {
    for (const line of text.split('\n')) {
      const tab = line.indexOf('\t');
      if (tab !== 22) continue;
      const score = Number(line.slice(tab + 1));
      if (line.length > tab + 1 && Number.isFinite(score)) this.scores.set(line.slice(0, tab), score);
    }
  }

  get size(): number {
    return this.scores.size;
  }

  get(key: string): number | undefined {
    return this.scores.get(key);
  }

  put(key: string, score: number): void {
    if (this.scores.get(key) === score) return;
    this.scores.set(key, score);
    this.pending.push(`${key}\t${score}\n`);
    // A write error resurfaces from the final flush(), which the stage awaits.
    if (this.pending.length >= FLUSH_EVERY) this.flush().catch(() => {});
  }

  /** Appends what is pending; resolves once everything put so far is on disk. */
  flush(): Promise<void> {
    if (this.pending.length > 0) {
      const text = this.pending.join('');
      this.pending = [];
      this.writing = this.writing
        .then(() => appendFile(this.file, text))
        .catch((error: Error) => {
          this.writeError ??= error;
        });
    }
    return this.writing.then(() => {
      if (this.writeError) {
        throw new WeftError(
          'E_OUTPUT',
          `score cache ${this.file} cannot be written: ${this.writeError.message}`,
          {
            data: { path: this.file },
            cause: this.writeError,
          },
        );
      }
    });
  }
}

const opened = new Map<string, Promise<ScoreCache>>();

/** One cache per folder per process: the tasks a worker runs one after another share it. */
export function openScoreCache(root: string, scorerKind: string, fingerprint: string): Promise<ScoreCache> {
  const dir = join(root, `${scorerKind}-${fingerprint.slice(0, 16)}`);
  let cache = opened.get(dir);
  if (!cache) {
    cache = ScoreCache.open(dir);
    opened.set(dir, cache);
    cache.catch(() => opened.delete(dir));
  }
  return cache;
}
