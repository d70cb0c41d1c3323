// Minimal upstream for the benchmark: a plain node:http server, keep-alive, that answers every
// path with the same small JSON body (~100 bytes), except GET /bytes/N: N bytes (at most 64 MiB),
// for the download scenarios. Request bodies are drained and their size reported instead.
//
// Started as a child process by bench/run.ts. It listens on 127.0.0.1 on the port given in
// BENCH_UPSTREAM_PORT (default 0 = ephemeral), and on BENCH_UPSTREAM_EXTRA_PORTS more ephemeral
// ports (default 0) so that a service can have several targets (several origins, several
// connection pools) served by this one process; it prints one JSON line
// {"port":N,"extraPorts":[...]} on stdout once listening. It exits on SIGTERM/SIGINT, or when its
// parent goes away (stdin closes).
import http from 'node:http';
import type { AddressInfo } from 'node:net';

const BODY = Buffer.from(
  JSON.stringify({
    ok: true,
    service: 'bench-upstream',
    message: 'hello from the benchmark upstream server',
    n: 42,
  }),
);

const MAX_DOWNLOAD_BYTES = 64 * 1024 * 1024;
const downloads = new Map<number, Buffer>();

/** The body of GET /bytes/N, made once per size. */
function downloadBody(url: string | undefined): Buffer | undefined {
  const m = /^\/bytes\/(\d+)$/.exec(url ?? '');
  if (m === null) return undefined;
  const size = Math.min(Number(m[1]), MAX_DOWNLOAD_BYTES);
  let body = downloads.get(size);
  if (body === undefined) downloads.set(size, (body = Buffer.alloc(size, 'x')));
  return body;
}

const handler: http.RequestListener = (req, res) => {
  const hasBody =
    req.headers['content-length'] !== undefined && req.headers['content-length'] !== '0'
      ? true
      : req.headers['transfer-encoding'] !== undefined;
  if (!hasBody) {
    const download = req.method === 'GET' ? downloadBody(req.url) : undefined;
    if (download !== undefined) {
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': download.length });
      res.end(download);
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': BODY.length });
    res.end(BODY);
    return;
  }
  let received = 0;
  req.on('data', (chunk: Buffer) => {
    received += chunk.length;
  });
  req.on('end', () => {
    const out = Buffer.from(JSON.stringify({ ok: true, received }));
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': out.length });
    res.end(out);
  });
  req.on('error', () => res.destroy());
};

function listen(port: number): Promise<http.Server> {
  const server = http.createServer(handler);
  // Keep idle connections open longer than any client pool (undici, wrk) keeps them, so the
  // measurement never pays for reconnects caused by the server closing first.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.requestTimeout = 0;
  return new Promise((resolve) => server.listen({ host: '127.0.0.1', port, backlog: 1024 }, () => resolve(server)));
}

const servers = await Promise.all([
  listen(Number(process.env.BENCH_UPSTREAM_PORT ?? 0)),
  ...Array.from({ length: Number(process.env.BENCH_UPSTREAM_EXTRA_PORTS ?? 0) }, () => listen(0)),
]);
const [port, ...extraPorts] = servers.map((server) => (server.address() as AddressInfo).port);
process.stdout.write(JSON.stringify({ msg: 'upstream listening', port, extraPorts }) + '\n');

const stop = (): void => {
  for (const server of servers) {
    server.close();
    server.closeAllConnections();
  }
  setTimeout(() => process.exit(0), 500).unref();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
// The parent keeps our stdin open; if it dies without cleaning up, we go too.
process.stdin.on('end', stop);
process.stdin.on('error', stop);
process.stdin.resume();
