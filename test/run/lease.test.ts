import { spawn } from 'node:child_process';
import { readFile, utimes, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { LeaseHolder } from '../../src/run/lease.js';
import { tempDir } from '../helpers/temp-dir.js';

test('a claim is exclusive while its holder lives, and free again once released', async () => {
  const dir = await tempDir();
  const a = await new LeaseHolder(join(dir, 'holders'), 60_000).start();
  const b = await new LeaseHolder(join(dir, 'holders'), 60_000).start();
  const claim = join(dir, 'claim');
  expect(await a.tryAcquire(claim)).toBe(true);
  expect(await a.tryAcquire(claim)).toBe(true);
  expect(await b.tryAcquire(claim)).toBe(false);
  expect((await b.liveOwner(claim))?.holder).toBe(a.owner.holder);
  await b.release(claim); // not b's: nothing happens
  expect(await b.tryAcquire(claim)).toBe(false);
  await a.release(claim);
  expect(await b.tryAcquire(claim)).toBe(true);
  await a.stop();
  await b.stop();
});

test('the claim of a dead process on this host is taken over at once', async () => {
  const dir = await tempDir();
  const holders = join(dir, 'holders');
  const child = spawn(process.execPath, ['-e', '']);
  const deadPid = await new Promise<number>((resolve) => child.on('exit', () => resolve(child.pid!)));
  const claim = join(dir, 'claim');
  await writeFile(
    claim,
    JSON.stringify({ holder: `${hostname()}-${deadPid}-dead`, host: hostname(), pid: deadPid }),
  );
  const holder = await new LeaseHolder(holders, 60_000).start();
  expect(await holder.tryAcquire(claim)).toBe(true);
  expect(JSON.parse(await readFile(claim, 'utf8')).holder).toBe(holder.owner.holder);
  await holder.stop();
});

test('another host: trusted while its heartbeat is fresh, taken over once it is older than the lease', async () => {
  const dir = await tempDir();
  const holders = join(dir, 'holders');
  const holder = await new LeaseHolder(holders, 1000).start();
  const ghost = { holder: 'other-machine-4242-abcd', host: 'other-machine', pid: 4242 };
  const heartbeat = join(holders, `${ghost.holder}.json`);
  await writeFile(heartbeat, JSON.stringify(ghost));
  const claim = join(dir, 'claim');
  await writeFile(claim, JSON.stringify(ghost));
  expect(await holder.tryAcquire(claim)).toBe(false);
  // The machine went silent: its heartbeat stops moving.
  const old = new Date(Date.now() - 5000);
  await utimes(heartbeat, old, old);
  expect(await holder.tryAcquire(claim)).toBe(true);
  // A holder whose heartbeat file is gone altogether is dead too.
  await writeFile(claim, JSON.stringify({ ...ghost, holder: 'never-started' }));
  expect(await holder.tryAcquire(claim)).toBe(true);
  await holder.stop();
});

test('a holder stops cleanly and leaves no heartbeat behind', async () => {
  const dir = await tempDir();
  const holders = join(dir, '.weft', 'holders');
  const holder = await new LeaseHolder(holders, 1000).start();
  await holder.stop();
  const { readdir } = await import('node:fs/promises');
  expect(await readdir(dir)).toEqual([]);
});
