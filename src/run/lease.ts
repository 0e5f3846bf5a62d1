// Leases on a shared filesystem, for processes on several machines working on one output directory
// (array jobs, queue workers): task claims and the reduce/commit locks name their holder, and a holder
// proves it is alive by rewriting its heartbeat file. A holder on this host is dead when its process
// is; one on another host when its heartbeat is older than the lease. So a lost machine blocks nothing
// for longer than one lease, and a live one is never robbed.
import { randomBytes } from 'node:crypto';
import { link, mkdir, open, readFile, rename, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';

/** How long another host's silent holder is trusted (default 2 min; WEFT_LEASE_MS overrides). */
export const DEFAULT_LEASE_MS = 120_000;

export function leaseMsFrom(env: Record<string, string | undefined> = process.env): number {
  const raw = Number(env.WEFT_LEASE_MS);
  return Number.isFinite(raw) && raw >= 200 ? raw : DEFAULT_LEASE_MS;
}

/** What a claim or lock file holds: who took it. */
export interface LeaseOwner {
  holder: string;
  host: string;
  pid: number;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function readOwner(path: string): Promise<LeaseOwner | undefined> {
  try {
    const value = JSON.parse(await readFile(path, 'utf8')) as Partial<LeaseOwner>;
    if (typeof value.holder === 'string' && typeof value.host === 'string' && typeof value.pid === 'number')
      return value as LeaseOwner;
  } catch {
    // A file caught half-written or removed: treated as unknown below.
  }
  return undefined;
}

export class LeaseHolder {
  readonly dir: string;
  readonly leaseMs: number;
  readonly owner: LeaseOwner;
  private timer: NodeJS.Timeout | undefined;
  /** Local clock and heartbeat mtime of the last beat: the filesystem's clock, read without skew. */
  private lastBeat = { localMs: 0, fsMs: 0 };

  /** `dir` is the shared folder of heartbeat files (`OUT/.weft/holders`). */
  constructor(dir: string, leaseMs = leaseMsFrom()) {
    this.dir = dir;
    this.leaseMs = leaseMs;
    const host = hostname();
    this.owner = {
      holder: `${host}-${process.pid}-${randomBytes(4).toString('hex')}`,
      host,
      pid: process.pid,
    };
  }

  private get file(): string {
    return join(this.dir, `${this.owner.holder}.json`);
  }

  /**
   * Rewrites the heartbeat file (same length each time). Writing, not utimes, lets the file server
   * stamp the time, so every host compares mtimes from one clock. Only `start` creates the file:
   * a beat after the run's folder was removed must not bring it back.
   */
  private async beat(flag: 'w' | 'r+'): Promise<void> {
    const localMs = Date.now();
    const content = `${JSON.stringify({ ...this.owner, beatAt: new Date(localMs).toISOString() })}\n`;
    await writeFile(this.file, content, { flag });
    this.lastBeat = { localMs, fsMs: (await stat(this.file)).mtimeMs };
  }

  async start(): Promise<this> {
    await mkdir(this.dir, { recursive: true });
    await this.beat('w');
    this.timer = setInterval(
      () => {
        // The output folder may be gone (committed): nothing left to hold.
        this.beat('r+').catch(() => {});
      },
      Math.max(50, Math.floor(this.leaseMs / 4)),
    );
    this.timer.unref();
    return this;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await rm(this.file, { force: true });
    // Leaves no empty folder behind in a dataset committed meanwhile (rmdir fails on non-empty ones).
    await rmdir(this.dir).catch(() => {});
    await rmdir(join(this.dir, '..')).catch(() => {});
  }

  /** The filesystem's "now", estimated from our own last heartbeat. */
  private fsNow(): number {
    return this.lastBeat.fsMs + (Date.now() - this.lastBeat.localMs);
  }

  /** Whether the holder of a claim is still working. */
  async isAlive(owner: LeaseOwner): Promise<boolean> {
    if (owner.holder === this.owner.holder) return true;
    const file = join(this.dir, `${owner.holder}.json`);
    if (owner.host === hostname()) {
      if (!pidAlive(owner.pid)) return false;
      return stat(file).then(
        () => true,
        () => false,
      );
    }
    try {
      return this.fsNow() - (await stat(file)).mtimeMs < this.leaseMs;
    } catch {
      return false;
    }
  }

  /**
   * Takes the claim or lock at `path` if it is free or its holder is dead. Returns whether this
   * holder now has it (also when it already had it).
   */
  async tryAcquire(path: string, attempt = 0): Promise<boolean> {
    try {
      const handle = await open(path, 'wx');
      try {
        await handle.writeFile(JSON.stringify(this.owner));
      } finally {
        await handle.close();
      }
      return true;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      // The folder is gone: the run was committed or removed, there is nothing left to claim.
      if (code === 'ENOENT') return false;
      if (code !== 'EEXIST') throw error;
    }
    const owner = await readOwner(path);
    if (owner?.holder === this.owner.holder) return true;
    if (attempt >= 3) return false;
    if (owner === undefined) {
      // Being written right now, or left empty by a crash: only an old one is taken over.
      const age = await stat(path).then(
        (s) => this.fsNow() - s.mtimeMs,
        () => Number.POSITIVE_INFINITY,
      );
      if (age < this.leaseMs) return false;
    } else if (await this.isAlive(owner)) {
      return false;
    }
    // Moved aside first: of several processes that found it stale, exactly one rename succeeds.
    const aside = `${path}.stale-${randomBytes(4).toString('hex')}`;
    try {
      await rename(path, aside);
    } catch {
      return this.tryAcquire(path, attempt + 1);
    }
    const moved = await readOwner(aside);
    if (moved?.holder !== owner?.holder) {
      // Between our look and the rename another process took the stale one over: put its fresh
      // claim back (link fails if yet another one is there already) and leave it to it.
      await link(aside, path).catch(() => {});
      await rm(aside, { force: true });
      return false;
    }
    await rm(aside, { force: true });
    return this.tryAcquire(path, attempt + 1);
  }

  /** Gives a claim or lock back (only if this holder has it). */
  async release(path: string): Promise<void> {
    const owner = await readOwner(path);
    if (owner?.holder === this.owner.holder) await rm(path, { force: true });
  }

  /** Who holds `path` now, if anyone alive. */
  async liveOwner(path: string): Promise<LeaseOwner | undefined> {
    const owner = await readOwner(path);
    if (!owner) return undefined;
    return (await this.isAlive(owner)) ? owner : undefined;
  }
}
