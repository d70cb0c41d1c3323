import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** A real JWKS endpoint on loopback whose keys the test changes as an identity provider rotates them. */
export class JwksServer {
  keys: Array<Record<string, unknown>> = [];
  /** Answers this status instead of the keys while set. */
  failWith: number | undefined;
  fetches = 0;
  private server: http.Server | undefined;

  get url(): string {
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}/.well-known/jwks.json`;
  }

  async start(): Promise<this> {
    this.server = http.createServer((_req, res) => {
      this.fetches++;
      if (this.failWith !== undefined) {
        res.writeHead(this.failWith).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: this.keys }));
    });
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    return this;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}
