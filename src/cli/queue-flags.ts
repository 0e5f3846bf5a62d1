// What the queue commands (submit, worker, status, schedule) share: --redis / --queue with their
// environment defaults, durations such as 30s or 5m, and a logger honouring --log-format.
import { WeftError } from '../errors.js';
import { createLogger, formatLogLine, type Logger } from '../pipeline/logger.js';
import { checkQueueName, checkRedisUrl, DEFAULT_QUEUE, type QueueTarget } from '../queue/redis.js';
import type { CliIO, FlagDef, ParsedFlags } from './command.js';

export const queueFlags = {
  redis: {
    type: 'string',
    value: 'URL',
    description: 'Redis server, e.g. redis://host:6379 (default: $WEFT_REDIS_URL)',
  },
  queue: {
    type: 'string',
    value: 'NAME',
    description: `Queue name (default: $WEFT_QUEUE or ${DEFAULT_QUEUE})`,
  },
} as const satisfies Record<string, FlagDef>;

export function queueTarget(flags: ParsedFlags, env: NodeJS.ProcessEnv): QueueTarget {
  const url = typeof flags.redis === 'string' ? flags.redis : env.WEFT_REDIS_URL;
  if (!url) throw new WeftError('E_USAGE', '--redis URL is required (or set WEFT_REDIS_URL)');
  const queue = typeof flags.queue === 'string' ? flags.queue : (env.WEFT_QUEUE ?? DEFAULT_QUEUE);
  return { url: checkRedisUrl(url), queue: checkQueueName(queue) };
}

/** Parses 500ms, 30s, 5m, 2h or a plain number of seconds. */
export function parseDuration(text: string, flag: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/i.exec(text);
  if (!match) {
    throw new WeftError(
      'E_USAGE',
      `--${flag} must be a duration such as 500ms, 30s, 5m or 2h (received ${JSON.stringify(text)})`,
    );
  }
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[
    (match[2] ?? 's').toLowerCase() as 'ms' | 's' | 'm' | 'h'
  ];
  return Math.round(Number(match[1]) * unit);
}

export function durationFlag(flags: ParsedFlags, name: string): number | undefined {
  const value = flags[name];
  return typeof value === 'string' ? parseDuration(value, name) : undefined;
}

export function commandLogger(flags: ParsedFlags, io: CliIO): Logger {
  const format = (flags['log-format'] as 'text' | 'json' | undefined) ?? 'text';
  const quiet = flags.quiet === true;
  return createLogger({
    level: quiet ? 'warn' : 'info',
    write: (line) => io.stderr.write(`${formatLogLine(line, format)}\n`),
  });
}
