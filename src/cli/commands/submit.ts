import { resolve } from 'node:path';
import { loadPipelineSpec } from '../../queue/pipeline-spec.js';
import { queueStatus } from '../../queue/status.js';
import { submitPipeline } from '../../queue/submit.js';
import { defineCommand } from '../command.js';
import { runFlags } from '../job-command.js';
import { commandLogger, queueFlags, queueTarget } from '../queue-flags.js';

export default defineCommand({
  name: 'submit',
  summary: 'Enqueue a pipeline (PIPELINE.yaml) on Redis: one job per task, run by `weft worker` anywhere',
  usage: 'weft submit PIPELINE.yaml --redis URL [--out DIR] [--wait] [--json]',
  flags: {
    ...queueFlags,
    out: { type: 'string', value: 'DIR', description: "Base output folder (overrides the pipeline's out)" },
    wait: { type: 'boolean', description: 'Wait until the run is finished (exit 1 if it failed)' },
    force: { type: 'boolean', description: 'Submit even if a running run writes into the same folders' },
    json: runFlags.json,
    quiet: runFlags.quiet,
    'log-format': runFlags['log-format'],
  },
  positionals: {
    name: 'PIPELINE.yaml',
    description: 'The pipeline: job(s), options, output folder, retries',
    min: 1,
    max: 1,
  },
  examples: [
    'weft submit pipeline.yaml --redis redis://queue.internal:6379',
    'weft submit pipeline.yaml --redis redis://localhost:6379 --wait && weft inspect /shared/out/images',
  ],
  async run({ flags, positionals }, io) {
    const target = queueTarget(flags, io.env);
    const log = commandLogger(flags, io);
    const spec = await loadPipelineSpec(resolve(io.cwd, positionals[0]!));
    if (typeof flags.out === 'string') spec.out = resolve(io.cwd, flags.out);
    const { run, result } = await submitPipeline(spec, { target, log, force: flags.force === true });
    const next = result.next;
    let state = next ? 'running' : 'done';
    if (flags.quiet !== true && flags.json !== true) {
      io.stderr.write(
        `[weft] submit: run ${run.id} on queue ${target.queue}${next ? `: ${next.assignments.length} task(s) enqueued; start workers with: weft worker --redis ${target.url.replace(/\/\/[^@]*@/, '//***@')}` : ': already complete'}\n  progress: weft status --redis URL --run ${run.id}\n`,
      );
    }
    if (flags.wait === true && next) {
      let last = '';
      for (;;) {
        if (io.signal.aborted) break;
        const status = await queueStatus(target, { runId: run.id });
        const current = status.runs[0];
        if (!current) break;
        state = current.state;
        const line = current.stages.map((s) => `${s.phase ?? s.stepName} ${s.done}/${s.total}`).join(', ');
        if (line !== last && flags.quiet !== true && flags.json !== true)
          io.stderr.write(`[weft] ${run.id}: ${line}\n`);
        last = line;
        if (state !== 'running') {
          if (current.error && flags.json !== true)
            io.stderr.write(`[weft] ${run.id} failed: ${current.error}\n`);
          break;
        }
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
    if (flags.json === true) {
      io.stdout.write(
        `${JSON.stringify({
          ok: state !== 'failed',
          command: 'submit',
          run: run.id,
          queue: target.queue,
          state,
          steps: run.steps.map((s) => ({ name: s.name, job: s.job, out: s.out })),
          enqueued: next
            ? { step: next.step, stage: next.stage, tasks: next.assignments.length, total: next.total }
            : null,
        })}\n`,
      );
    }
    return state === 'failed' ? 1 : 0;
  },
});
