// Benchmark: end-to-end image download (local HTTP server in another process → undici fetch → decode
// → EXIF rotate → resize → encode → pHash → store), the download phase's own code, beside sharp alone
// doing decode + rotate + resize + JPEG q90 on the same images from memory, on two sets:
// - fixtures: sharp's test images, a robustness set of unusually large and exotic files (many 2–8 Mpx
//   PNG/TIFF, CMYK, 16-bit) — not what the web serves;
// - web-like: generated here (bench/lib/web-images.ts) from the corpora's photos: 150 images, 200–1200
//   px, 20–300 kB, mostly JPEG with the usual EXIF/ICC mix — what img2dataset's 100 images/s per core
//   is about.
// Both sides run on one libvips thread (sharp.concurrency(1), UV_THREADPOOL_SIZE=1 set below); figures
// are images per wall second and per CPU second of this process (the "per core" figure).
// Usage: npm run bench -- images [rounds]
import { fork } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
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

interface ImageSet {
  name: string;
  label: string;
  /** URL path → bytes. */
  files: Map<string, Buffer>;
}

type Run = { n: number; wallS: number; cpuS: number; kept?: number };

async function main(): Promise<void> {
  const sharp = (await import('sharp')).default;
  const { processImage } = await import('../src/images/process-image.js');
  const { ImagesOptions } = await import('../src/images/images-options.js');
  const { downloadPhase } = await import('../src/images/download-phases.js');
  const { partitionFileName } = await import('../src/images/image-store.js');
  const { silentLogger } = await import('../src/pipeline/logger.js');
  const { generateWebImages } = await import('./lib/web-images.js');
  sharp.concurrency(1);
  sharp.cache(false);

  const rounds = Number(process.argv[2] ?? 3);
  const corpora = resolve(process.env.WEFT_CORPORA ?? '../shared/corpora');
  const load = () =>
    loadavg()
      .map((x) => x.toFixed(2))
      .join(' ');
  const startLoad = load();
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

  // The fixtures weft decodes (bombs, broken and non-image files are left out of both sides).
  const fixtureDir = join(corpora, 'images/sharp-fixtures');
  const fixtures: ImageSet = {
    name: 'fixtures',
    label: 'sharp fixtures (robustness set: large and exotic files)',
    files: new Map(),
  };
  for (const name of readdirSync(fixtureDir).sort()) {
    const bytes = readFileSync(join(fixtureDir, name));
    if ((await processImage(bytes, optionsFor(980).image)).ok)
      fixtures.files.set(`/f/${encodeURIComponent(name)}`, bytes);
  }
  const web: ImageSet = {
    name: 'web-like',
    label: 'web-like (generated: 200–1200 px photos, 20–300 kB, 85 % JPEG)',
    files: new Map((await generateWebImages(corpora)).map((i) => [`/w/${i.name}`, i.bytes])),
  };
  const sets = [fixtures, web];
  for (const set of sets) {
    const sizes = [...set.files.values()].map((b) => b.byteLength).sort((a, b) => a - b);
    const kb = (p: number) => (sizes[Math.floor(p * (sizes.length - 1))]! / 1000).toFixed(0);
    console.log(
      `${set.name}: ${sizes.length} images, ${(sizes.reduce((n, b) => n + b, 0) / 1e6).toFixed(1)} MB (median ${kb(0.5)} kB, ${kb(0)}–${kb(1)} kB), ${rounds} rounds`,
    );
  }

  // The server: another process, serving every set from memory (the files are handed over on disk).
  const tmp = await mkdtemp(join(tmpdir(), 'weft-bench-images-'));
  const routes: [string, string][] = [];
  let fileIndex = 0;
  for (const set of sets) {
    for (const [path, bytes] of set.files) {
      const file = join(tmp, `image-${fileIndex++}`);
      await writeFile(file, bytes);
      routes.push([path, file]);
    }
  }
  const serverCode = `
    const http = require('node:http'); const fs = require('node:fs');
    const files = new Map(${JSON.stringify(routes)}.map(([p, f]) => [p, fs.readFileSync(f)]));
    const s = http.createServer((req, res) => {
      const body = files.get(req.url.split('?')[0]);
      if (req.url === '/robots.txt') return res.end('User-agent: *\\nAllow: /\\n');
      if (!body) { res.statusCode = 404; return res.end(); }
      res.writeHead(200, { 'content-type': 'image/jpeg', 'content-length': body.length }); res.end(body);
    });
    s.keepAliveTimeout = 30000;
    s.listen(0, '127.0.0.1', () => process.send(s.address().port));`;
  await writeFile(join(tmp, 'server.cjs'), serverCode);
  const server = fork(join(tmp, 'server.cjs'), [], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  process.on('exit', () => server.kill());
  const port = await new Promise<number>((r) => server.once('message', (m) => r(m as number)));

  const cpuSeconds = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1e6;

  // Anchor: sharp alone, from memory, one image at a time.
  const sharpAlone = async (set: ImageSet, sizePx: number): Promise<Run> => {
    const images = [...set.files.values()];
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

  // weft: the download phase's task over a URL list (each URL distinct, so each is really fetched).
  let runIndex = 0;
  const weft = async (set: ImageSet, sizePx: number): Promise<Run> => {
    const options = optionsFor(sizePx);
    const work = await mkdtemp(join(tmp, 'run-'));
    await mkdir(join(work, 'urls'));
    await mkdir(join(work, 'out'));
    const urls: string[] = [];
    runIndex += 1;
    for (let r = 0; r < rounds; r++)
      for (const path of set.files.keys())
        urls.push(`http://127.0.0.1:${port}${path}?run=${runIndex}&r=${r}`);
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
    const result: Run = {
      n: stats![0]!.out,
      wallS: (performance.now() - t) / 1000,
      cpuS: cpuSeconds(process.cpuUsage(cpu)),
      kept: stats![0]!.counters.kept_original ?? 0,
    };
    if (result.n !== urls.length) console.log('  weft dropped:', stats![0]!.dropped);
    await rm(work, { recursive: true, force: true });
    return result;
  };

  const perCpu = (x: Run) => x.n / x.cpuS;
  const perWall = (x: Run) => x.n / x.wallS;
  const fmt = (x: Run) =>
    `${perCpu(x).toFixed(1)} images per CPU-second, ${perWall(x).toFixed(1)} images/s wall (${x.n} images, CPU ${x.cpuS.toFixed(2)} s, ${x.wallS.toFixed(2)} s)`;
  const best = (x: Run, y: Run) => (perCpu(x) > perCpu(y) ? x : y);
  const table: string[] = [];
  await sharpAlone(fixtures, 980); // warm-up
  await weft(web, 980);
  for (const set of sets) {
    console.log(`\n=== ${set.label} ===`);
    for (const size of [980, 256]) {
      // Interleaved, best of two each, to damp the noise of a shared machine.
      const a = await sharpAlone(set, size);
      const w = await weft(set, size);
      const A = best(a, await sharpAlone(set, size));
      const W = best(w, await weft(set, size));
      const cpuRatio = perCpu(W) / perCpu(A);
      const wallRatio = perWall(W) / perWall(A);
      console.log(`— resize to ≤ ${size} px —`);
      console.log(`sharp alone (memory → decode, rotate, resize, JPEG q90): ${fmt(A)}`);
      console.log(`weft images (HTTP → fetch, validate, rotate, resize, encode, pHash, store): ${fmt(W)}`);
      console.log(
        `  weft kept ${W.kept} of ${W.n} originals byte for byte (clean and within size), re-encoded the rest`,
      );
      console.log(
        `ratio weft / sharp alone: per CPU-second ${cpuRatio.toFixed(2)}, wall ${wallRatio.toFixed(2)}`,
      );
      table.push(
        `| ${set.name} | ${size} | ${perCpu(A).toFixed(1)} | ${perCpu(W).toFixed(1)} | ${cpuRatio.toFixed(2)} | ${perWall(A).toFixed(1)} | ${perWall(W).toFixed(1)} | ${wallRatio.toFixed(2)} |`,
      );
    }
  }
  server.kill();
  await rm(tmp, { recursive: true, force: true });
  console.log(
    '\n| set | ≤ px | sharp alone /CPU-s | weft /CPU-s | ratio | sharp alone /s wall | weft /s wall | ratio |',
  );
  console.log('|---|---|---|---|---|---|---|---|');
  for (const row of table) console.log(row);
  console.log(`load average (1, 5, 15 min): ${startLoad} at start, ${load()} at end`);
  console.log('goals: ≥ 100 images/s per core (img2dataset, on web images), ≥ 0.8 of sharp alone');
}
