import { execFileSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { WeftError } from '../../src/errors.js';
import { loadPipelineSpec, resolveRun, timeStamp } from '../../src/queue/pipeline-spec.js';
import { repoRoot } from '../helpers/paths.js';
import { tempDir } from '../helpers/temp-dir.js';

async function specFile(text: string): Promise<string> {
  const dir = await tempDir();
  const path = join(dir, 'my-pipeline.yaml');
  await writeFile(path, text);
  return path;
}

async function configError(text: string): Promise<WeftError> {
  try {
    await loadPipelineSpec(await specFile(text));
  } catch (error) {
    expect(error).toBeInstanceOf(WeftError);
    expect((error as WeftError).code).toBe('E_CONFIG');
    return error as WeftError;
  }
  throw new Error('expected E_CONFIG');
}

describe('PIPELINE.yaml', () => {
  test('the single-job shorthand: one step writing into the out folder itself, resolved next to the file', async () => {
    const path = await specFile('out: data/images\njob: demo-images\noptions: { count: 10 }\n');
    const spec = await loadPipelineSpec(path);
    expect(spec).toMatchObject({
      name: 'my-pipeline',
      out: join(path, '..', 'data/images'),
      steps: [{ name: 'my-pipeline', job: 'demo-images', options: { count: 10 } }],
      retry: { attempts: 3, backoffMs: 5000 },
      maxShardBytes: 500_000_000,
      overwrite: false,
    });
    const run = resolveRun(spec, { now: new Date('2024-05-01T03:00:00.123Z') });
    expect(run.id).toMatch(/^my-pipeline-2024-05-01T030000Z-[0-9a-f]{6}$/);
    expect(run.steps[0]!.out).toBe(spec.out);
  });

  test('steps: outputs under the run folder, variables filled in, dated runs in a folder per firing', async () => {
    const spec = await loadPipelineSpec(
      await specFile(
        [
          'name: nightly',
          'out: /shared/crawls',
          'maxShardSize: 1GB',
          'retry: { attempts: 5, backoffMs: 100 }',
          'steps:',
          '  - name: crawl',
          '    job: demo-images',
          // biome-ignore lint/suspicious/noTemplateCurlyInString: a pipeline variable, not a template
          '    options: { warcDir: "${runDir}/warc", tag: "crawl-${date}", list: ["${stamp}"] }',
          '  - name: pairs',
          '    job: demo-images',
          // biome-ignore lint/suspicious/noTemplateCurlyInString: a pipeline variable, not a template
          '    out: pairs-${date}',
          // biome-ignore lint/suspicious/noTemplateCurlyInString: a pipeline variable, not a template
          '    options: { input: "${steps.crawl.out}" }',
        ].join('\n'),
      ),
    );
    const run = resolveRun(spec, {
      now: new Date('2024-05-01T03:00:00Z'),
      dated: true,
      scheduleId: 'nightly',
    });
    expect(run.runDir).toBe('/shared/crawls/2024-05-01T030000Z');
    expect(run.steps).toEqual([
      {
        name: 'crawl',
        job: 'demo-images',
        out: '/shared/crawls/2024-05-01T030000Z/crawl',
        options: {
          warcDir: '/shared/crawls/2024-05-01T030000Z/warc',
          tag: 'crawl-2024-05-01',
          list: ['2024-05-01T030000Z'],
        },
      },
      {
        name: 'pairs',
        job: 'demo-images',
        out: '/shared/crawls/2024-05-01T030000Z/pairs-2024-05-01',
        options: { input: '/shared/crawls/2024-05-01T030000Z/crawl' },
      },
    ]);
    expect(run).toMatchObject({
      maxShardBytes: 1e9,
      retry: { attempts: 5, backoffMs: 100 },
      scheduleId: 'nightly',
    });
    // `dated: false` in the file wins over a schedule's default.
    const undated = await loadPipelineSpec(await specFile('out: /x\ndated: false\njob: demo-images\n'));
    expect(resolveRun(undated, { dated: true }).runDir).toBe('/x');
  });

  test('mistakes are E_CONFIG errors that name the file and the field', async () => {
    expect((await configError('out: x\njob: demo-images\nretries: 3\n')).message).toMatch(
      /my-pipeline\.yaml.*retries/,
    );
    expect((await configError('job: demo-images\n')).message).toMatch(/out/);
    expect((await configError('out: x\n')).message).toMatch(/steps: required: a list of steps, or a job/);
    expect((await configError('out: x\njob: a\nsteps: [{name: s, job: b}]\n')).message).toMatch(
      /either steps, or job/,
    );
    expect(
      (await configError('out: x\nsteps: [{name: a, job: demo-images}, {name: a, job: demo-images}]\n'))
        .message,
    ).toMatch(/steps\[1\]\.name: duplicate step name "a"/);
    expect((await configError('out: x\nsteps: [{name: "a b", job: demo-images}]\n')).message).toMatch(
      /steps\[0\]\.name/,
    );
    expect((await configError('out: x\njob: j\nretry: { attempts: 0 }\n')).message).toMatch(
      /retry\.attempts/,
    );
    expect((await configError('out: x\njob: j\n  bad: [indent\n')).message).toMatch(/my-pipeline\.yaml:\d+/);
    const spec = await loadPipelineSpec(
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a pipeline variable, not a template
      await specFile('out: x\njob: demo-images\noptions: { input: "${nope}" }\n'),
    );
    expect(() => resolveRun(spec)).toThrow(/unknown variable \$\{nope\}; known: \$\{runDir\}/);
  });

  test('time stamps sort and are safe in file names', () => {
    expect(timeStamp(new Date('2024-12-31T23:59:58.999Z'))).toBe('2024-12-31T235958Z');
  });
});

test('the deploy/ examples are valid', async () => {
  for (const file of ['deploy/queue/pipeline.yaml', 'deploy/queue/crawl-schedule.yaml']) {
    const spec = await loadPipelineSpec(join(repoRoot, file));
    expect(spec.steps.length).toBeGreaterThan(0);
  }
  for (const file of [
    'deploy/kubernetes/weft-indexed-job.yaml',
    'deploy/kubernetes/weft-worker-deployment.yaml',
  ]) {
    const text = await readFile(join(repoRoot, file), 'utf8');
    const docs = text.split(/^---$/m).map((d) => parse(d));
    expect(docs[0].kind).toMatch(/^(Job|Deployment)$/);
  }
  execFileSync('bash', ['-n', join(repoRoot, 'deploy/slurm/weft-array.sbatch')]);
});
