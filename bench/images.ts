// Benchmark: end-to-end image download (local HTTP server in another process → undici fetch → decode
// → EXIF rotate → resize to ≤ 980 px → encode → pHash → store), the download phase's own code, beside
// sharp alone doing decode + rotate + resize 980 + JPEG q90 on the same images from memory.
// Both run on one libvips thread (sharp.concurrency(1), UV_THREADPOOL_SIZE=1 set below); figures are
// images per wall second and per CPU second of this process (the "per core" figure).
// Usage: npm run bench -- images [rounds]
import { fork } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

if (process.env.UV_THREADPOOL_SIZE !== '1') {
  // The thread pool size is read once at start-up: re-run this file with it set.
  const child = fork(fileURLToPath(import.meta.url), process.argv.slice(2), {
    env: { ...process.env, UV_THREADPOOL_SIZE: '1' },
    execArgv: process.execArgv,
  });
  child.on('exit', (code) => process.exit(code ?? 1));
} else {
  await main();
}

async function main(): Promise<void> {
  const sharp = (await import('sharp')).default;
  const { processImage } = await import('../src/images/process-image.js');
  const { ImagesOptions } = await import('../src/images/images-options.js');
  const { downloadPhase } = await import('../src/images/download-phases.js');
  const { partitionFileName } = await import('../src/images/image-store.js');
  const { silentLogger } = await import('../src/pipeline/logger.js');
  sharp.concurrency(1);
  sharp.cache(false);

  const rounds = Number(process.argv[2] ?? 3);
  const corpora = resolve(process.env.WEFT_CORPORA ?? '../shared/corpora');
  const dir = join(corpora, 'images/sharp-fixtures');
  const optionsFor = (sizePx: number) =>
    ImagesOptions.parse({
      input: 'bench.txt',
      image: { imageSizePx: sizePx },
      decodeConcurrency: 1,
      fetch: {
        allowedPrivateRanges: ['127.0.0.1/32'],
        perHostConcurrency: 16,
        perHostRequestsPerSecond: 0,
        concurrency: 16,
      },
    });
  // The images: every fixture weft decodes (bombs, broken and non-image files are left out of both sides).
  const names: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const result = await processImage(readFileSync(join(dir, name)), optionsFor(980).image);
    if (result.ok) names.push(name);
  }
  const images = names.map((n) => readFileSync(join(dir, n)));
  const totalMb = images.reduce((n, b) => n + b.byteLength, 0) / 1e6;
  console.log(`images: ${names.length} fixtures (${totalMb.toFixed(1)} MB), ${rounds} rounds`);

  // The server: another process, serving the fixtures from memory.
  const serverCode = `
    const http = require('node:http'); const fs = require('node:fs');
    const dir = ${JSON.stringify(dir)}; const names = ${JSON.stringify(names)};
    const files = new Map(names.map((n) => ['/' + encodeURIComponent(n), fs.readFileSync(dir + '/' + n)]));
    const s = http.createServer((req, res) => {
      const body = files.get(req.url.split('?')[0]);
      if (req.url === '/robots.txt') return res.end('User-agent: *\\nAllow: /\\n');
      if (!body) { res.statusCode = 404; return res.end(); }
      res.writeHead(200, { 'content-type': 'image/jpeg', 'content-length': body.length }); res.end(body);
    });
    s.keepAliveTimeout = 30000;
    s.listen(0, '127.0.0.1', () => process.send(s.address().port));`;
  const tmp = await mkdtemp(join(tmpdir(), 'weft-bench-images-'));
  await writeFile(join(tmp, 'server.cjs'), serverCode);
  const server = fork(join(tmp, 'server.cjs'), [], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  process.on('exit', () => server.kill());
  const port = await new Promise<number>((r) => server.once('message', (m) => r(m as number)));

  const cpuSeconds = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1e6;

  // Anchor: sharp alone, from memory, one image at a time.
  const sharpAlone = async (sizePx: number) => {
    const cpu = process.cpuUsage();
    const t = performance.now();
    for (let r = 0; r < rounds; r++) {
      for (const bytes of images) {
        await sharp(bytes, { failOn: 'truncated' })
          .rotate()
          .resize({ width: sizePx, height: sizePx, fit: 'inside', withoutEnlargement: true })
          .jpeg({ quality: 90 })
          .toBuffer();
      }
    }
    return {
      n: rounds * images.length,
      wallS: (performance.now() - t) / 1000,
      cpuS: cpuSeconds(process.cpuUsage(cpu)),
    };
  };

  // weft: the download phase's task over URL list (each URL distinct, so each is really fetched).
  const weft = async (sizePx: number) => {
    const options = optionsFor(sizePx);
    const work = await mkdtemp(join(tmp, 'run-'));
    await mkdir(join(work, 'urls'));
    await mkdir(join(work, 'out'));
    const urls: string[] = [];
    for (let r = 0; r < rounds; r++)
      for (const n of names) urls.push(`http://127.0.0.1:${port}/${encodeURIComponent(n)}?r=${r}`);
    await writeFile(join(work, 'urls', partitionFileName(0)), urls.join('\n'));
    const cpu = process.cpuUsage();
    const t = performance.now();
    const stats = await downloadPhase.runTask(
      options,
      { label: 'bench', input: null },
      {
        task: { index: 0, count: 1, id: '00000' },
        log: silentLogger,
        scratchDir: work,
        filesDir: work,
        stateDir: work,
        outDir: join(work, 'out'),
        phaseDir: () => join(work, 'urls'),
      },
    );
    const result = {
      n: stats![0]!.out,
      wallS: (performance.now() - t) / 1000,
      cpuS: cpuSeconds(process.cpuUsage(cpu)),
    };
    if (result.n !== urls.length) console.log('  weft dropped:', stats![0]!.dropped);
    return result;
  };

  const fmt = (x: { n: number; wallS: number; cpuS: number }) =>
    `${(x.n / x.wallS).toFixed(1)} images/s wall, ${(x.n / x.cpuS).toFixed(1)} images per CPU-second (${x.n} images, ${x.wallS.toFixed(2)} s, CPU ${x.cpuS.toFixed(2)} s)`;
  type Run = { n: number; wallS: number; cpuS: number };
  const best = (x: Run, y: Run) => (x.n / x.cpuS > y.n / y.cpuS ? x : y);
  await sharpAlone(980); // warm-up
  for (const size of [980, 256]) {
    // Interleaved, best of two each, to damp the noise of a shared machine.
    const a = await sharpAlone(size);
    const w = await weft(size);
    const A = best(a, await sharpAlone(size));
    const W = best(w, await weft(size));
    console.log(`\n— resize to ≤ ${size} px —`);
    console.log(`sharp alone (memory → decode, rotate, resize, JPEG q90): ${fmt(A)}`);
    console.log(`weft images (HTTP → fetch, validate, rotate, resize, encode, pHash, store): ${fmt(W)}`);
    console.log(
      `ratio weft / sharp alone: per CPU-second ${(W.n / W.cpuS / (A.n / A.cpuS)).toFixed(2)}, wall ${(W.n / W.wallS / (A.n / A.wallS)).toFixed(2)}`,
    );
  }
  server.kill();
  await rm(tmp, { recursive: true, force: true });
  console.log('goals: ≥ 100 images/s per core (img2dataset), ≥ 0.8 of sharp alone');
}
