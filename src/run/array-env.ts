// Array jobs: which slice of the tasks this process runs, read from the environment the scheduler
// sets (Slurm job arrays, Kubernetes Indexed Jobs, AWS Batch and Google Cloud Batch arrays), so one
// command line serves every array index.
import { WeftError } from '../errors.js';

export interface TaskSlice {
  taskIndex: number;
  taskCount: number;
  /** Where the slice came from, for the log line ("--task-index", "SLURM_ARRAY_TASK_ID"…). */
  source: string;
}

type Env = Record<string, string | undefined>;

function intVar(env: Env, name: string): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n)) {
    throw new WeftError(
      'E_USAGE',
      `environment variable ${name} must be an integer (received ${JSON.stringify(raw)})`,
    );
  }
  return n;
}

/**
 * Slurm numbers array tasks with the ids of `--array` (e.g. 1-100, 0-30:3). The slice index is the
 * position of this id in that range; a list of ids with gaps (`--array=1,4,9`) has no such position.
 */
function fromSlurm(env: Env): { index: number; count: number } | undefined {
  const id = intVar(env, 'SLURM_ARRAY_TASK_ID');
  if (id === undefined) return undefined;
  const count = intVar(env, 'SLURM_ARRAY_TASK_COUNT');
  const min = intVar(env, 'SLURM_ARRAY_TASK_MIN') ?? 0;
  const max = intVar(env, 'SLURM_ARRAY_TASK_MAX');
  const step = intVar(env, 'SLURM_ARRAY_TASK_STEP') ?? 1;
  if (count === undefined) {
    throw new WeftError(
      'E_USAGE',
      'SLURM_ARRAY_TASK_ID is set but SLURM_ARRAY_TASK_COUNT is not; pass --task-index and --task-count',
    );
  }
  const offset = id - min;
  const contiguous = max === undefined || (max - min) / step + 1 === count;
  if (step < 1 || offset % step !== 0 || !contiguous) {
    throw new WeftError(
      'E_USAGE',
      `the Slurm array is not a plain range (task id ${id}, min ${min}, max ${max ?? '?'}, step ${step}, count ${count}); use --array=0-${count - 1} or pass --task-index and --task-count`,
    );
  }
  return { index: offset / step, count };
}

/**
 * The slice from explicit flags, else from WEFT_TASK_INDEX / WEFT_TASK_COUNT, else from the array
 * scheduler's variables. Kubernetes and AWS Batch give only the index: the count comes from
 * --task-count or WEFT_TASK_COUNT. Returns undefined when nothing says this is an array task.
 */
export function taskSliceFrom(
  flags: { taskIndex?: number | undefined; taskCount?: number | undefined },
  env: Env,
): TaskSlice | undefined {
  const weftCount = intVar(env, 'WEFT_TASK_COUNT');
  const givenCount = flags.taskCount ?? weftCount;
  const countSource = flags.taskCount !== undefined ? '--task-count' : 'WEFT_TASK_COUNT';
  let slice: TaskSlice | undefined;
  if (flags.taskIndex !== undefined) {
    if (givenCount === undefined) throw new WeftError('E_USAGE', '--task-index and --task-count go together');
    slice = { taskIndex: flags.taskIndex, taskCount: givenCount, source: '--task-index' };
  } else if (intVar(env, 'WEFT_TASK_INDEX') !== undefined) {
    if (givenCount === undefined) {
      throw new WeftError(
        'E_USAGE',
        'WEFT_TASK_INDEX is set: set WEFT_TASK_COUNT (or pass --task-count) too',
      );
    }
    slice = { taskIndex: intVar(env, 'WEFT_TASK_INDEX')!, taskCount: givenCount, source: 'WEFT_TASK_INDEX' };
  } else {
    const slurm = fromSlurm(env);
    const gcp = intVar(env, 'BATCH_TASK_INDEX');
    const indexOnly: [string, number | undefined][] = [
      ['JOB_COMPLETION_INDEX', intVar(env, 'JOB_COMPLETION_INDEX')],
      ['AWS_BATCH_JOB_ARRAY_INDEX', intVar(env, 'AWS_BATCH_JOB_ARRAY_INDEX')],
    ];
    const indexed = indexOnly.find(([, v]) => v !== undefined);
    if (slurm) {
      if (givenCount !== undefined && givenCount !== slurm.count) {
        throw new WeftError(
          'E_USAGE',
          `${countSource} ${givenCount} disagrees with the Slurm array size ${slurm.count} (SLURM_ARRAY_TASK_COUNT)`,
        );
      }
      slice = { taskIndex: slurm.index, taskCount: slurm.count, source: 'SLURM_ARRAY_TASK_ID' };
    } else if (gcp !== undefined) {
      const count = intVar(env, 'BATCH_TASK_COUNT') ?? givenCount;
      if (count === undefined) throw new WeftError('E_USAGE', 'BATCH_TASK_INDEX is set: pass --task-count');
      slice = { taskIndex: gcp, taskCount: count, source: 'BATCH_TASK_INDEX' };
    } else if (indexed) {
      const [name, index] = indexed;
      if (givenCount === undefined) {
        throw new WeftError(
          'E_USAGE',
          `${name} is set (an indexed array task) but the number of tasks is not known: pass --task-count N (the Job's completions) or set WEFT_TASK_COUNT`,
        );
      }
      slice = { taskIndex: index!, taskCount: givenCount, source: name };
    } else if (flags.taskCount !== undefined) {
      throw new WeftError('E_USAGE', '--task-index and --task-count go together');
    }
  }
  if (!slice) return undefined;
  const { taskIndex, taskCount } = slice;
  if (
    !Number.isInteger(taskCount) ||
    taskCount < 1 ||
    !Number.isInteger(taskIndex) ||
    taskIndex < 0 ||
    taskIndex >= taskCount
  ) {
    throw new WeftError(
      'E_USAGE',
      `--task-index must be an integer in [0, --task-count) and --task-count ≥ 1 (received ${taskIndex} of ${taskCount}, from ${slice.source})`,
    );
  }
  return slice;
}
