// A real OpenAI-compatible chat-completions server on 127.0.0.1 for model-check tests: it parses each
// request, decodes its image, and answers with vLLM- or TGI-shaped payloads (logprobs included) that
// the test decides, while counting requests and the most requests ever in flight at once.
import type { IncomingMessage, ServerResponse } from 'node:http';
import sharp from 'sharp';
import { type LocalServer, startServer } from './local-server.js';

export interface ChatRequest {
  body: Record<string, unknown>;
  /** The text part of the user message. */
  text: string;
  /** Decoded size and mean colour of the image part. */
  image: { widthPx: number; heightPx: number; mime: string; meanRgb: [number, number, number] };
  /** 1-based attempt number for this exact request body. */
  attempt: number;
}

/** What the server does with one request. */
export type ChatReply =
  | { kind: 'json'; body: unknown; status?: number; delayMs?: number }
  | { kind: 'raw'; text: string; status?: number; delayMs?: number; headers?: Record<string, string> }
  | { kind: 'stall' };

export interface ChatServer extends LocalServer {
  endpoint: string;
  requests: ChatRequest[];
  inFlight: number;
  maxInFlight: number;
}

const bytesOf = (s: string) => Array.from(Buffer.from(s, 'utf8'));

/** A vLLM chat response whose first token is `token`, with `top` as its top_logprobs. */
export function vllmResponse(top: { token: string; logprob: number }[], model = 'test-vlm'): unknown {
  const first = top[0]!;
  return {
    id: 'chatcmpl-test',
    object: 'chat.completion',
    created: 1730000000,
    model,
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: first.token, tool_calls: [] },
        logprobs: {
          content: [
            {
              token: first.token,
              logprob: first.logprob,
              bytes: bytesOf(first.token),
              top_logprobs: top.map((t) => ({ ...t, bytes: bytesOf(t.token) })),
            },
          ],
        },
        finish_reason: 'length',
        stop_reason: null,
      },
    ],
    usage: { prompt_tokens: 1312, completion_tokens: 1, total_tokens: 1313 },
  };
}

/** A vLLM answer with P(Yes) = p (and the rest on "No" and filler tokens), as a model would give it. */
export function yesNoResponse(p: number): unknown {
  const rest = 1 - p;
  const top = [
    { token: 'Yes', logprob: Math.log(Math.max(p, 1e-9)) },
    { token: 'No', logprob: Math.log(Math.max(rest * 0.9, 1e-9)) },
    { token: 'The', logprob: Math.log(Math.max(rest * 0.05, 1e-9)) },
    { token: 'yes', logprob: Math.log(1e-6) },
  ].sort((a, b) => b.logprob - a.logprob);
  return vllmResponse(top);
}

/** A chat answer whose message content is `content` (rubric mode). */
export function contentResponse(content: string): unknown {
  return {
    id: 'chatcmpl-test',
    object: 'chat.completion',
    created: 1730000000,
    model: 'test-vlm',
    choices: [{ index: 0, message: { role: 'assistant', content }, logprobs: null, finish_reason: 'stop' }],
    usage: { prompt_tokens: 1400, completion_tokens: 6, total_tokens: 1406 },
  };
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function startChatServer(
  decide: (request: ChatRequest) => ChatReply | Promise<ChatReply>,
): Promise<ChatServer> {
  const attempts = new Map<string, number>();
  let server!: ChatServer;
  const handler = async (req: IncomingMessage, res: ServerResponse) => {
    server.inFlight += 1;
    server.maxInFlight = Math.max(server.maxInFlight, server.inFlight);
    res.on('close', () => {
      server.inFlight -= 1;
    });
    const raw = await readBody(req);
    const body = JSON.parse(raw) as Record<string, unknown>;
    const content = (
      body.messages as { content: { type: string; text?: string; image_url?: { url: string } }[] }[]
    )[0]!.content;
    const url = content.find((c) => c.type === 'image_url')!.image_url!.url;
    const match = /^data:(image\/[a-z]+);base64,(.*)$/s.exec(url)!;
    const decoded = sharp(Buffer.from(match[2]!, 'base64'));
    const meta = await decoded.metadata();
    const stats = await decoded.stats();
    const attempt = (attempts.get(raw) ?? 0) + 1;
    attempts.set(raw, attempt);
    const request: ChatRequest = {
      body,
      text: content.find((c) => c.type === 'text')!.text!,
      image: {
        widthPx: meta.width!,
        heightPx: meta.height!,
        mime: match[1]!,
        meanRgb: [stats.channels[0]!.mean, stats.channels[1]!.mean, stats.channels[2]!.mean],
      },
      attempt,
    };
    server.requests.push(request);
    const reply = await decide(request);
    if (reply.kind === 'stall') return; // never answers; the socket is cut when the server closes
    if (reply.delayMs) await new Promise((r) => setTimeout(r, reply.delayMs));
    res.statusCode = reply.status ?? 200;
    res.setHeader('content-type', 'application/json');
    if (reply.kind === 'raw') for (const [k, v] of Object.entries(reply.headers ?? {})) res.setHeader(k, v);
    res.end(reply.kind === 'json' ? JSON.stringify(reply.body) : reply.text);
  };
  const local = await startServer({ '/v1/chat/completions': handler });
  server = Object.assign(local, { endpoint: local.url, requests: [], inFlight: 0, maxInFlight: 0 });
  return server;
}

/** A URL on which nothing listens (a server started, then closed). */
export async function deadEndpoint(): Promise<string> {
  const local = await startServer();
  const url = local.url;
  await local.close();
  return url;
}
