// `weft check INPUT --out DIR --scorer …`: scores a dataset's samples with a model and writes them,
// kept, dropped or annotated, with a `<scorer>_score` column.
import { resolve } from 'node:path';
import { WeftError } from '../../errors.js';
import { SCORERS } from '../../model-check/check-options.js';
import { defineCommand } from '../command.js';
import { mergeConfig, runFlags, runJobCommand } from '../job-command.js';

export default defineCommand({
  name: 'check',
  summary: 'Score samples with a model (VLM server, ONNX CLIP, NSFW) and keep, drop or annotate them',
  usage:
    'weft check INPUT --out DIR --scorer vqascore|rubric|clip|nsfw [--endpoint URL --model NAME] [--min-score X]',
  flags: {
    ...runFlags,
    scorer: { type: 'string', value: 'NAME', description: 'Scoring backend', choices: SCORERS },
    name: {
      type: 'string',
      value: 'NAME',
      description: 'Score column prefix (default: the scorer): NAME_score',
    },
    'min-score': { type: 'number', value: 'X', description: 'Drop samples scoring below X' },
    'max-score': { type: 'number', value: 'X', description: 'Drop samples scoring above X (e.g. nsfw)' },
    'keep-top': {
      type: 'number',
      value: 'F',
      description: 'Keep the best-scoring fraction F of the dataset (0–1]',
    },
    'on-server-down': {
      type: 'string',
      value: 'WHAT',
      description: 'Scorer down or answering garbage: stop the run (default) or write samples unscored',
      choices: ['stop', 'unscored'],
    },
    aggregate: {
      type: 'string',
      value: 'HOW',
      description: 'Document/SFT score from its images (default min)',
      choices: ['min', 'mean'],
    },
    'cache-dir': {
      type: 'string',
      value: 'DIR',
      description: 'Score cache (default ~/.cache/weft/model-check)',
    },
    'no-cache': { type: 'boolean', description: 'Neither read nor write the score cache' },
    endpoint: { type: 'string', value: 'URL', description: 'OpenAI-compatible server (vLLM, SGLang, TGI)' },
    model: { type: 'string', value: 'NAME', description: 'Model name the server serves' },
    prompt: {
      type: 'string',
      value: 'TEXT',
      description: 'Question/instruction with {text} for the sample text',
    },
    'max-side': {
      type: 'number',
      value: 'PX',
      description: 'Longest image side sent to the server (default 980)',
    },
    concurrency: { type: 'number', value: 'N', description: 'Requests in flight per worker (default 64)' },
    'timeout-ms': { type: 'number', value: 'MS', description: 'Per-request timeout (default 120000)' },
    retries: { type: 'number', value: 'N', description: 'Retries on network errors, 429, 5xx (default 3)' },
    'top-logprobs': {
      type: 'number',
      value: 'N',
      description: 'top_logprobs asked for (default 20; TGI allows 5)',
    },
    'image-encoder': { type: 'string', value: 'FILE', description: 'clip: image encoder .onnx' },
    'text-encoder': { type: 'string', value: 'FILE', description: 'clip: text encoder .onnx' },
    tokenizer: { type: 'string', value: 'FILE', description: 'clip: tokenizer.json' },
    'execution-provider': {
      type: 'string',
      value: 'EP',
      description: 'clip: onnxruntime execution provider (default auto)',
      choices: ['auto', 'cpu', 'cuda'],
    },
    'batch-size': {
      type: 'number',
      value: 'N',
      description: 'clip/nsfw: images per inference batch (default 16)',
    },
  },
  positionals: {
    name: 'INPUT',
    description: 'Dataset directory (weft output or save_to_disk)',
    min: 1,
    max: 1,
  },
  examples: [
    'weft check out/pairs --out out/pairs-checked --scorer vqascore --endpoint http://gpu1:8000 --model HuggingFaceM4/idefics2-8b --min-score 0.5',
    'weft check out/docs --out out/docs-rated --scorer rubric --endpoint http://gpu1:8000 --model my-vlm --aggregate mean',
    'weft check out/pairs --out out/pairs-clip --scorer clip --image-encoder vision.onnx --text-encoder text.onnx --tokenizer tokenizer.json --keep-top 0.7',
    'weft check out/demo/images --out out/images-nsfw --scorer nsfw --max-score 0.5',
  ],
  async run({ flags, positionals }, io) {
    const path = (v: unknown) => (typeof v === 'string' ? resolve(io.cwd, v) : undefined);
    const options = await mergeConfig(flags, {
      input: path(positionals[0]),
      scorer: flags.scorer,
      name: flags.name,
      minScore: flags['min-score'],
      maxScore: flags['max-score'],
      keepTopFraction: flags['keep-top'],
      onServerDown: flags['on-server-down'],
      aggregate: flags.aggregate,
      cacheDir: path(flags['cache-dir']),
      cache: flags['no-cache'] === true ? false : undefined,
      endpoint: flags.endpoint,
      model: flags.model,
      prompt: flags.prompt,
      maxSidePx: flags['max-side'],
      concurrency: flags.concurrency,
      timeoutMs: flags['timeout-ms'],
      retries: flags.retries,
      topLogprobs: flags['top-logprobs'],
      imageEncoder: path(flags['image-encoder']),
      textEncoder: path(flags['text-encoder']),
      tokenizer: path(flags.tokenizer),
      executionProvider: flags['execution-provider'],
      batchSize: flags['batch-size'],
    });
    if (options.scorer === undefined)
      throw new WeftError('E_USAGE', `--scorer is required (one of ${SCORERS.join(', ')})`);
    const job = options.keepTopFraction === undefined ? 'check' : 'check-top';
    return runJobCommand({ command: 'check', job, options, flags }, io);
  },
});
