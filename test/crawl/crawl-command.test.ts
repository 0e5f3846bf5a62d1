import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { open, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { WARCParser } from 'warcio';
import { base32 } from '../../src/crawl/warc-writer.js';
import { layoutOf, openDataset, readDatasetRows } from '../../src/dataset/dataset-reader.js';
import type { CrawlLogEntry } from '../../src/records/crawl-log.js';
import { type Handler, startServer } from '../helpers/local-server.js';
import { cliPath } from '../helpers/paths.js';
import { runCli } from '../helpers/run-cli.js';
import { tempDir } from '../helpers/temp-dir.js';

const html =
  (body: string): Handler =>
  (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(`<!doctype html><html><head><title>t</title></head><body>${body}</body></html>`);
  };

function site(): Record<string, Handler> {
  return {
    '/robots.txt': (_req, res) => {
      res.end('User-agent: *\nDisallow: /private/\n');
    },
    '/': html(
      '<a href="/a">a</a> <a href="b">b</a> <a href="/c?x=1#frag">c</a> <a href="http://other.example/">out</a> <a href="/private/x">p</a> <a href="/moved">m</a> <a href="/noai">n</a> <a href="mailto:x@y">mail</a>',
    ),
    '/a': html('<base href="/deep/"><a href="d">d</a>'),
    '/b': (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html', 'content-encoding': 'gzip' });
      res.end(gzipSync('<html><body>gzipped page <a href="/a">a</a></body></html>'));
    },
    '/c': html('page c'),
    '/deep/d': html('deepest <a href="/too-deep">x</a>'),
    '/moved': (_req, res) => {
      res.writeHead(301, { location: '/c' });
      res.end();
    },
    '/noai': (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html', 'x-robots-tag': 'noai' });
      res.end('<p>no</p>');
    },
  };
}

async function crawlLog(dir: string): Promise<CrawlLogEntry[]> {
  const handle = await openDataset(dir);
  const layout = layoutOf(handle);
  const rows: CrawlLogEntry[] = [];
  for await (const row of readDatasetRows(handle)) rows.push((await layout.fromRow(row)) as CrawlLogEntry);
  return rows;
}

// Reads a .warc.gz with Python's standard library only (multi-member gzip), splits records by their
// Content-Length, and recomputes WARC-Block-Digest and WARC-Payload-Digest (sha1, base32).
const PYTHON_WARC_CHECK = `
import base64, gzip, hashlib, json, sys
data = gzip.open(sys.argv[1]).read()
pos, records, digests_ok, payloads_ok = 0, 0, 0, 0
def digest(b): return 'sha1:' + base64.b32encode(hashlib.sha1(b).digest()).decode()
while pos < len(data):
    end = data.index(b'\\r\\n\\r\\n', pos)
    lines = data[pos:end].decode('utf-8').split('\\r\\n')
    assert lines[0] == 'WARC/1.1', lines[0]
    headers = dict(l.split(': ', 1) for l in lines[1:])
    length = int(headers['Content-Length'])
    block = data[end + 4:end + 4 + length]
    assert data[end + 4 + length:end + 8 + length] == b'\\r\\n\\r\\n'
    records += 1
    digests_ok += digest(block) == headers['WARC-Block-Digest']
    if 'WARC-Payload-Digest' in headers:
        payload = block[block.index(b'\\r\\n\\r\\n') + 4:]
        payloads_ok += digest(payload) == headers['WARC-Payload-Digest']
    pos = end + 8 + length
print(json.dumps({'records': records, 'digestsOk': digests_ok, 'payloadsOk': payloads_ok}))
`;

const sha1 = (data: Uint8Array) => `sha1:${base32(createHash('sha1').update(data).digest())}`;

/** Checks one crawl-log row's WARC record with an independent reader (warcio.js) and our own digests. */
async function checkRecord(
  outDir: string,
  entry: CrawlLogEntry,
): Promise<{ payload: string; status: number }> {
  const file = await open(join(outDir, entry.warcFilename!), 'r');
  const member = Buffer.alloc(entry.warcRecordLength!);
  await file.read(member, 0, member.length, entry.warcRecordOffset!);
  await file.close();
  const raw = gunzipSync(member); // exactly one gzip member
  const record = await WARCParser.parse([raw]);
  expect(record!.warcType).toBe('response');
  expect(record!.warcTargetURI).toBe(entry.url);
  expect(record!.warcPayloadDigest).toBe(entry.payloadDigest);
  const payload = await record!.readFully(false);
  expect(sha1(payload)).toBe(entry.payloadDigest);
  // The block digest covers everything between the header and the closing CRLFs.
  const headerEnd = raw.indexOf('\r\n\r\n') + 4;
  const length = Number(/Content-Length: (\d+)/.exec(raw.subarray(0, headerEnd).toString())![1]);
  expect(sha1(raw.subarray(headerEnd, headerEnd + length))).toBe(record!.warcHeader('WARC-Block-Digest'));
  expect(raw.subarray(headerEnd + length).toString()).toBe('\r\n\r\n');
  return {
    payload: Buffer.from(payload).toString('utf8'),
    status: record!.httpHeaders!.statusCode as number,
  };
}

describe('weft crawl', () => {
  it('crawls within the seed host up to the depth, politely, into WARC/1.1 a WARC reader reads', async () => {
    const server = await startServer(site());
    const dir = await tempDir();
    await writeFile(join(dir, 'seeds.txt'), `# seeds\n${server.url}/\n`);
    const out = join(dir, 'out');
    const result = await runCli(
      [
        'crawl',
        '--seeds',
        join(dir, 'seeds.txt'),
        '--out',
        out,
        '--max-depth',
        '2',
        '--allow-private-range',
        '127.0.0.1/32',
        '--workers',
        '1',
        '--timeout-ms',
        '3000',
      ],
      { timeoutMs: 60_000 },
    );
    expect(result.stderr).not.toMatch(/Error:/);
    expect(result.code).toBe(0);
    const log = await crawlLog(out);
    const byPath = new Map(log.map((e) => [new URL(e.url).pathname + new URL(e.url).search, e]));
    expect([...byPath.keys()].sort()).toEqual([
      '/',
      '/a',
      '/b',
      '/c',
      '/c?x=1',
      '/deep/d',
      '/moved',
      '/noai',
      '/private/x',
    ]);
    expect(byPath.get('/private/x')).toMatchObject({ error: 'robots_disallowed', depth: 1 });
    expect(byPath.get('/noai')).toMatchObject({ error: 'opted_out' });
    expect(byPath.get('/moved')).toMatchObject({ status: 301, location: `${server.url}/c` });
    expect(byPath.get('/deep/d')).toMatchObject({ status: 200, depth: 2 });
    expect(byPath.get('/')).toMatchObject({ depth: 0, linksQueued: 6 });
    expect(server.hits.get('/too-deep') ?? 0).toBe(0);
    expect(server.hits.get('/private/x') ?? 0).toBe(0);
    expect(server.hits.get('/robots.txt')).toBe(1);

    for (const entry of log.filter((e) => !e.error)) {
      const { payload, status } = await checkRecord(out, entry);
      expect(status).toBe(entry.status);
      if (entry.url.endsWith('/b')) expect(payload).toContain('gzipped page'); // stored decoded
    }

    // The whole file, record by record, with warcio.js: warcinfo, then request/response pairs.
    const stats = JSON.parse(await readFile(join(out, 'stats.json'), 'utf8'));
    expect(stats.files).toHaveLength(1);
    const types: string[] = [];
    const responses = new Set<string>();
    const concurrent: string[] = [];
    for await (const record of WARCParser.iterRecords([readFileSync(join(out, stats.files[0]))])) {
      types.push(record.warcType);
      expect(record.warcHeader('WARC-Record-ID')).toMatch(/^<urn:uuid:[0-9a-f-]{36}>$/);
      expect(record.warcHeaders.protocol).toBe('WARC/1.1');
      if (record.warcType === 'response') responses.add(record.warcHeader('WARC-Record-ID')!);
      if (record.warcType === 'request') concurrent.push(record.warcHeader('WARC-Concurrent-To')!);
      await record.readFully(false);
    }
    const archived = log.filter((e) => !e.error).length;
    expect(types[0]).toBe('warcinfo');
    // A second, independent reader: Python's gzip, hashlib and base64 check every record's digests.
    const checked = JSON.parse(
      execFileSync('python3', ['-c', PYTHON_WARC_CHECK, join(out, stats.files[0])], { encoding: 'utf8' }),
    ) as { records: number; digestsOk: number; payloadsOk: number };
    expect(checked.records).toBe(types.length);
    expect(checked.digestsOk).toBe(types.length);
    expect(checked.payloadsOk).toBe(2 * archived);
    expect(types.filter((t) => t === 'response')).toHaveLength(archived);
    expect(types.filter((t) => t === 'request')).toHaveLength(archived);
    expect(concurrent.every((id) => responses.has(id))).toBe(true);
  });

  it('resumes a killed crawl without refetching what it had archived', async () => {
    let release: (() => void) | undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const pages: Record<string, Handler> = {
      '/robots.txt': (_req, res) => {
        res.end('');
      },
      '/': html(
        `${Array.from({ length: 6 }, (_, i) => `<a href="/p${i}">p${i}</a>`).join(' ')}<a href="/slow">s</a>`,
      ),
      '/slow': async (_req, res) => {
        await gate;
        html('finally')(_req, res);
      },
    };
    for (let i = 0; i < 6; i++) pages[`/p${i}`] = html(`page ${i}`);
    const server = await startServer(pages);
    const dir = await tempDir();
    await writeFile(join(dir, 'seeds.txt'), `${server.url}/\n`);
    const out = join(dir, 'out');
    const args = [
      'crawl',
      '--seeds',
      join(dir, 'seeds.txt'),
      '--out',
      out,
      '--max-depth',
      '1',
      '--allow-private-range',
      '127.0.0.1/32',
      '--workers',
      '1',
      '--timeout-ms',
      '20000',
      '--per-host-rps',
      '0',
    ];

    const child = spawn(process.execPath, [cliPath, ...args], { stdio: 'ignore' });
    const stateLog = join(out, '.weft/state/00000/crawl-log.jsonl');
    const deadline = Date.now() + 20_000;
    const doneCount = async () =>
      existsSync(stateLog)
        ? (await readFile(stateLog, 'utf8')).split('\n').filter((l) => l.includes('"e":"done"')).length
        : 0;
    while ((await doneCount()) < 7 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(await doneCount()).toBe(7); // the seed and p0..p5; /slow hangs
    child.kill('SIGKILL');
    await new Promise((r) => child.on('close', r));
    // A torn write at the end of the WARC file, as a kill mid-record leaves.
    const warcDir = join(out, '.weft/state/00000/warc');
    const [warc] = await readdir(warcDir);
    await writeFile(join(warcDir, warc!), gzipSync('WARC/1.1\r\nWARC-Type: resp').subarray(0, 20), {
      flag: 'a',
    });

    release!();
    const result = await runCli(args, { timeoutMs: 60_000 });
    expect(result.code).toBe(0);
    const log = await crawlLog(out);
    expect(log).toHaveLength(8);
    for (const path of ['/', '/p0', '/p5']) expect(server.hits.get(path)).toBe(1);
    expect(log.filter((e) => !e.error)).toHaveLength(8);
    for (const entry of log) await checkRecord(out, entry);
    for (const file of JSON.parse(await readFile(join(out, 'stats.json'), 'utf8')).files as string[]) {
      let n = 0;
      for await (const record of WARCParser.iterRecords([readFileSync(join(out, file))])) {
        await record.readFully(false);
        n += 1;
      }
      expect(n).toBeGreaterThan(1);
    }
  });
});

describe('WARC digests', () => {
  it('are RFC 4648 base32 of sha1', () => {
    expect(base32(Buffer.from('foobar'))).toBe('MZXW6YTBOI======');
    expect(sha1(Buffer.alloc(0))).toBe('sha1:3I42H3S6NNFQ2MSVX7XZKYAYSCX5QBYJ');
  });
});
