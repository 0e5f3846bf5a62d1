// Redis connections for queue mode: the --redis URL checked up front, BullMQ connection options,
// and one short-lived client for weft's own run records that fails fast with E_SERVICE when Redis
// cannot be reached (instead of ioredis retrying forever).
import { Redis, type RedisOptions } from 'ioredis';
import { WeftError } from '../errors.js';

export const DEFAULT_QUEUE = 'weft';

export interface QueueTarget {
  /** redis:// or rediss:// URL. */
  url: string;
  /** BullMQ queue name; runs in different queues never mix. */
  queue: string;
}

export function checkRedisUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new WeftError(
      'E_USAGE',
      `--redis must be a URL such as redis://host:6379 (received ${JSON.stringify(url)})`,
    );
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new WeftError(
      'E_USAGE',
      `--redis must be a redis:// or rediss:// URL (received ${JSON.stringify(url)})`,
    );
  }
  return url;
}

export function checkQueueName(name: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/.test(name)) {
    throw new WeftError(
      'E_USAGE',
      `--queue must be letters, digits, "-" or "_" (received ${JSON.stringify(name)})`,
    );
  }
  return name;
}

/** Connection options for BullMQ queues and workers (workers need maxRetriesPerRequest: null). */
export function bullConnection(target: QueueTarget): { url: string; maxRetriesPerRequest: null } {
  return { url: target.url, maxRetriesPerRequest: null };
}

/** Redacts the password of a Redis URL for logs and errors. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return url;
  }
}

/** A client that gives up after a few seconds, with an error that names the server. */
export async function openRedis(target: QueueTarget, options: RedisOptions = {}): Promise<Redis> {
  const client = new Redis(target.url, {
    connectTimeout: 5000,
    maxRetriesPerRequest: 2,
    retryStrategy: (times) => (times > 3 ? null : 250 * times),
    lazyConnect: true,
    ...options,
  });
  // Connection errors surface through connect(); without a listener ioredis would print them too.
  client.on('error', () => {});
  try {
    await client.connect();
    await client.ping();
  } catch (error) {
    client.disconnect();
    throw new WeftError(
      'E_SERVICE',
      `cannot reach Redis at ${redactUrl(target.url)}: ${(error as Error).message}`,
      { data: { redis: redactUrl(target.url) }, cause: error },
    );
  }
  return client;
}

/** Keys of weft's own records, beside BullMQ's (which live under bull:QUEUE:*). */
export function weftKeys(queue: string) {
  const base = `weft:${queue}`;
  return {
    runs: `${base}:runs`,
    run: (id: string) => `${base}:run:${id}`,
    state: (id: string) => `${base}:run:${id}:state`,
    stages: (id: string) => `${base}:run:${id}:stages`,
    done: (id: string, stage: string) => `${base}:run:${id}:done:${stage}`,
    failed: (id: string, stage: string) => `${base}:run:${id}:failed:${stage}`,
    entered: (id: string, step: number) => `${base}:run:${id}:entered:${step}`,
  };
}
