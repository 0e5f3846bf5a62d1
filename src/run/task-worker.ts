// Entry of a worker process forked by the local executor: runs the tasks its parent sends, one at a
// time, and exits as soon as the parent goes away (a killed run leaves no orphans behind).
import { describeError, WeftError } from '../errors.js';
import { createLogger } from '../pipeline/logger.js';
import type { WorkerMessage } from './local-executor.js';
import { runTask, type TaskAssignment } from './run-task.js';

const send = (message: WorkerMessage) => process.send?.(message);
const log = createLogger({ level: 'debug', write: (line) => send({ type: 'log', line }) });

process.on('disconnect', () => process.exit(0));

let pendingRecords = 0;
const flushRecords = () => {
  if (pendingRecords > 0) send({ type: 'records', count: pendingRecords });
  pendingRecords = 0;
};
setInterval(flushRecords, 250).unref();

process.on('message', async (message: { type: 'task'; assignment: TaskAssignment }) => {
  if (message.type !== 'task') return;
  const { assignment } = message;
  try {
    const { marker } = await runTask(assignment, { log, onRecord: () => (pendingRecords += 1) });
    flushRecords();
    send({ type: 'done', id: assignment.info.id, rows: marker.rows });
  } catch (error) {
    flushRecords();
    const code = error instanceof WeftError ? error.code : undefined;
    send({
      type: 'failed',
      id: assignment.info.id,
      message: describeError(error),
      ...(code ? { code } : {}),
    });
  }
});

send({ type: 'ready' });
