import { formatStatus, queueStatus } from '../../queue/status.js';
import { defineCommand } from '../command.js';
import { runFlags } from '../job-command.js';
import { queueFlags, queueTarget } from '../queue-flags.js';

export default defineCommand({
  name: 'status',
  summary: 'Progress of queued runs, per step and phase: tasks done, running, failed',
  usage: 'weft status --redis URL [--run ID] [--limit N] [--json]',
  flags: {
    ...queueFlags,
    run: { type: 'string', value: 'ID', description: 'Only this run (ids are printed by weft submit)' },
    limit: { type: 'number', value: 'N', description: 'The N newest runs (default 10)' },
    json: runFlags.json,
  },
  positionals: { name: '', description: '', max: 0 },
  examples: [
    'weft status --redis redis://queue.internal:6379',
    'weft status --redis redis://localhost:6379 --run nightly-2024-05-01T030000Z --json',
  ],
  async run({ flags }, io) {
    const target = queueTarget(flags, io.env);
    const status = await queueStatus(target, {
      ...(typeof flags.run === 'string' ? { runId: flags.run } : {}),
      ...(typeof flags.limit === 'number' ? { limit: Math.max(1, Math.floor(flags.limit)) } : {}),
    });
    if (flags.json === true)
      io.stdout.write(`${JSON.stringify({ ok: true, command: 'status', ...status })}\n`);
    else io.stdout.write(formatStatus(status));
    if (typeof flags.run === 'string' && status.runs.length === 0) {
      io.stderr.write(`weft status: no run ${flags.run} on queue ${target.queue}\n`);
      return 1;
    }
    return 0;
  },
});
