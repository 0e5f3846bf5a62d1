// Pathological HTTP endpoints for fetcher tests: each misbehaves the way real servers do.
import { gzipSync } from 'node:zlib';
import type { Handler } from './local-server.js';

const JPEG_HEADER = Buffer.from([0xff, 0xd8, 0xff, 0xe0]);

/** Writes `chunk` every `everyMs` until the client goes away (or `maxMs` passes). */
function drip(chunk: Buffer | string, everyMs: number, maxMs = 30_000): Handler {
  return (req, res) => {
    res.writeHead(200, { 'content-type': 'image/jpeg' });
    const timer = setInterval(() => res.write(chunk), everyMs);
    const stop = () => clearInterval(timer);
    setTimeout(() => {
      stop();
      res.end();
    }, maxMs).unref();
    req.socket.on('close', stop);
  };
}

let bomb: Buffer | undefined;

export function hostileRoutes(): Record<string, Handler> {
  // 64 MiB of zeros in about 64 kB of gzip; built once per test file.
  bomb ??= gzipSync(Buffer.alloc(64 * 1024 * 1024), { level: 9 });
  let flaky = 0;
  return {
    '/slow-drip': drip(Buffer.from('x'), 100),
    '/never-ending': drip(Buffer.alloc(64 * 1024, 7), 1),
    '/huge-content-length': (_req, res) => {
      res.writeHead(200, { 'content-type': 'image/jpeg', 'content-length': String(1e12) });
      res.write(JPEG_HEADER);
    },
    '/lying-content-type': (_req, res) => {
      res.writeHead(200, { 'content-type': 'image/jpeg' });
      res.end('<!doctype html><html><body>Not an image at all</body></html>');
    },
    '/loop-a': (_req, res) => {
      res.writeHead(302, { location: '/loop-b' });
      res.end();
    },
    '/loop-b': (_req, res) => {
      res.writeHead(302, { location: '/loop-a' });
      res.end();
    },
    // 127.0.0.2 is loopback too: refused unless allowed, and never leaves this machine if it were not.
    '/redirect-private': (req, res) => {
      const port = req.socket.localPort;
      res.writeHead(301, { location: `http://127.0.0.2:${port}/secret` });
      res.end();
    },
    '/always-429': (_req, res) => {
      res.writeHead(429, { 'retry-after': '1' });
      res.end('slow down');
    },
    '/flaky-429': (_req, res) => {
      flaky += 1;
      if (flaky % 2 === 1) {
        res.writeHead(429, { 'retry-after': '1' });
        res.end('slow down');
      } else {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end('finally');
      }
    },
    '/always-503': (_req, res) => {
      res.writeHead(503);
      res.end();
    },
    '/gzip-bomb': (_req, res) => {
      res.writeHead(200, { 'content-type': 'image/png', 'content-encoding': 'gzip' });
      res.end(bomb!);
    },
    '/noai': (_req, res) => {
      res.writeHead(200, { 'content-type': 'image/jpeg', 'x-robots-tag': 'noai, noimageai' });
      res.end(JPEG_HEADER);
    },
    '/noindex-other-bot': (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain', 'x-robots-tag': 'otherbot: noindex' });
      res.end('fine for us');
    },
    '/robots.txt': (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('User-agent: *\nDisallow: /private/\n');
    },
    '/private/photo.jpg': (_req, res) => {
      res.end(JPEG_HEADER);
    },
  };
}
