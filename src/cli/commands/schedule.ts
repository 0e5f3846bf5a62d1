import { resolve } from 'node:path';
import { WeftError } from '../../errors.js';
import { loadPipelineSpec } from '../../queue/pipeline-spec.js';
import { addSchedule, listSchedules, removeSchedule, type ScheduleInfo } from '../../queue/schedules.js';
import { defineCommand } from '../command.js';
import { runFlags } from '../job-command.js';
import { queueFlags, queueTarget } from '../queue-flags.js';

function describe(s: ScheduleInfo): string {
  const when = s.cron ? `cron "${s.cron}"${s.tz ? ` (${s.tz})` : ''}` : `every ${s.everyMs} ms`;
  return `${s.id}: ${when}, next ${s.next ?? '?'}, fired ${s.fired} time(s)${s.out ? `; writes ${s.out}/<time stamp>/` : ''}${s.steps ? `; steps ${s.steps.join(' → ')}` : ''}`;
}

export default defineCommand({
  name: 'schedule',
  summary: 'Run a pipeline on a schedule (e.g. a nightly re-crawl), each run into a new dated folder',
  usage: 'weft schedule CRAWL.yaml --cron "0 3 * * *" --redis URL | weft schedule --list | --remove ID',
  flags: {
    ...queueFlags,
    cron: {
      type: 'string',
      value: 'EXPR',
      description: 'When: 5 cron fields (6 with seconds first), e.g. "0 3 * * *"',
    },
    tz: {
      type: 'string',
      value: 'ZONE',
      description: 'Time zone of the cron expression, e.g. Europe/Paris (default UTC)',
    },
    id: {
      type: 'string',
      value: 'ID',
      description: "Schedule id (default: the pipeline's name); the same id replaces",
    },
    'allow-overlap': {
      type: 'boolean',
      description: 'Start a run even while the previous one is still running (default: skip that firing)',
    },
    list: { type: 'boolean', description: 'List the schedules' },
    remove: { type: 'string', value: 'ID', description: 'Remove a schedule (runs already started go on)' },
    json: runFlags.json,
  },
  positionals: {
    name: 'CRAWL.yaml',
    description: 'A pipeline file (see weft submit); its first step is usually the crawl',
    max: 1,
  },
  examples: [
    'weft schedule nightly-crawl.yaml --cron "0 3 * * *" --redis redis://queue.internal:6379',
    'weft schedule --list --redis redis://queue.internal:6379',
    'weft schedule --remove nightly-crawl --redis redis://queue.internal:6379',
  ],
  async run({ flags, positionals }, io) {
    const target = queueTarget(flags, io.env);
    const json = flags.json === true;
    if (flags.list === true) {
      const schedules = await listSchedules(target);
      if (json) io.stdout.write(`${JSON.stringify({ ok: true, command: 'schedule', schedules })}\n`);
      else io.stdout.write(schedules.length ? `${schedules.map(describe).join('\n')}\n` : 'no schedules\n');
      return 0;
    }
    if (typeof flags.remove === 'string') {
      const removed = await removeSchedule(target, flags.remove);
      if (json)
        io.stdout.write(`${JSON.stringify({ ok: removed, command: 'schedule', removed: flags.remove })}\n`);
      else
        io.stderr.write(
          removed
            ? `[weft] schedule ${flags.remove} removed\n`
            : `weft schedule: no schedule ${flags.remove}\n`,
        );
      return removed ? 0 : 1;
    }
    if (!positionals[0] || typeof flags.cron !== 'string') {
      throw new WeftError('E_USAGE', 'give a pipeline file and --cron "EXPR", or --list, or --remove ID');
    }
    const spec = await loadPipelineSpec(resolve(io.cwd, positionals[0]));
    const info = await addSchedule(target, spec, {
      cron: flags.cron,
      ...(typeof flags.tz === 'string' ? { tz: flags.tz } : {}),
      ...(typeof flags.id === 'string' ? { id: flags.id } : {}),
      ...(flags['allow-overlap'] === true ? { allowOverlap: true } : {}),
    });
    if (json) io.stdout.write(`${JSON.stringify({ ok: true, command: 'schedule', schedule: info })}\n`);
    else io.stderr.write(`[weft] schedule ${describe(info)}\n  runs need workers: weft worker --redis URL\n`);
    return 0;
  },
});
