// Writes small, valid ONNX models (protobuf ModelProto) for tests, so the ONNX backend is exercised
// through onnxruntime-node's real loading path with weights the test knows. Field numbers follow
// onnx/onnx.proto; only what the models below need is encoded.

type Field = Uint8Array;

function varint(value: number | bigint): number[] {
  let v = BigInt.asUintN(64, BigInt(value));
  const out: number[] = [];
  do {
    let byte = Number(v & 0x7fn);
    v >>= 7n;
    if (v !== 0n) byte |= 0x80;
    out.push(byte);
  } while (v !== 0n);
  return out;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

const intField = (n: number, value: number | bigint): Field =>
  Uint8Array.from([...varint(n << 3), ...varint(value)]);
const bytesField = (n: number, bytes: Uint8Array): Field =>
  concat([Uint8Array.from([...varint((n << 3) | 2), ...varint(bytes.length)]), bytes]);
const stringField = (n: number, text: string): Field => bytesField(n, new TextEncoder().encode(text));
const message = (n: number, fields: Field[]): Field => bytesField(n, concat(fields));

const FLOAT = 1;
const INT64 = 7;

function tensor(name: string, dims: number[], values: Float32Array): Field[] {
  return [
    ...dims.map((d) => intField(1, d)),
    intField(2, FLOAT),
    stringField(8, name),
    bytesField(9, new Uint8Array(values.buffer, values.byteOffset, values.byteLength)),
  ];
}

function valueInfo(field: number, name: string, elemType: number, dims: (number | string)[]): Field {
  const shape = dims.map((d) => message(1, [typeof d === 'number' ? intField(1, d) : stringField(2, d)]));
  const tensorType = message(1, [intField(1, elemType), message(2, shape)]);
  return message(field, [stringField(1, name), message(2, [tensorType])]);
}

function node(opType: string, inputs: string[], outputs: string[], attributes: Field[] = []): Field {
  return message(1, [
    ...inputs.map((i) => stringField(1, i)),
    ...outputs.map((o) => stringField(2, o)),
    stringField(3, `${opType}_${outputs[0]}`),
    stringField(4, opType),
    ...attributes,
  ]);
}

function intsAttribute(name: string, values: number[]): Field {
  return message(5, [stringField(1, name), ...values.map((v) => intField(8, v)), intField(20, 7)]);
}
function intAttribute(name: string, value: number): Field {
  return message(5, [stringField(1, name), intField(3, value), intField(20, 2)]);
}

function model(graph: Field[]): Uint8Array {
  return concat([
    intField(1, 8), // ir_version
    stringField(2, 'weft-tests'),
    message(7, graph),
    message(8, [stringField(1, ''), intField(2, 13)]), // opset 13
  ]);
}

/** pixel_values [N,3,S,S] → per-channel mean [N,3] → × weights [3,D] → image_embeds [N,D]. */
export function linearImageEncoder(sizePx: number, weights: Float32Array, dim: number): Uint8Array {
  return model([
    node(
      'ReduceMean',
      ['pixel_values'],
      ['channel_means'],
      [intsAttribute('axes', [2, 3]), intAttribute('keepdims', 0)],
    ),
    node('MatMul', ['channel_means', 'projection'], ['image_embeds']),
    stringField(2, 'image-encoder'),
    message(5, tensor('projection', [3, dim], weights)),
    valueInfo(11, 'pixel_values', FLOAT, ['batch', 3, sizePx, sizePx]),
    valueInfo(12, 'image_embeds', FLOAT, ['batch', dim]),
  ]);
}

/** input_ids [N,L] → embedding rows [N,L,D] → mean over L → text_embeds [N,D]. */
export function linearTextEncoder(embeddings: Float32Array, vocab: number, dim: number): Uint8Array {
  return model([
    node('Gather', ['embedding', 'input_ids'], ['token_vectors'], [intAttribute('axis', 0)]),
    node(
      'ReduceMean',
      ['token_vectors'],
      ['text_embeds'],
      [intsAttribute('axes', [1]), intAttribute('keepdims', 0)],
    ),
    stringField(2, 'text-encoder'),
    message(5, tensor('embedding', [vocab, dim], embeddings)),
    valueInfo(11, 'input_ids', INT64, ['batch', 'sequence']),
    valueInfo(12, 'text_embeds', FLOAT, ['batch', dim]),
  ]);
}

/** A WordPiece tokenizer.json (BERT-style: lowercase, [CLS] … [SEP]) over whole-word `words`. */
export function wordPieceTokenizer(words: string[]): {
  tokenizer: unknown;
  config: unknown;
  vocab: Map<string, number>;
} {
  const specials = ['[PAD]', '[UNK]', '[CLS]', '[SEP]'];
  const vocab = new Map<string, number>([...specials, ...words].map((w, i) => [w, i]));
  const special = (id: string) => ({ id, type_id: 0 });
  return {
    vocab,
    config: {
      pad_token: '[PAD]',
      unk_token: '[UNK]',
      cls_token: '[CLS]',
      sep_token: '[SEP]',
      do_lower_case: true,
    },
    tokenizer: {
      version: '1.0',
      truncation: null,
      padding: null,
      added_tokens: specials.map((content, id) => ({
        id,
        content,
        single_word: false,
        lstrip: false,
        rstrip: false,
        normalized: false,
        special: true,
      })),
      normalizer: {
        type: 'BertNormalizer',
        clean_text: true,
        handle_chinese_chars: true,
        strip_accents: null,
        lowercase: true,
      },
      pre_tokenizer: { type: 'BertPreTokenizer' },
      post_processor: {
        type: 'TemplateProcessing',
        single: [
          { SpecialToken: special('[CLS]') },
          { Sequence: { id: 'A', type_id: 0 } },
          { SpecialToken: special('[SEP]') },
        ],
        pair: [
          { SpecialToken: special('[CLS]') },
          { Sequence: { id: 'A', type_id: 0 } },
          { SpecialToken: special('[SEP]') },
          { Sequence: { id: 'B', type_id: 1 } },
          { SpecialToken: { id: '[SEP]', type_id: 1 } },
        ],
        special_tokens: {
          '[CLS]': { id: '[CLS]', ids: [2], tokens: ['[CLS]'] },
          '[SEP]': { id: '[SEP]', ids: [3], tokens: ['[SEP]'] },
        },
      },
      decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
      model: {
        type: 'WordPiece',
        unk_token: '[UNK]',
        continuing_subword_prefix: '##',
        max_input_chars_per_word: 100,
        vocab: Object.fromEntries(vocab),
      },
    },
  };
}
