import { resolve } from 'node:path';
import { commitRun } from '../../run/run-job.js';
import { defineCommand, parseByteSize } from '../command.js';
import { funnelLine, runFlags } from '../job-command.js';

export default defineCommand({
  name: 'commit',
  summary: 'Assemble a dataset whose tasks were run separately (array jobs), once every task is done',
  usage: 'weft commit DIR [--max-shard-size SIZE] [--json]',
  flags: { 'max-shard-size': runFlags['max-shard-size'], json: runFlags.json },
  positionals: { name: 'DIR', description: 'The shared output directory of the run', min: 1, max: 1 },
  examples: ['weft commit /shared/out/web'],
  async run({ flags, positionals }, io) {
    const dir = resolve(io.cwd, positionals[0]!);
    const size = flags['max-shard-size'];
    const stats = await commitRun(dir, {
      log: io.log,
      signal: io.signal,
      ...(typeof size === 'string' ? { maxShardBytes: parseByteSize(size, 'max-shard-size') } : {}),
    });
    if (flags.json === true) {
      io.stdout.write(
        `${JSON.stringify({ ok: true, command: 'commit', out: dir, rows: stats.rows, bytes: stats.bytes, shards: stats.shards })}\n`,
      );
    } else {
      io.stderr.write(
        `[weft] commit: ${dir}: ${stats.rows} rows in ${stats.shards} shard(s)\n  ${funnelLine(stats.stages)}\n`,
      );
    }
    return 0;
  },
});
