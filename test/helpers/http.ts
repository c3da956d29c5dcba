import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** An app served on a free port of 127.0.0.1 (for a browser or a second process to reach). */
export interface Served {
  server: Server;
  /** `http://127.0.0.1:<port>`. */
  origin: string;
  close(): Promise<void>;
}

/** Serves `app` (a Koa app or anything with `callback()`) on 127.0.0.1. */
export function serveLocally(app: { callback(): RequestListener }): Promise<Served> {
  const server = createServer(app.callback());
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () =>
      resolve({
        server,
        origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        close: () => new Promise<void>((done) => server.close(() => done())),
      }),
    );
  });
}
