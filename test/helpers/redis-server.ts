// A real redis-server (the Debian package) for queue tests: its own instance on a free port with a
// temporary directory, stopped after the suite. Absent binary: the suite skips, loudly.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';

function findRedisServer(): string | undefined {
  const found = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' });
  return found.status === 0 ? found.stdout.trim() || undefined : undefined;
}

export const redisServerPath = findRedisServer();
export const hasRedis = redisServerPath !== undefined;

if (!hasRedis) {
  console.warn(
    '\n*** redis-server not found (apt-get install redis-server; .ci/run installs it): queue tests are SKIPPED ***\n',
  );
}

export interface RedisInstance {
  url: string;
  port: number;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function waitForPing(url: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with code ${child.exitCode}`);
    const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    client.on('error', () => {});
    try {
      await client.connect();
      await client.ping();
      client.disconnect();
      return;
    } catch {
      client.disconnect();
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error('redis-server did not answer within 10 s');
}

export async function startRedis(): Promise<RedisInstance> {
  if (!redisServerPath) throw new Error('redis-server is not installed');
  const dir = await mkdtemp(join(tmpdir(), 'weft-redis-'));
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    const child = spawn(
      redisServerPath,
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
      { stdio: 'ignore' },
    );
    const url = `redis://127.0.0.1:${port}`;
    try {
      await waitForPing(url, child);
    } catch (error) {
      child.kill('SIGKILL');
      // Another process took the port between our probe and redis-server's bind: try another.
      if (attempt < 3) continue;
      throw error;
    }
    return {
      url,
      port,
      stop: async () => {
        if (child.exitCode === null) {
          await new Promise<void>((resolve) => {
            child.once('exit', () => resolve());
            child.kill('SIGTERM');
          });
        }
        await rm(dir, { recursive: true, force: true });
      },
    };
  }
}
