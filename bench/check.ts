// bench/check: the VLM scorer against a local chat-completions server (a child process) that answers
// after a fixed latency, as a GPU server with continuous batching would. Reports achieved samples/s
// beside the ideal (concurrency / latency) and the client's CPU per sample (resize + encode +
// request), beside sharp alone doing the same resize + encode (the anchor).
//   npm run bench -- check [--samples N] [--concurrency C] [--latency-ms L]
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { scoreSamples } from '../src/model-check/score-stage.js';
import { VlmScorer } from '../src/model-check/scorers/vlm.js';
import { silentLogger } from '../src/pipeline/logger.js';
import { StageStats } from '../src/pipeline/stats.js';
import { type ImageTextPair, type ImageValue, sha256Hex } from '../src/records/index.js';

const arg = (name: string, fallback: number) => {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? Number(process.argv[at + 1]) : fallback;
};

// The server: reads each request body, waits the fixed latency, answers with logprobs. It does not
// parse the body: it stands for a GPU server, whose own CPU is not what this benchmark measures.
const SERVER = `
import { createServer } from 'node:http';
const latency = Number(process.argv[1]);
const body = JSON.stringify({ id: 'x', object: 'chat.completion', created: 1, model: 'bench', choices: [{ index: 0,
  message: { role: 'assistant', content: 'Yes' }, logprobs: { content: [{ token: 'Yes', logprob: -0.1,
  top_logprobs: [{ token: 'Yes', logprob: -0.1 }, { token: 'No', logprob: -2.4 }] }] }, finish_reason: 'length' }] });
const server = createServer((req, res) => {
  req.on('data', () => {});
  req.on('end', () => {
    setTimeout(() => { res.setHeader('content-type', 'application/json'); res.end(body); }, latency);
  });
});
server.listen(0, '127.0.0.1', () => process.stdout.write(String(server.address().port) + '\\n'));
`;

async function startServer(latencyMs: number): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['--input-type=module', '-e', SERVER, String(latencyMs)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<string>((resolve) =>
    child.stdout!.once('data', (d) => resolve(String(d).trim())),
  );
  return { url: `http://127.0.0.1:${port}`, child };
}

/** Distinct photos of the given size (from a real photo when the corpora are there, else noise). */
async function photos(n: number, widthPx: number, heightPx: number): Promise<ImageValue[]> {
  const source = join(
    process.env.WEFT_CORPORA ?? '../shared/corpora',
    'images/sharp-fixtures/2569067123_aca715a2ee_o.jpg',
  );
  const out: ImageValue[] = [];
  for (let i = 0; i < n; i++) {
    const base = existsSync(source)
      ? sharp(source).extract({ left: (i * 37) % 600, top: (i * 23) % 500, width: 2100, height: 1700 })
      : sharp({
          create: {
            width: widthPx,
            height: heightPx,
            channels: 3,
            background: '#808080',
            noise: { type: 'gaussian', mean: 128, sigma: 40 },
          },
        });
    const bytes = new Uint8Array(
      await base.resize(widthPx, heightPx, { fit: 'fill' }).jpeg({ quality: 90 }).toBuffer(),
    );
    out.push({ bytes, format: 'jpeg', widthPx, heightPx, sha256: sha256Hex(bytes) });
  }
  return out;
}

async function run(
  label: string,
  images: ImageValue[],
  samples: number,
  concurrency: number,
  latencyMs: number,
) {
  const { url, child } = await startServer(latencyMs);
  const scorer = new VlmScorer({
    mode: 'vqascore',
    endpoint: url,
    model: 'bench',
    prompt: 'Does this figure show "{text}"? Please answer Yes or No.',
    maxSidePx: 980,
    jpegQuality: 90,
    concurrency,
    timeoutMs: 60_000,
    retries: 0,
    retryBaseMs: 100,
    breakerThreshold: 10,
    onServerDown: 'stop',
    topLogprobs: 20,
    normalizeYesNo: false,
  });
  const stage = scoreSamples({
    scorer,
    name: 'vqascore',
    aggregate: 'min',
    contextChars: 500,
    maxTextChars: 1000,
  });
  async function* records(): AsyncGenerator<ImageTextPair> {
    for (let i = 0; i < samples; i++)
      yield {
        kind: 'image-text-pair',
        url: `u${i}`,
        caption: `a photo number ${i}`,
        captionSource: 'alt',
        image: images[i % images.length]!,
      };
  }
  const stats = new StageStats('score');
  const ctx = {
    task: { index: 0, count: 1, id: '0' },
    stats,
    log: silentLogger,
    signal: new AbortController().signal,
    scratchDir: '',
  };
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let n = 0;
  for await (const record of stage.run(records(), ctx)) if (typeof record.scores?.vqascore === 'number') n++;
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  await scorer.close();
  child.kill();
  const ideal = concurrency / (latencyMs / 1000);
  const achieved = n / seconds;
  const cpuMs = (cpu.user + cpu.system) / 1000 / samples;
  // Client-side request time: the server's latency plus transfer and any scheduling delay on this machine.
  const request = stats.summaries.get('request_ms')!;
  const meanRequestMs = request.sum / request.count;
  const slotsBusy = (achieved * meanRequestMs) / 1000 / concurrency;
  console.log(
    `${label}: ${n}/${samples} scored in ${seconds.toFixed(2)} s = ${achieved.toFixed(1)} samples/s; ideal ${ideal.toFixed(1)} (concurrency ${concurrency} / ${latencyMs} ms); ratio ${(achieved / ideal).toFixed(3)}; mean request ${meanRequestMs.toFixed(0)} ms, slots busy ${(100 * slotsBusy).toFixed(1)}%; client CPU ${cpuMs.toFixed(2)} ms/sample; resized ${stats.counters.get('images.resized') ?? 0}, sent as is ${stats.counters.get('images.sent_as_is') ?? 0}; ${((stats.counters.get('request_bytes') ?? 0) / samples / 1024).toFixed(0)} KiB/request`,
  );
  return { achieved, ideal, cpuMs };
}

/** The anchor: sharp alone, the same resize to ≤ 980 px + JPEG encode, one after another. */
async function sharpAlone(images: ImageValue[], rounds: number): Promise<number> {
  const cpu0 = process.cpuUsage();
  for (let r = 0; r < rounds; r++)
    for (const image of images)
      await sharp(image.bytes)
        .rotate()
        .resize({ width: 980, height: 980, fit: 'inside', kernel: 'linear' })
        .jpeg({ quality: 90, optimiseCoding: false })
        .toBuffer();
  const cpu = process.cpuUsage(cpu0);
  return (cpu.user + cpu.system) / 1000 / (rounds * images.length);
}

const concurrency = arg('concurrency', 64);
console.log(
  `bench check: Node ${process.version}, sharp concurrency ${sharp.concurrency()}, ${process.env.WEFT_CORPORA ?? '../shared/corpora'} photos`,
);

// 1. Throughput: images that already fit (sent as they are), server latency 200 ms.
const small = await photos(32, 800, 600);
const latency = arg('latency-ms', 200);
const t = await run(
  'throughput, 800×600 JPEG (fits, sent as is)',
  small,
  arg('samples', 3000),
  concurrency,
  latency,
);

// 2. CPU per 1-megapixel image (1155×866 JPEG → resized to 980×734): latency long enough that the
// client, not the server, is measured; the ratio to ideal is printed too.
const onemp = await photos(32, 1155, 866);
const r = await run(
  '1-megapixel JPEG (resized)',
  onemp,
  arg('samples-1mp', 640),
  concurrency,
  arg('latency-1mp-ms', 1000),
);
const anchor = await sharpAlone(onemp, 3);
console.log(`anchor: sharp alone, same resize + encode: ${anchor.toFixed(2)} ms CPU/image`);
console.log(
  `summary: throughput ratio ${(t.achieved / t.ideal).toFixed(3)} (goal ≥ 0.9); 1 MP client CPU ${r.cpuMs.toFixed(2)} ms/sample (goal ≤ 5) = ${(r.cpuMs / anchor).toFixed(2)}× sharp alone; 1 MP throughput ratio ${(r.achieved / r.ideal).toFixed(3)}`,
);
