import { Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { GatewayEvents } from '../../common/gateway-events.js';
import { ConfigVersionService } from '../../database/config-version.service.js';
import { DatabaseService } from '../../database/database.service.js';
import { RouteEntity } from '../entities/route.entity.js';
import { ServiceEntity } from '../entities/service.entity.js';
import { TargetEntity } from '../entities/target.entity.js';
import { GatewayConfig } from '../../config/gateway-config.js';
import { securityHeaders } from '../../edge/security-headers.js';
import type { ServiceDefinition } from './compile-service.js';
import { RouteTable, type CompileOptions } from './route-table.js';

const RETRY_DELAY_MS = 1_000;

/**
 * Holds the compiled route table the data plane reads. A rebuild loads one consistent snapshot,
 * compiles it off to the side and swaps the reference: a request sees the old table or the new
 * one, never a mix. Rebuilds never overlap; changes that arrive during one are folded into the next.
 */
@Injectable()
export class RouteTableService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(RouteTableService.name);
  private table = RouteTable.empty();
  private loaded = false;
  private rebuilding: Promise<void> | undefined;
  private pending = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;
  private readonly swapListeners = new Set<(table: RouteTable) => void>();
  /** The gateway-wide defaults every route falls back on (CORS_*, HSTS_MAX_AGE). */
  private readonly compileOptions: CompileOptions;

  constructor(
    private readonly db: DatabaseService,
    private readonly versions: ConfigVersionService,
    private readonly events: GatewayEvents,
    config: GatewayConfig,
  ) {
    this.compileOptions = { defaultCors: config.defaultCors, securityHeaders: securityHeaders(config.hstsMaxAge) };
  }

  get current(): RouteTable {
    return this.table;
  }

  get isLoaded(): boolean {
    return this.loaded;
  }

  /** Called after each new table is in place (the connection pools prune themselves on it). */
  onSwap(listener: (table: RouteTable) => void): () => void {
    this.swapListeners.add(listener);
    return () => this.swapListeners.delete(listener);
  }

  async onModuleInit(): Promise<void> {
    this.unsubscribe = this.versions.onChange((version) => {
      if (version !== this.table.version) void this.refresh();
    });
    await this.refresh();
  }

  onApplicationShutdown(): void {
    this.unsubscribe?.();
    clearTimeout(this.retryTimer);
  }

  /** Rebuilds from the database; resolves once a table at least as new as the call is in place. */
  refresh(): Promise<void> {
    if (this.rebuilding) {
      this.pending = true;
      return this.rebuilding;
    }
    this.rebuilding = (async () => {
      try {
        do {
          this.pending = false;
          await this.rebuild();
        } while (this.pending);
      } finally {
        this.rebuilding = undefined;
      }
    })();
    return this.rebuilding;
  }

  private async rebuild(): Promise<void> {
    try {
      const started = performance.now();
      const next = await this.db.snapshot(async (manager) => {
        const version = await this.versions.current(manager);
        if (this.loaded && version === this.table.version) return undefined;
        const [services, targets, routes] = await Promise.all([
          manager.find(ServiceEntity),
          manager.find(TargetEntity, { order: { createdAt: 'ASC', id: 'ASC' } }),
          manager.find(RouteEntity),
        ]);
        const definitions = new Map<string, ServiceDefinition>(services.map((s) => [s.id, { ...s, targets: [] }]));
        for (const target of targets) definitions.get(target.serviceId)?.targets.push(target);
        return RouteTable.compile(version, [...definitions.values()], routes, this.compileOptions);
      });
      if (!next) return;
      this.table = next;
      this.loaded = true;
      for (const listener of this.swapListeners) listener(next);
      this.events.emit('config.applied', { version: next.version, routes: next.routeCount, services: next.services.length });
      for (const s of next.shadowed) {
        this.logger.warn(`route ${s.route}: ${s.method} ${s.host ?? '*'} ${s.path} is shadowed by route ${s.shadowedBy}`);
      }
      this.logger.log({ version: next.version, routes: next.routeCount, ms: Math.round(performance.now() - started) }, 'route table built');
    } catch (error) {
      this.logger.error(`could not build the route table: ${(error as Error).message}; retrying`);
      clearTimeout(this.retryTimer);
      this.retryTimer = setTimeout(() => void this.refresh(), RETRY_DELAY_MS);
      this.retryTimer.unref();
    }
  }
}
