// npm run bench -- sft [distinctImages] [rowsPerImage] [workers]
// End-to-end `weft sft` (evaluation fingerprints, ingest with decoding, pixel hash and pHash of every
// distinct picture, decontamination, plan, Arrow writing) beside its anchor: sharp decoding each distinct
// picture once plus JSON.parse of every row, the least any tool that merges by decoded pixels must do.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { seededRandom } from '../src/demo/synthetic-images.js';
import { runJob } from '../src/run/run-job.js';

const distinct = Number(process.argv[2] ?? 400);
const perImage = Number(process.argv[3] ?? 5);
const workers = Number(process.argv[4] ?? 1);

async function picture(seed: number): Promise<Buffer> {
  const random = seededRandom(seed);
  const grid = Buffer.alloc(16 * 12 * 3);
  for (let i = 0; i < grid.length; i++) grid[i] = Math.floor(random() * 256);
  return sharp(grid, { raw: { width: 16, height: 12, channels: 3 } })
    .resize(640, 480, { kernel: 'cubic' })
    .jpeg({ quality: 85 })
    .toBuffer();
}

const dir = await mkdtemp(join(tmpdir(), 'weft-bench-sft-'));
try {
  const lines: string[] = [];
  for (let i = 0; i < distinct; i++) {
    await writeFile(join(dir, `${i}.jpg`), await picture(i));
    for (let k = 0; k < perImage; k++)
      lines.push(
        JSON.stringify({
          q: `Question ${k} about picture ${i}: what stands out here?`,
          a: `Answer ${k}.`,
          img: `${i}.jpg`,
        }),
      );
  }
  await writeFile(join(dir, 'train.jsonl'), `${lines.join('\n')}\n`);
  const evalLines: string[] = [];
  for (let i = 0; i < 50; i++) {
    await writeFile(join(dir, `eval-${i}.jpg`), await picture(100_000 + i));
    evalLines.push(
      JSON.stringify({
        q: `Which benchmark object number ${i} is the tallest one in this scene?`,
        a: 'x',
        img: `eval-${i}.jpg`,
      }),
    );
  }
  await writeFile(join(dir, 'eval.jsonl'), `${evalLines.join('\n')}\n`);
  const bytes = (
    await Promise.all(Array.from({ length: distinct }, (_, i) => readFile(join(dir, `${i}.jpg`))))
  ).reduce((n, b) => n + b.byteLength, 0);
  console.log(
    `inputs: ${lines.length} rows about ${distinct} distinct 640×480 JPEGs (${(bytes / 1e6).toFixed(1)} MB), 50 evaluation pictures`,
  );

  // Anchor: parse every row, decode every distinct picture once (sharp, as weft uses).
  let cpu = process.cpuUsage();
  let start = performance.now();
  const text = await readFile(join(dir, 'train.jsonl'), 'utf8');
  let parsed = 0;
  for (const line of text.split('\n')) if (line) parsed += JSON.parse(line) ? 1 : 0;
  for (let i = 0; i < distinct; i++)
    await sharp(await readFile(join(dir, `${i}.jpg`)))
      .rotate()
      .raw()
      .toBuffer();
  for (let i = 0; i < 50; i++)
    await sharp(await readFile(join(dir, `eval-${i}.jpg`)))
      .rotate()
      .raw()
      .toBuffer();
  const anchorMs = performance.now() - start;
  const anchorCpu = process.cpuUsage(cpu);

  cpu = process.cpuUsage();
  start = performance.now();
  const summary = await runJob(
    'sft',
    {
      sources: [
        {
          name: 'train',
          path: join(dir, 'train.jsonl'),
          fields: { question: 'q', answer: 'a', image: 'img' },
        },
      ],
      evaluation: [
        {
          name: 'bench',
          path: join(dir, 'eval.jsonl'),
          fields: { question: 'q', answer: 'a', image: 'img' },
        },
      ],
      template: { imageTokens: 64 },
    },
    { outDir: join(dir, 'out'), workers, durable: false },
  );
  const weftMs = performance.now() - start;
  const weftCpu = process.cpuUsage(cpu);
  const seconds = (c: NodeJS.CpuUsage) => ((c.user + c.system) / 1e6).toFixed(2);
  console.log(
    `anchor (JSON.parse ${parsed} rows + sharp decode of ${distinct + 50} pictures, 1 process): ${(anchorMs / 1000).toFixed(2)} s wall, ${seconds(anchorCpu)} s CPU`,
  );
  console.log(
    `weft sft (workers ${workers}): ${(weftMs / 1000).toFixed(2)} s wall, ${workers === 1 ? `${seconds(weftCpu)} s CPU` : 'CPU in workers not measured'} → ${summary.rows} conversations, ${(lines.length / (weftMs / 1000)).toFixed(0)} rows/s, ${(distinct / (weftMs / 1000)).toFixed(0)} pictures/s`,
  );
  console.log(`ratio weft / anchor (wall): ${(weftMs / anchorMs).toFixed(2)}×`);
  if (workers === 1) {
    const cpuSeconds = (c: NodeJS.CpuUsage) => c.user + c.system;
    console.log(
      `ratio weft / anchor (CPU, steadier on a shared machine): ${(cpuSeconds(weftCpu) / cpuSeconds(anchorCpu)).toFixed(2)}×`,
    );
  }
  console.log(
    `  of which the writer tasks: ${(summary.stats?.stages ?? []).map((s) => `${s.name} ${(s.timeMs / 1000).toFixed(2)} s`).join(', ')}`,
  );
} finally {
  await rm(dir, { recursive: true, force: true });
}
