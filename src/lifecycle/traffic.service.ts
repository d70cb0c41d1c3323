import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { Injectable, Logger, type BeforeApplicationShutdown } from '@nestjs/common';
import { GATEWAY_OWNED_PATH_SET } from '../common/gateway-owned-paths.js';
import { markRequestEnd } from '../common/socket-bytes.js';
import { GatewayConfig } from '../config/gateway-config.js';
import { DataPlane } from '../proxy/data-plane.js';

type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * Owns the HTTP listener's request event: requests under a proxied prefix go to the data plane,
 * everything else to Express (the control plane), and so do the few paths under `/api/v1` the
 * gateway answers itself (GATEWAY_OWNED_PATHS: the token, revoke and users/me endpoints). It also counts requests in flight, so that a
 * SIGTERM drains them: stop accepting, let them finish within SHUTDOWN_GRACE_MS, then close.
 */
@Injectable()
export class TrafficService implements BeforeApplicationShutdown {
  private readonly logger = new Logger('Lifecycle');
  private server: Server | undefined;
  private inFlight = 0;
  private draining = false;
  private drained: (() => void) | undefined;

  constructor(
    private readonly config: GatewayConfig,
    private readonly dataPlane: DataPlane,
  ) {}

  get isDraining(): boolean {
    return this.draining;
  }

  install(server: Server, controlPlane: RequestListener): void {
    this.server = server;
    server.removeAllListeners('request');
    // Longer than the usual load balancer idle timeout (60 s), so the balancer closes first.
    server.keepAliveTimeout = 65_000;
    server.headersTimeout = 66_000;
    server.on('request', (req: IncomingMessage, res: ServerResponse) => this.dispatch(req, res, controlPlane));
  }

  private dispatch(req: IncomingMessage, res: ServerResponse, controlPlane: RequestListener): void {
    this.inFlight++;
    res.once('close', this.onDone);
    if (this.draining) res.shouldKeepAlive = false;
    const url = req.url ?? '/';
    const queryAt = url.indexOf('?');
    const path = queryAt === -1 ? url : url.slice(0, queryAt);
    // One set lookup on the path string already cut out; nothing is built per request.
    if (this.config.proxyPrefixOf(path) !== undefined && !GATEWAY_OWNED_PATH_SET.has(path)) {
      this.dataPlane.handle(req, res, path, queryAt === -1 ? '' : url.slice(queryAt));
    } else {
      // The data plane marks its own requests' end; see common/socket-bytes.ts.
      const socket = req.socket;
      res.once('close', () => markRequestEnd(socket));
      controlPlane(req, res);
    }
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
    await closed;
  }
}
