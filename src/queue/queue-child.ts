// Entry of a queue worker's child process: runs one operation at a time for its parent (a task, or a
// stage end: reduce, commit, prepare the next step). Keeping the work here leaves the parent's event
// loop free to renew BullMQ's job locks, and a crash here fails one job, not the worker.
import { existsSync } from 'node:fs';
import { isCommitted } from '../dataset/commit.js';
import { describeError, WeftError } from '../errors.js';
import { createLogger } from '../pipeline/logger.js';
import { runTask } from '../run/run-task.js';
import { Workspace } from '../run/workspace.js';
import type { ChildOp, ChildReply, TaskOutcomeValue } from './child-pool.js';
import { advance } from './stages.js';

const send = (message: ChildReply) => process.send?.(message);

process.on('disconnect', () => process.exit(0));

async function runOp(op: ChildOp, log: ReturnType<typeof createLogger>): Promise<unknown> {
  if (op.kind === 'advance') {
    return advance(op.run, op.from, { log, overwriteSteps: op.overwriteSteps });
  }
  const { assignment } = op;
  const root = new Workspace(assignment.outDir);
  const workspace = assignment.phase ? root.phase(assignment.phase) : root;
  if (!root.exists()) {
    // A late duplicate of a task whose step is already committed: nothing to do, and nothing
    // may be written into the finished dataset's folder.
    if (isCommitted(assignment.outDir)) {
      return {
        rows: 0,
        published: false,
        alreadyDone: true,
        durationMs: 0,
        stages: [],
      } satisfies TaskOutcomeValue;
    }
    throw new WeftError(
      'E_OUTPUT',
      `${assignment.outDir} holds no unfinished run any more (removed or replaced); submit the pipeline again`,
      { data: { path: assignment.outDir } },
    );
  }
  await workspace.ensureDirs();
  // A redelivered job whose task another attempt finished: nothing to redo.
  if (existsSync(workspace.markerFile(assignment.info.id))) {
    const marker = await workspace.readMarker(assignment.info.id);
    return {
      rows: marker?.rows ?? 0,
      published: false,
      alreadyDone: true,
      durationMs: 0,
      stages: [],
    } satisfies TaskOutcomeValue;
  }
  const { published, marker } = await runTask(assignment, { log });
  return {
    rows: marker.rows,
    published,
    alreadyDone: false,
    durationMs: marker.durationMs,
    stages: marker.stages.map((s) => ({ name: s.name, in: s.in ?? null, out: s.out, dropped: s.dropped })),
  } satisfies TaskOutcomeValue;
}

process.on('message', async (message: { type: 'op'; id: number; op: ChildOp }) => {
  if (message.type !== 'op') return;
  const log = createLogger({ level: 'debug', write: (line) => send({ type: 'log', id: message.id, line }) });
  try {
    const value = await runOp(message.op, log);
    send({ type: 'result', id: message.id, ok: true, value });
  } catch (error) {
    const code = error instanceof WeftError ? error.code : undefined;
    send({
      type: 'result',
      id: message.id,
      ok: false,
      error: { message: describeError(error), ...(code ? { code } : {}) },
    });
  }
});

send({ type: 'ready' });
