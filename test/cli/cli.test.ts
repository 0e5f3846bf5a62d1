import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { runCli } from '../helpers/run-cli.js';
import { tempDir } from '../helpers/temp-dir.js';

test('help, version and usage errors have the documented exit codes', async () => {
  const help = await runCli(['--help']);
  expect(help.code).toBe(0);
  expect(help.stdout).toContain('inspect');
  expect(help.stdout).toContain('demo');
  expect((await runCli([])).code).toBe(2);
  const unknown = await runCli(['frobnicate']);
  expect(unknown.code).toBe(2);
  expect(unknown.stderr).toContain('unknown command "frobnicate"');
  const badFlag = await runCli(['inspect', 'x', '--colour']);
  expect(badFlag.code).toBe(2);
  expect(badFlag.stderr).toMatch(/Unknown option '--colour'.*Known options: --json/);
  const badNumber = await runCli(['demo', '--out', 'x', '--workers', 'many']);
  expect(badNumber.code).toBe(2);
  expect(badNumber.stderr).toContain('--workers must be a number (received "many")');
  const inspectHelp = await runCli(['inspect', '--help']);
  expect(inspectHelp.code).toBe(0);
  expect(inspectHelp.stdout).toContain('Usage: weft inspect DIR [--json]');
});

test('bad options and config files stop the run before any work, naming the option or the line', async () => {
  const dir = await tempDir();
  const out = join(dir, 'out');
  const badOption = await runCli([
    'run',
    'demo-images',
    '--options',
    '{"count": -5}',
    '--out',
    out,
    '--json',
  ]);
  expect(badOption.code).toBe(2);
  expect(badOption.stderr).toMatch(/demo-images options: count: .*>=0.*received -5/);
  expect(JSON.parse(badOption.stdout)).toMatchObject({ ok: false, error: { code: 'E_CONFIG' } });

  const yamlFile = join(dir, 'images.yaml');
  await writeFile(yamlFile, 'count: 10\nseed: [unclosed\n');
  const badYaml = await runCli(['run', 'demo-images', '--config', yamlFile, '--out', out]);
  expect(badYaml.code).toBe(2);
  expect(badYaml.stderr).toMatch(new RegExp(`${yamlFile}:\\d+: Flow sequence`));

  await writeFile(yamlFile, 'count: 10\nimagesPerTsk: 4\n');
  const typo = await runCli(['run', 'demo-images', '--config', yamlFile, '--out', out]);
  expect(typo.code).toBe(2);
  expect(typo.stderr).toContain(`${yamlFile}:2: demo-images options: Unrecognized key: "imagesPerTsk"`);

  await writeFile(yamlFile, 'count: 10\nseed: 1\nimagesPerTask: -4\n');
  const badValue = await runCli(['run', 'demo-images', '--config', yamlFile, '--out', out]);
  expect(badValue.code).toBe(2);
  expect(badValue.stderr).toMatch(
    new RegExp(`${yamlFile}:3: demo-images options: imagesPerTask: .*received -4`),
  );

  const missingOut = await runCli(['run', 'demo-images']);
  expect(missingOut.code).toBe(2);
  expect(missingOut.stderr).toContain('--out DIR is required');
});

test('weft demo writes a real image dataset and weft inspect --json describes it', async () => {
  const out = join(await tempDir(), 'demo');
  const demo = await runCli(['demo', '--out', out, '--only', 'images', '--workers', '2', '--json']);
  expect(demo.code).toBe(0);
  const summary = JSON.parse(demo.stdout.trim().split('\n').pop()!);
  expect(summary.ok).toBe(true);
  const images = summary.steps.find((s: { step: string }) => s.step === 'images');
  expect(images.rows).toBeGreaterThan(50);

  const inspect = await runCli(['inspect', out, '--json']);
  expect(inspect.code).toBe(0);
  const described = JSON.parse(inspect.stdout);
  const dataset = described.datasets.find((d: { path: string }) => d.path.endsWith('/images'));
  expect(dataset).toMatchObject({
    status: 'complete',
    layout: 'image-text-pairs',
    rows: images.rows,
    shards: 1,
    job: 'demo-images',
    columns: { image: 'Image', caption: 'string', width: 'int32' },
    features: { image: { _type: 'Image' } },
  });
  expect(dataset.bytes).toBeGreaterThan(100_000);
  const funnel = dataset.stages.map((s: { name: string; out: number }) => [s.name, s.out]);
  expect(funnel[0]).toEqual(['generate-specs', 96]);
  expect(funnel.at(-1)).toEqual(['write-dataset', images.rows]);

  const human = await runCli(['inspect', join(out, 'images')]);
  expect(human.stdout).toMatch(/rows\s+\d+/);
  expect(human.stdout).toContain('image-size');
  const missing = await runCli(['inspect', join(out, 'nope')]);
  expect(missing.code).toBe(1);
  const badStep = await runCli(['demo', '--out', out, '--only', 'imgs']);
  expect(badStep.code).toBe(2);
  expect(badStep.stderr).toContain('--only: unknown step imgs');
});

test('inspect tells an unfinished run from a dataset', async () => {
  const dir = await tempDir();
  const out = join(dir, 'slice');
  const slice = await runCli([
    'run',
    'demo-images',
    '--options',
    '{"count": 32, "imagesPerTask": 8}',
    '--out',
    out,
    '--task-index',
    '0',
    '--task-count',
    '2',
    '--json',
  ]);
  expect(slice.code).toBe(0);
  expect(JSON.parse(slice.stdout)).toMatchObject({ committed: false, tasks: { ran: 2 } });
  const inspect = await runCli(['inspect', out, '--json']);
  expect(JSON.parse(inspect.stdout)).toMatchObject({ status: 'unfinished', tasks: { total: 4, done: 2 } });
  const commitEarly = await runCli(['commit', out]);
  expect(commitEarly.code).toBe(1);
  expect(commitEarly.stderr).toContain('2 of 4 tasks are unfinished');
  const rest = await runCli([
    'run',
    'demo-images',
    '--options',
    '{"count": 32, "imagesPerTask": 8}',
    '--out',
    out,
    '--task-index',
    '1',
    '--task-count',
    '2',
    '--json',
  ]);
  expect(JSON.parse(rest.stdout)).toMatchObject({ committed: true });
});
