import http, { type IncomingMessage, ServerResponse } from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { Injectable } from '@nestjs/common';
import { GatewayError } from '../common/gateway-error.js';
import { DataPlane } from './data-plane.js';
import { downstreamResponseHeaders } from './headers.js';
import type { RequestContext } from './request-context.js';
import { upstreamFailure } from './upstream-errors.js';
import { UpstreamForwarder } from './upstream-forwarder.js';
import { upstreamPath } from './upstream-path.js';

/**
 * WebSocket upgrades on routes with `websocket: true`. The handshake is a request like any other:
 * the same limits, route resolution and phases (CORS, auth, rate limiting) run on it, and a
 * refusal is the usual problem+json. Then the upstream is asked for the same upgrade; its 101 is
 * passed back and the two sockets are joined, frames both ways untouched. Either side closing
 * closes the other; an upstream that refuses the upgrade has its answer passed on as it is.
 */
@Injectable()
export class WebSocketProxy {
  constructor(
    private readonly dataPlane: DataPlane,
    private readonly forwarder: UpstreamForwarder,
  ) {}

  handle(req: IncomingMessage, socket: Duplex, head: Buffer, path: string, query: string, refused?: GatewayError): void {
    // A response object on the raw socket lets phases and errors answer the handshake as usual.
    const res = new ServerResponse(req);
    res.shouldKeepAlive = false;
    res.assignSocket(socket as Socket);
    res.once('finish', () => socket.end());
    const context = this.dataPlane.contextFor(req, res, path, query);
    socket.once('close', () => this.dataPlane.finish(context));
    const handshake = refused ? Promise.reject(refused) : this.run(context, socket, head);
    handshake.catch((error: unknown) => this.dataPlane.fail(context, error));
  }

  private async run(context: RequestContext, client: Duplex, head: Buffer): Promise<void> {
    if (!(await this.dataPlane.admit(context, true))) return;
    const route = context.match!.route;
    const service = route.service;
    const target = this.forwarder.pickTarget(context);
    if (!target) throw new GatewayError('SERVICE_UNAVAILABLE', `service "${service.name}" has no healthy target`);
    context.target = target;
    context.attempts = 1;
    const headers = this.forwarder.headersFor(context, target);
    headers.connection = 'upgrade';
    headers.upgrade = context.req.headers.upgrade!;
    const origin = new URL(target.origin);
    const started = performance.now();
    const upstreamReq = (origin.protocol === 'https:' ? https : http).request({
      host: origin.hostname,
      port: origin.port,
      method: 'GET',
      path: upstreamPath(context.path, context.query, context.match!, target),
      headers,
      agent: false,
      // Until the upstream answers the handshake; the tunnel itself has no idle limit.
      timeout: route.headersTimeoutMs,
    });
    await new Promise<void>((resolve, reject) => {
      upstreamReq.once('upgrade', (upstreamRes: IncomingMessage, upstream: Socket, upstreamHead: Buffer) => {
        context.upstreamMs = performance.now() - started;
        this.join(context, client, head, upstreamRes, upstream, upstreamHead);
        resolve();
      });
      upstreamReq.once('response', (upstreamRes: IncomingMessage) => {
        context.upstreamMs = performance.now() - started;
        context.res.writeHead(upstreamRes.statusCode!, downstreamResponseHeaders(upstreamRes.headers, context.requestId));
        upstreamRes.pipe(context.res);
        resolve();
      });
      upstreamReq.once('timeout', () => upstreamReq.destroy(Object.assign(new Error('handshake timed out'), { code: 'UND_ERR_HEADERS_TIMEOUT' })));
      upstreamReq.once('error', (error) => reject(upstreamFailure(error, service.name, route) ?? error));
      // The client gave up during the handshake: so does the gateway.
      client.once('close', () => upstreamReq.destroy());
      upstreamReq.end();
    });
  }

  private join(context: RequestContext, client: Duplex, head: Buffer, upstreamRes: IncomingMessage, upstream: Socket, upstreamHead: Buffer): void {
    const { res } = context;
    res.detachSocket(client as Socket);
    res.statusCode = 101;
    context.upgraded = true;
    upstream.setTimeout(0);
    upstream.setNoDelay(true);
    (client as Socket).setNoDelay?.(true);
    // The upstream's 101 as it sent it (Sec-WebSocket-Accept, the chosen protocol and extensions).
    let reply = 'HTTP/1.1 101 Switching Protocols\r\n';
    const raw = upstreamRes.rawHeaders;
    for (let i = 0; i < raw.length; i += 2) if (raw[i].toLowerCase() !== 'x-request-id') reply += `${raw[i]}: ${raw[i + 1]}\r\n`;
    reply += `X-Request-Id: ${context.requestId}\r\n\r\n`;
    client.write(reply);
    if (upstreamHead.length) client.write(upstreamHead);
    if (head.length) upstream.write(head);
    upstream.pipe(client);
    client.pipe(upstream);
    // A close on one side ends the other once what is in flight is written; an error cuts both.
    upstream.once('close', () => endSoon(client));
    client.once('close', () => endSoon(upstream));
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  }
}

function endSoon(socket: Duplex): void {
  if (socket.destroyed) return;
  const destroySoon = (socket as Socket).destroySoon;
  if (typeof destroySoon === 'function') destroySoon.call(socket);
  else socket.end();
}
