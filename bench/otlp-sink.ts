// An OTLP/HTTP sink for the benchmark's traced scenarios: accepts POST /v1/traces, answers 200 and
// discards the body, counting exports and bytes. Started by bench/run.ts on the load core; prints
// {"msg":"otlp sink listening","port":N} once listening and its counts on SIGTERM.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

let exports = 0;
let bytes = 0;
const server = http.createServer((req, res) => {
  req.on('data', (chunk: Buffer) => (bytes += chunk.length));
  req.on('end', () => {
    exports++;
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': '2' });
    res.end('{}');
  });
});
server.keepAliveTimeout = 65_000;
server.listen({ host: '127.0.0.1', port: 0 }, () => {
  process.stdout.write(JSON.stringify({ msg: 'otlp sink listening', port: (server.address() as AddressInfo).port }) + '\n');
});
const stop = (): void => {
  process.stdout.write(JSON.stringify({ msg: 'otlp sink stopped', exports, bytes }) + '\n');
  server.close();
  server.closeAllConnections();
  setTimeout(() => process.exit(0), 200).unref();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
