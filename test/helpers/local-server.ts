// A real HTTP server on 127.0.0.1, port 0, with a route map; closed automatically after the test.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterEach } from 'vitest';

export type Handler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

export interface LocalServer {
  /** Base URL, e.g. http://127.0.0.1:43121 */
  url: string;
  port: number;
  server: Server;
  /** Requests received, by path (for asserting retries, robots.txt caching…). */
  hits: Map<string, number>;
  route(path: string, handler: Handler): void;
  close(): Promise<void>;
}

const open: LocalServer[] = [];

afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

export async function startServer(routes: Record<string, Handler> = {}): Promise<LocalServer> {
  const table = new Map(Object.entries(routes));
  const hits = new Map<string, number>();
  const sockets = new Set<Socket>();
  const server = createServer(async (req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    hits.set(path, (hits.get(path) ?? 0) + 1);
    const handler = table.get(path) ?? table.get('*');
    if (!handler) {
      res.statusCode = 404;
      res.end('not found');
      return;
    }
    try {
      await handler(req, res);
    } catch (error) {
      if (!res.headersSent) res.statusCode = 500;
      res.end(String(error));
    }
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const instance: LocalServer = {
    url: `http://127.0.0.1:${port}`,
    port,
    server,
    hits,
    route: (path, handler) => table.set(path, handler),
    close: () =>
      new Promise<void>((resolve) => {
        // Never-ending responses would keep close() waiting forever: cut their sockets.
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
  open.push(instance);
  return instance;
}
