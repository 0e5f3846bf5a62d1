import { WeftError } from '../../errors.js';
import { runQueueWorker } from '../../queue/queue-worker.js';
import { defineCommand } from '../command.js';
import { runFlags } from '../job-command.js';
import { commandLogger, durationFlag, queueFlags, queueTarget } from '../queue-flags.js';

export default defineCommand({
  name: 'worker',
  summary:
    'Run queued jobs (weft submit, weft schedule) from Redis; start one per machine, as many as you like',
  usage: 'weft worker --redis URL [--concurrency N] [--log-format json]',
  flags: {
    ...queueFlags,
    concurrency: {
      type: 'number',
      value: 'N',
      description: 'Jobs at a time, each in its own process (default: number of cores)',
    },
    'stall-timeout': {
      type: 'string',
      value: 'DURATION',
      description: 'A job whose worker went silent this long is given to another worker (default 30s)',
    },
    'shutdown-timeout': {
      type: 'string',
      value: 'DURATION',
      description: 'On SIGTERM, time running jobs get to finish before they are handed back (default 20s)',
    },
    'idle-exit': {
      type: 'string',
      value: 'DURATION',
      description: 'Exit once the queue has been empty this long',
    },
    quiet: runFlags.quiet,
    'log-format': runFlags['log-format'],
  },
  positionals: { name: '', description: '', max: 0 },
  examples: [
    'weft worker --redis redis://queue.internal:6379',
    'weft worker --redis redis://queue.internal:6379 --concurrency 8 --log-format json',
  ],
  // SIGTERM drains the worker (finish or hand back the current jobs): it must not be cut short.
  selfManagedShutdown: true,
  async run({ flags }, io) {
    const target = queueTarget(flags, io.env);
    const log = commandLogger(flags, io);
    const release = new AbortController();
    let signals = 0;
    const onSignal = () => {
      signals += 1;
      // The first signal drains (main aborts io.signal); the second hands running jobs back now.
      if (signals === 2) {
        log.warn('second signal: handing running jobs back to the queue now');
        release.abort();
      } else if (signals > 2) process.exit(130);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    try {
      const concurrency = flags.concurrency as number | undefined;
      if (concurrency !== undefined && (!Number.isInteger(concurrency) || concurrency < 1)) {
        throw new WeftError('E_USAGE', `--concurrency must be a whole number ≥ 1 (received ${concurrency})`);
      }
      const stall = durationFlag(flags, 'stall-timeout');
      if (stall !== undefined && stall < 1000) {
        throw new WeftError(
          'E_USAGE',
          `--stall-timeout must be at least 1s (received ${flags['stall-timeout']})`,
        );
      }
      const shutdown = durationFlag(flags, 'shutdown-timeout');
      const idle = durationFlag(flags, 'idle-exit');
      await runQueueWorker({
        target,
        log,
        signal: io.signal,
        releaseSignal: release.signal,
        ...(concurrency !== undefined ? { concurrency } : {}),
        ...(stall !== undefined ? { stallTimeoutMs: stall } : {}),
        ...(shutdown !== undefined ? { shutdownTimeoutMs: shutdown } : {}),
        ...(idle !== undefined ? { idleExitMs: idle } : {}),
      });
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
    return 0;
  },
});
