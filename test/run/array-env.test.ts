import { describe, expect, test } from 'vitest';
import { WeftError } from '../../src/errors.js';
import { taskSliceFrom } from '../../src/run/array-env.js';

function usageError(fn: () => unknown): WeftError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(WeftError);
    expect((error as WeftError).code).toBe('E_USAGE');
    return error as WeftError;
  }
  throw new Error('expected an E_USAGE error');
}

describe('task slice of an array job', () => {
  test('explicit flags win over the environment', () => {
    const env = { SLURM_ARRAY_TASK_ID: '3', SLURM_ARRAY_TASK_COUNT: '8' };
    expect(taskSliceFrom({ taskIndex: 1, taskCount: 4 }, env)).toEqual({
      taskIndex: 1,
      taskCount: 4,
      source: '--task-index',
    });
  });

  test('no flags and no array variables: not an array task', () => {
    expect(taskSliceFrom({}, { PATH: '/bin' })).toBeUndefined();
  });

  test('Slurm arrays: the index is the position in the --array range, whatever it starts at', () => {
    // sbatch --array=1-10
    expect(
      taskSliceFrom(
        {},
        {
          SLURM_ARRAY_TASK_ID: '1',
          SLURM_ARRAY_TASK_MIN: '1',
          SLURM_ARRAY_TASK_MAX: '10',
          SLURM_ARRAY_TASK_COUNT: '10',
        },
      ),
    ).toEqual({ taskIndex: 0, taskCount: 10, source: 'SLURM_ARRAY_TASK_ID' });
    // sbatch --array=0-30:10 → ids 0, 10, 20, 30
    expect(
      taskSliceFrom(
        {},
        {
          SLURM_ARRAY_TASK_ID: '20',
          SLURM_ARRAY_TASK_MIN: '0',
          SLURM_ARRAY_TASK_MAX: '30',
          SLURM_ARRAY_TASK_STEP: '10',
          SLURM_ARRAY_TASK_COUNT: '4',
        },
      ),
    ).toMatchObject({ taskIndex: 2, taskCount: 4 });
  });

  test('Slurm arrays with gaps (--array=1,4,9) are refused with what to do instead', () => {
    const error = usageError(() =>
      taskSliceFrom(
        {},
        {
          SLURM_ARRAY_TASK_ID: '4',
          SLURM_ARRAY_TASK_MIN: '1',
          SLURM_ARRAY_TASK_MAX: '9',
          SLURM_ARRAY_TASK_COUNT: '3',
        },
      ),
    );
    expect(error.message).toMatch(/not a plain range.*--task-index/);
  });

  test('a --task-count that disagrees with the Slurm array is refused', () => {
    const env = { SLURM_ARRAY_TASK_ID: '0', SLURM_ARRAY_TASK_MIN: '0', SLURM_ARRAY_TASK_COUNT: '8' };
    expect(usageError(() => taskSliceFrom({ taskCount: 4 }, env)).message).toMatch(/disagrees.*8/);
  });

  test('Kubernetes Indexed Jobs: JOB_COMPLETION_INDEX with the count from --task-count or WEFT_TASK_COUNT', () => {
    expect(taskSliceFrom({ taskCount: 5 }, { JOB_COMPLETION_INDEX: '4' })).toEqual({
      taskIndex: 4,
      taskCount: 5,
      source: 'JOB_COMPLETION_INDEX',
    });
    expect(taskSliceFrom({}, { JOB_COMPLETION_INDEX: '0', WEFT_TASK_COUNT: '3' })).toMatchObject({
      taskIndex: 0,
      taskCount: 3,
    });
    expect(usageError(() => taskSliceFrom({}, { JOB_COMPLETION_INDEX: '2' })).message).toMatch(
      /--task-count N \(the Job's completions\)/,
    );
  });

  test('Google Cloud Batch and AWS Batch arrays', () => {
    expect(taskSliceFrom({}, { BATCH_TASK_INDEX: '2', BATCH_TASK_COUNT: '6' })).toMatchObject({
      taskIndex: 2,
      taskCount: 6,
    });
    expect(taskSliceFrom({ taskCount: 6 }, { AWS_BATCH_JOB_ARRAY_INDEX: '5' })).toMatchObject({
      taskIndex: 5,
      taskCount: 6,
    });
  });

  test('out-of-range and malformed values are usage errors naming where they came from', () => {
    expect(usageError(() => taskSliceFrom({ taskCount: 3 }, { JOB_COMPLETION_INDEX: '3' })).message).toMatch(
      /received 3 of 3, from JOB_COMPLETION_INDEX/,
    );
    expect(
      usageError(() => taskSliceFrom({}, { SLURM_ARRAY_TASK_ID: 'x', SLURM_ARRAY_TASK_COUNT: '2' })).message,
    ).toMatch(/SLURM_ARRAY_TASK_ID must be an integer/);
    expect(usageError(() => taskSliceFrom({ taskIndex: 0 }, {})).message).toMatch(/go together/);
    expect(usageError(() => taskSliceFrom({ taskCount: 2 }, {})).message).toMatch(/go together/);
  });
});
