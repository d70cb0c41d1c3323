import { once } from 'node:events';
import http, { type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  bodyBytes: number;
  body: string;
}

const KEPT_BODY_BYTES = 64 * 1024;
/** The User-Agent of the gateway's active health checks. */
export const HEALTH_CHECK_AGENT = 'api-gateway-health-check';
const CHUNK = Buffer.alloc(64 * 1024, 'x');

/**
 * A real upstream on an ephemeral loopback port, as Kong's mock upstream:
 *   /status/:code       answers with that status
 *   /delay/:ms          answers after that long
 *   /download/:bytes    streams that many bytes
 *   /respond?status=N&header=Name:value&body=text
 *                       answers with that status, those headers and a body naming the request's
 *                       sequence number here (so a test can tell a cached answer from a fresh one)
 *   /drip/:ms           sends the headers and a first chunk, pauses that long, then the rest
 *   /break/:bytes       promises twice that many bytes, sends that many, then drops the connection
 *   /health             answers `healthStatus` (200 unless a test changes it) after `healthDelayMs`
 *   /header/:name/:value answers with that response header set
 *   anything else       echoes the request as JSON (method, url, headers, body length and start)
 *   WebSocket upgrade   on a path ending in /ws: echoes each message; "close-me" makes it close with 4000 "bye"
 * Every request that reached it is recorded, so a test can prove what never arrived; the
 * gateway's own health checks are recorded apart, in `checks`; a request whose body was cut off
 * midway is counted in `aborted` instead; an answer (/download, /delay) whose connection closed before it was sent whole, in `cutAnswers`.
 */
export class Upstream {
  readonly requests: RecordedRequest[] = [];
  readonly checks: RecordedRequest[] = [];
  healthStatus = 200;
  healthDelayMs = 0;
  /** Requests that arrived but whose body never completed. */
  aborted = 0;
  /** /download and /delay answers whose connection closed before they were sent whole. */
  cutAnswers = 0;
  /** Close codes of WebSocket connections the other side closed. */
  readonly webSocketCloses: number[] = [];
  private readonly webSockets = new WebSocketServer({ noServer: true });
  private server: http.Server | undefined;
  private portNumber = 0;

  constructor(readonly name = 'upstream') {}

  get port(): number {
    return this.portNumber;
  }

  get url(): string {
    return `http://127.0.0.1:${this.portNumber}`;
  }

  async start(port = 0): Promise<this> {
    const server = http.createServer((req, res) => void this.handle(req, res));
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.upgrade(req, socket, head));
    server.keepAliveTimeout = 10_000;
    server.listen(port, '127.0.0.1');
    await once(server, 'listening');
    this.server = server;
    this.portNumber = (server.address() as AddressInfo).port;
    return this;
  }

  /** Stops listening and drops every open connection at once, as a crashed backend would. */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    for (const ws of this.webSockets.clients) ws.terminate();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Comes back on the same port. */
  restart(): Promise<this> {
    return this.start(this.portNumber);
  }

  reset(): void {
    this.requests.length = 0;
    this.checks.length = 0;
    this.webSocketCloses.length = 0;
    this.aborted = 0;
    this.cutAnswers = 0;
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.requests.push({ method: req.method!, url: req.url!, headers: req.headers, bodyBytes: 0, body: '' });
    if (!req.url!.split('?')[0].endsWith('/ws')) {
      socket.end('HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\nconnection: close\r\n\r\n');
      return;
    }
    this.webSockets.handleUpgrade(req, socket, head, (ws: WebSocket) => {
      ws.on('message', (data, isBinary) => {
        if (!isBinary && data.toString() === 'close-me') ws.close(4000, 'bye');
        else ws.send(data, { binary: isBinary });
      });
      ws.on('close', (code) => this.webSocketCloses.push(code));
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let bodyBytes = 0;
    const kept: Buffer[] = [];
    try {
      for await (const chunk of req as AsyncIterable<Buffer>) {
        if (bodyBytes < KEPT_BODY_BYTES) kept.push(chunk.subarray(0, KEPT_BODY_BYTES - bodyBytes));
        bodyBytes += chunk.length;
      }
    } catch {
      this.aborted++;
      return;
    }
    const recorded: RecordedRequest = { method: req.method!, url: req.url!, headers: req.headers, bodyBytes, body: Buffer.concat(kept).toString('utf8') };
    const path = req.url!.split('?')[0];
    if (req.headers['user-agent'] === HEALTH_CHECK_AGENT) {
      this.checks.push(recorded);
      if (this.healthDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.healthDelayMs));
      if (!res.destroyed) {
        res.writeHead(this.healthStatus, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ status: this.healthStatus, upstream: this.name }));
      }
      return;
    }
    this.requests.push(recorded);
    let match: RegExpExecArray | null;
    if ((match = /^(?:.*)\/status\/(\d{3})$/.exec(path))) {
      res.writeHead(Number(match[1]), { 'content-type': 'application/json', 'x-upstream': this.name });
      res.end(JSON.stringify({ status: Number(match[1]), upstream: this.name }));
    } else if ((match = /^(?:.*)\/delay\/(\d+)$/.exec(path))) {
      await new Promise((resolve) => setTimeout(resolve, Number(match![1])));
      if (res.destroyed) this.cutAnswers++;
      else {
        res.writeHead(200, { 'content-type': 'application/json', 'x-upstream': this.name });
        res.end(JSON.stringify({ delayed: Number(match[1]), upstream: this.name }));
      }
    } else if ((match = /^(?:.*)\/header\/([a-z0-9-]+)\/([^/]+)$/i.exec(path))) {
      res.writeHead(200, { 'content-type': 'application/json', 'x-upstream': this.name, [match[1]]: decodeURIComponent(match[2]) });
      res.end(JSON.stringify({ upstream: this.name }));
    } else if (/\/respond$/.test(path)) {
      const query = new URL(req.url!, 'http://upstream').searchParams;
      const headers: Record<string, string> = { 'content-type': 'application/json', 'x-upstream': this.name };
      for (const header of query.getAll('header')) {
        const at = header.indexOf(':');
        headers[header.slice(0, at).toLowerCase()] = header.slice(at + 1);
      }
      res.writeHead(Number(query.get('status') ?? 200), headers);
      res.end(JSON.stringify({ seq: this.requests.length, upstream: this.name, body: query.get('body') ?? '' }));
    } else if ((match = /^(?:.*)\/download\/(\d+)$/.exec(path))) {
      await this.stream(res, Number(match[1]));
    } else if ((match = /^(?:.*)\/break\/(\d+)$/.exec(path))) {
      const bytes = Number(match[1]);
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(2 * bytes), 'x-upstream': this.name });
      res.write(Buffer.alloc(bytes, 'b'), () => res.destroy());
    } else if ((match = /^(?:.*)\/drip\/(\d+)$/.exec(path))) {
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '10', 'x-upstream': this.name });
      res.write('first');
      await new Promise((resolve) => setTimeout(resolve, Number(match![1])));
      if (!res.destroyed) res.end('-last');
    } else {
      const payload = JSON.stringify({ upstream: this.name, ...recorded });
      res.writeHead(200, {
        'content-type': 'application/json',
        'x-upstream': this.name,
        // Hop-by-hop headers the gateway must not pass to the client.
        'keep-alive': 'timeout=10',
        'x-hop': 'secret',
        connection: 'keep-alive, x-hop',
        'set-cookie': ['a=1; Path=/', 'b=2; Path=/'],
      });
      res.end(payload);
    }
  }

  private async stream(res: ServerResponse, total: number): Promise<void> {
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(total), 'x-upstream': this.name });
    let left = total;
    while (left > 0 && !res.destroyed) {
      const chunk = left >= CHUNK.length ? CHUNK : CHUNK.subarray(0, left);
      left -= chunk.length;
      if (!res.write(chunk)) await drainOrClose(res);
    }
    if (left > 0) this.cutAnswers++;
    else res.end();
  }
}

function drainOrClose(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

export interface RawReply {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/**
 * A request through node:http, for what fetch() refuses or rewrites: Host, Connection, and paths
 * with dot segments (sent exactly as given, never normalised).
 */
export function rawRequest(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string; localAddress?: string } = {},
): Promise<RawReply> {
  const [, hostname, port, path] = /^http:\/\/([^:/]+):(\d+)(\/.*)$/.exec(url)!;
  return new Promise((resolve, reject) => {
    const req = http.request({ hostname, port: Number(port), path, method: options.method ?? 'GET', headers: options.headers, localAddress: options.localAddress }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(options.body);
  });
}
