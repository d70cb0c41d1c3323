import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { Injectable, Logger, type BeforeApplicationShutdown } from '@nestjs/common';
import { GatewayError } from '../common/gateway-error.js';
import { GATEWAY_OWNED_PATH_SET } from '../common/gateway-owned-paths.js';
import { problem, sendProblem } from '../common/problem.js';
import { requestIdOf } from '../common/request-id.js';
import { GatewayConfig } from '../config/gateway-config.js';
import { answerClientError } from '../edge/client-error.js';
import { RequestLimits } from '../edge/request-limits.js';
import { DataPlane } from '../proxy/data-plane.js';
import { WebSocketProxy } from '../proxy/websocket-proxy.js';

const pathOf = (url: string, queryAt: number) => (queryAt === -1 ? url : url.slice(0, queryAt));
const queryOf = (url: string, queryAt: number) => (queryAt === -1 ? '' : url.slice(queryAt));

type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * Owns the HTTP listener's request and upgrade events: requests under a proxied prefix go to the
 * data plane, everything else to Express (the control plane), and so do the few paths under
 * `/api/v1` the gateway answers itself (GATEWAY_OWNED_PATHS: the token, revoke and users/me
 * endpoints); upgrades go to the WebSocket proxy. Every request first passes the URL-length and
 * header-count limits; what Node's parser refuses is answered as problem+json through
 * 'clientError'. It also counts requests and WebSocket tunnels in flight, so that a SIGTERM drains
 * them: stop accepting, let them finish within SHUTDOWN_GRACE_MS, then close.
 */
@Injectable()
export class TrafficService implements BeforeApplicationShutdown {
  private readonly logger = new Logger('Lifecycle');
  private server: Server | undefined;
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
  ) {
    this.limits = new RequestLimits(config);
  }

  get isDraining(): boolean {
    return this.draining;
  }

  install(server: Server, controlPlane: RequestListener): void {
    this.server = server;
    server.removeAllListeners('request');
    // Longer than the usual load balancer idle timeout (60 s), so the balancer closes first.
    server.keepAliveTimeout = 65_000;
    server.headersTimeout = 66_000;
    server.maxHeadersCount = this.limits.serverMaxHeadersCount;
    server.on('clientError', answerClientError);
    server.on('request', (req: IncomingMessage, res: ServerResponse) => this.dispatch(req, res, controlPlane));
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.upgrade(req, socket, head));
  }

  private dispatch(req: IncomingMessage, res: ServerResponse, controlPlane: RequestListener): void {
    this.inFlight++;
    res.once('close', this.onDone);
    if (this.draining) res.shouldKeepAlive = false;
    const refused = this.limits.checkRequest(req);
    if (refused) {
      const requestId = requestIdOf(req);
      sendProblem(res, problem(refused.code, refused.detail, requestId), { 'x-request-id': requestId });
      return;
    }
    const url = req.url ?? '/';
    const queryAt = url.indexOf('?');
    const path = pathOf(url, queryAt);
    if (this.isProxied(path)) {
      this.dataPlane.handle(req, res, path, queryOf(url, queryAt));
    } else {
      controlPlane(req, res);
    }
  }

  /** One set lookup on the path string already cut out; nothing is built per request. */
  private isProxied(path: string): boolean {
    return this.config.proxyPrefixOf(path) !== undefined && !GATEWAY_OWNED_PATH_SET.has(path);
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
    if (!this.server || this.draining) return;
    this.draining = true;
    this.logger.log({ signal, in_flight: this.inFlight, grace_ms: this.config.shutdownGraceMs }, 'draining');
    const server = this.server;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    // Idle keep-alive sockets would otherwise hold the listener open until they time out.
    server.closeIdleConnections();
    if (this.inFlight > 0) {
      await Promise.race([
        new Promise<void>((resolve) => (this.drained = resolve)),
        new Promise<void>((resolve) => setTimeout(resolve, this.config.shutdownGraceMs).unref()),
      ]);
    }
    if (this.inFlight > 0) this.logger.warn({ in_flight: this.inFlight }, 'grace period over; closing the remaining connections');
    server.closeAllConnections();
    for (const socket of this.tunnels) socket.destroy();
    await closed;
  }
}
