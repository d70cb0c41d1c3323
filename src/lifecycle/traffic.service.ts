import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { Injectable, Logger, type BeforeApplicationShutdown } from '@nestjs/common';
import { controlPlaneStorage } from '../common/control-plane-storage.js';
import { GatewayError } from '../common/gateway-error.js';
import { GATEWAY_OWNED_PATH_SET } from '../common/gateway-owned-paths.js';
import { problem, sendProblem } from '../common/problem.js';
import { requestIdOf } from '../common/request-id.js';
import { cidrSetHas } from '../config/cidr.js';
import { markRequestEnd } from '../common/socket-bytes.js';
import { GatewayConfig } from '../config/gateway-config.js';
import { AggregatedDocsHandler } from '../docs/aggregated-docs.handler.js';
import { answerClientError } from '../edge/client-error.js';
import { RequestLimits } from '../edge/request-limits.js';
import { clientAddress } from '../proxy/headers.js';
import { DataPlane } from '../proxy/data-plane.js';
import { WebSocketProxy } from '../proxy/websocket-proxy.js';

const pathOf = (url: string, queryAt = url.indexOf('?')) => (queryAt === -1 ? url : url.slice(0, queryAt));
const queryOf = (url: string, queryAt: number) => (queryAt === -1 ? '' : url.slice(queryAt));

type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * The control plane's entry: its request stores stay on until the response closes
 * (common/control-plane-storage.ts), and the end of the request is marked on its connection as
 * the data plane marks its own (common/socket-bytes.ts).
 */
function controlPlaneEntry(listener: RequestListener): RequestListener {
  return (req, res) => {
    const socket = req.socket;
    const release = controlPlaneStorage.hold();
    res.once('close', () => {
      markRequestEnd(socket);
      release();
    });
    listener(req, res);
  };
}

// Kubernetes probes the pod on the traffic port; they stay there when ADMIN_PORT moves the rest.
const PROBES = new Set(['/health', '/ready', '/health/startup']);

/**
 * Owns the HTTP listeners' request events. On the public listener, requests under a proxied prefix
 * go to the data plane and everything else to Express (the control plane) — or, when ADMIN_PORT is
 * set, only the probes: the admin API, discovery and /docs then answer on the admin listener alone
 * (which ADMIN_ALLOWED_CIDRS may narrow) and are a 404 on the public one. A few paths under the
 * proxied prefixes are the gateway's own and are answered before the data plane, on the public
 * listener: the aggregated API docs (`<prefix>/docs…`) and GATEWAY_OWNED_PATHS (the token, revoke
 * and users/me endpoints, which go to Express). Upgrades on the public listener go to the WebSocket
 * proxy. Every request on either listener first passes the URL-length and header-count limits;
 * what Node's parser refuses is answered as problem+json through 'clientError'. It also counts
 * requests and WebSocket tunnels in flight, so that a SIGTERM drains them: stop accepting, let
 * them finish within SHUTDOWN_GRACE_MS, then close.
 */
@Injectable()
export class TrafficService implements BeforeApplicationShutdown {
  private readonly logger = new Logger('Lifecycle');
  private readonly servers: Server[] = [];
  private inFlight = 0;
  private draining = false;
  private drained: (() => void) | undefined;
  private readonly limits: RequestLimits;
  /** Upgraded sockets: no longer the HTTP server's, so closed here at the end of the grace period. */
  private readonly tunnels = new Set<Duplex>();

  constructor(
    private readonly config: GatewayConfig,
    private readonly dataPlane: DataPlane,
    private readonly webSockets: WebSocketProxy,
    private readonly docs: AggregatedDocsHandler,
  ) {
    this.limits = new RequestLimits(config);
  }

  get isDraining(): boolean {
    return this.draining;
  }

  /** The public listener (PORT). */
  install(server: Server, nestApp: RequestListener): void {
    const controlPlane = controlPlaneEntry(nestApp);
    const controlPlaneHere = this.config.adminPort === undefined;
    // Without ADMIN_PORT, ADMIN_ALLOWED_CIDRS narrows the control plane on the shared port (probes excepted).
    const allowed = controlPlaneHere ? this.config.adminAllowedCidrs : undefined;
    this.take(server, (req, res) => {
      const url = req.url ?? '/';
      const queryAt = url.indexOf('?');
      const path = pathOf(url, queryAt);
      if (this.config.proxyPrefixOf(path) !== undefined) {
        // Two set lookups on the path string already cut out; nothing is built per request.
        if (GATEWAY_OWNED_PATH_SET.has(path)) controlPlane(req, res);
        else if (this.docs.owns(path)) this.docs.handle(req, res, path);
        else this.dataPlane.handle(req, res, path, queryOf(url, queryAt));
      } else if (PROBES.has(path)) controlPlane(req, res);
      else if (!controlPlaneHere) refuse(req, res, 'NOT_FOUND', `nothing at ${path}`);
      else if (allowed && !cidrSetHas(allowed, clientAddress(req))) refuse(req, res, 'FORBIDDEN', 'this address may not reach the admin API');
      else controlPlane(req, res);
    });
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.upgrade(req, socket, head));
  }

  /** The admin listener (ADMIN_PORT): the control plane only, to the allowed addresses only. */
  installAdmin(server: Server, nestApp: RequestListener): void {
    const controlPlane = controlPlaneEntry(nestApp);
    const allowed = this.config.adminAllowedCidrs;
    this.take(server, (req, res) => {
      const path = pathOf(req.url ?? '/');
      if (allowed && !cidrSetHas(allowed, clientAddress(req))) refuse(req, res, 'FORBIDDEN', 'this address may not reach the admin listener');
      else if (this.config.proxyPrefixOf(path) !== undefined) refuse(req, res, 'NOT_FOUND', 'proxied traffic is served on the public port');
      else controlPlane(req, res);
    });
  }

  private take(server: Server, handler: RequestListener): void {
    this.servers.push(server);
    server.removeAllListeners('request');
    // Longer than the usual load balancer idle timeout (60 s), so the balancer closes first.
    server.keepAliveTimeout = 65_000;
    server.headersTimeout = 66_000;
    server.maxHeadersCount = this.limits.serverMaxHeadersCount;
    server.on('clientError', answerClientError);
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      this.inFlight++;
      res.once('close', this.onDone);
      if (this.draining) res.shouldKeepAlive = false;
      const refused = this.limits.checkRequest(req);
      if (refused) {
        const requestId = requestIdOf(req);
        sendProblem(res, problem(refused.code, refused.detail, requestId), { 'x-request-id': requestId });
        return;
      }
      handler(req, res);
    });
  }

  /** What the data plane would take on the public listener (the gateway's own paths excepted). */
  private isProxied(path: string): boolean {
    return this.config.proxyPrefixOf(path) !== undefined && !GATEWAY_OWNED_PATH_SET.has(path) && !this.docs.owns(path);
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.inFlight++;
    this.tunnels.add(socket);
    socket.once('close', () => {
      this.tunnels.delete(socket);
      this.onDone();
    });
    socket.on('error', () => socket.destroy());
    const url = req.url ?? '/';
    const queryAt = url.indexOf('?');
    const path = pathOf(url, queryAt);
    const refused = this.draining
      ? new GatewayError('SERVICE_UNAVAILABLE', 'the gateway is shutting down')
      : (this.limits.checkRequest(req) ??
        (!this.isProxied(path) ? new GatewayError('ROUTE_NOT_FOUND', 'upgrades are proxied only on routes with websocket: true') : undefined));
    this.webSockets.handle(req, socket, head, path, queryOf(url, queryAt), refused);
  }

  private readonly onDone = (): void => {
    this.inFlight--;
    if (this.inFlight === 0) this.drained?.();
  };

  async beforeApplicationShutdown(signal?: string): Promise<void> {
    if (this.servers.length === 0 || this.draining) return;
    this.draining = true;
    this.logger.log({ signal, in_flight: this.inFlight, grace_ms: this.config.shutdownGraceMs }, 'draining');
    const closed = this.servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve())));
    // Idle keep-alive sockets would otherwise hold the listeners open until they time out.
    for (const server of this.servers) server.closeIdleConnections();
    if (this.inFlight > 0) {
      await Promise.race([
        new Promise<void>((resolve) => (this.drained = resolve)),
        new Promise<void>((resolve) => setTimeout(resolve, this.config.shutdownGraceMs).unref()),
      ]);
    }
    if (this.inFlight > 0) this.logger.warn({ in_flight: this.inFlight }, 'grace period over; closing the remaining connections');
    for (const server of this.servers) server.closeAllConnections();
    for (const socket of this.tunnels) socket.destroy();
    await Promise.all(closed);
  }
}

function refuse(req: IncomingMessage, res: ServerResponse, code: 'NOT_FOUND' | 'FORBIDDEN', detail: string): void {
  const requestId = requestIdOf(req);
  sendProblem(res, problem(code, detail, requestId, { instance: pathOf(req.url ?? '/') }), { 'x-request-id': requestId });
}
