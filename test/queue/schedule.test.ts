// Scheduled runs on a real redis-server: a pipeline scheduled every 2 seconds fires, a worker turns the
// firing into a run in a new dated folder (first step, then its downstream step), and the schedule
// can be listed and removed.

import { readdir, readFile, writeFile } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { readDatasetRows } from '../../src/dataset/dataset-reader.js';
import { startServer } from '../helpers/local-server.js';
import { repoRoot } from '../helpers/paths.js';
import { hasRedis, type RedisInstance, startRedis } from '../helpers/redis-server.js';
import { type CliResult, runCli } from '../helpers/run-cli.js';
import { tempDir } from '../helpers/temp-dir.js';
import { startWeft } from '../helpers/weft-process.js';

const env = { WEFT_JOB_MODULES: resolve(repoRoot, 'test/fixtures/jobs/test-jobs.mjs') };

function ok(result: CliResult): CliResult {
  if (result.code !== 0) throw new Error(`weft exited ${result.code}:\n${result.stderr}\n${result.stdout}`);
  return result;
}

async function rowsOf(dir: string): Promise<Record<string, unknown>[]> {
  const rows: Record<string, unknown>[] = [];
  for await (const row of readDatasetRows(dir)) rows.push(row);
  return rows;
}

describe.skipIf(!hasRedis)('scheduled runs (BullMQ job scheduler on a real redis-server)', () => {
  let redis: RedisInstance;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  test('a schedule fires, its run lands in a dated folder with its downstream step, and it can be removed', async () => {
    const dir = await tempDir();
    const queue = ['--redis', redis.url, '--queue', 'sched'];
    // The crawl step's job is configuration: any registered job can be the first step.
    await writeFile(
      join(dir, 'nightly.yaml'),
      [
        'name: nightly',
        'out: crawls',
        'steps:',
        '  - name: crawl',
        '    job: demo-images',
        '    options: { count: 24, imagesPerTask: 8 }',
        '  - name: captions',
        '    job: test-upper-captions',
        // biome-ignore lint/suspicious/noTemplateCurlyInString: a pipeline variable, not a template
        '    options: { input: "${steps.crawl.out}" }',
        '',
      ].join('\n'),
    );
    const added = JSON.parse(
      ok(
        await runCli(['schedule', join(dir, 'nightly.yaml'), '--cron', '*/2 * * * * *', ...queue, '--json'], {
          env,
        }),
      ).stdout,
    );
    expect(added.schedule).toMatchObject({ id: 'nightly', cron: '*/2 * * * * *', pipeline: 'nightly' });
    const listed = JSON.parse(ok(await runCli(['schedule', '--list', ...queue, '--json'])).stdout);
    expect(listed.schedules.map((s: { id: string }) => s.id)).toEqual(['nightly']);

    const worker = startWeft(['worker', ...queue, '--concurrency', '1', '--log-format', 'json'], env);
    const finished = await worker.waitForLine(/"msg":"run nightly-[^"]+ finished"/, 60_000);
    expect(ok(await runCli(['schedule', '--remove', 'nightly', ...queue])).code).toBe(0);
    expect(JSON.parse(ok(await runCli(['schedule', '--list', ...queue, '--json'])).stdout).schedules).toEqual(
      [],
    );
    worker.child.kill('SIGTERM');
    expect((await worker.exited).code).toBe(0);

    const runId = JSON.parse(finished).run as string;
    const status = JSON.parse(ok(await runCli(['status', ...queue, '--run', runId, '--json'])).stdout);
    expect(status.runs[0]).toMatchObject({ state: 'done', scheduleId: 'nightly' });
    // Each firing writes a new folder named by its UTC fire time.
    const dated = status.runs[0].runDir as string;
    expect(dated).toMatch(/crawls\/\d{4}-\d{2}-\d{2}T\d{6}Z$/);
    expect(await readdir(join(dir, 'crawls'))).toContain(dated.split('/').at(-1));
    const crawl = await rowsOf(join(dated, 'crawl'));
    const captions = await rowsOf(join(dated, 'captions'));
    expect(crawl.length).toBeGreaterThan(10);
    expect(captions.map((r) => r.caption)).toEqual(crawl.map((r) => String(r.caption).toUpperCase()));
  });

  test('a scheduled crawl (the real crawl job) writes a new dated WARC set at each firing', async () => {
    const page = (body: string) => (_req: unknown, res: ServerResponse) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(`<!doctype html><html><body>${body}</body></html>`);
    };
    const server = await startServer({
      '/robots.txt': (_req, res) => {
        res.end('User-agent: *\nAllow: /\n');
      },
      '/': page('<a href="/news">news</a>'),
      '/news': page('today'),
    });
    const dir = await tempDir();
    await writeFile(join(dir, 'seeds.txt'), `${server.url}/\n`);
    const queue = ['--redis', redis.url, '--queue', 'recrawl'];
    await writeFile(
      join(dir, 'recrawl.yaml'),
      [
        'name: recrawl',
        'out: crawls',
        'steps:',
        '  - name: crawl',
        '    job: crawl',
        '    options:',
        `      seeds: ${join(dir, 'seeds.txt')}`,
        '      maxDepth: 1',
        '      fetch: { allowedPrivateRanges: ["127.0.0.1/32"], retries: 0 }',
        '',
      ].join('\n'),
    );
    ok(await runCli(['schedule', join(dir, 'recrawl.yaml'), '--cron', '*/2 * * * * *', ...queue]));
    const worker = startWeft(['worker', ...queue, '--concurrency', '1', '--log-format', 'json'], env);
    const finished = () => worker.json().filter((l) => /^run recrawl-\S+ finished$/.test(String(l.msg)));
    await worker.waitForLine(/"msg":"run recrawl-[^"]+ finished"/, 60_000);
    const deadline = Date.now() + 60_000;
    while (finished().length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    ok(await runCli(['schedule', '--remove', 'recrawl', ...queue]));
    worker.child.kill('SIGTERM');
    expect((await worker.exited).code).toBe(0);

    const runs = finished().map((l) => String(l.run));
    expect(runs.length).toBeGreaterThanOrEqual(2);
    const folders = (await readdir(join(dir, 'crawls'))).filter((f) => /^\d{4}-\d{2}-\d{2}T\d{6}Z$/.test(f));
    for (const runId of runs.slice(0, 2)) {
      const stamp = runId.slice('recrawl-'.length);
      expect(folders).toContain(stamp);
      const crawl = join(dir, 'crawls', stamp, 'crawl');
      const log = await rowsOf(crawl);
      expect(log.filter((r) => r.status === 200).map((r) => r.url)).toEqual(
        expect.arrayContaining([`${server.url}/`, `${server.url}/news`]),
      );
      const warcs = await readdir(join(crawl, 'warc'));
      expect(warcs.length).toBeGreaterThan(0);
      expect(
        gunzipSync(await readFile(join(crawl, 'warc', warcs[0]!)))
          .subarray(0, 8)
          .toString(),
      ).toBe('WARC/1.1');
    }
    // Each firing fetched the site again.
    expect(server.hits.get('/')).toBeGreaterThanOrEqual(2);
  });

  test('bad schedules are refused before anything is stored', async () => {
    const dir = await tempDir();
    const queue = ['--redis', redis.url, '--queue', 'sched-bad'];
    await writeFile(join(dir, 'p.yaml'), 'out: x\njob: demo-images\n');
    const cron = await runCli(['schedule', join(dir, 'p.yaml'), '--cron', 'every night', ...queue]);
    expect(cron.code).toBe(2);
    expect(cron.stderr).toMatch(/--cron "every night".*not a valid schedule/);
    await writeFile(join(dir, 'q.yaml'), 'out: x\njob: no-such-job\n');
    const job = await runCli(['schedule', join(dir, 'q.yaml'), '--cron', '0 3 * * *', ...queue]);
    expect(job.code).toBe(2);
    expect(job.stderr).toMatch(/unknown job "no-such-job"/);
    expect(JSON.parse(ok(await runCli(['schedule', '--list', ...queue, '--json'])).stdout).schedules).toEqual(
      [],
    );
  });
});
