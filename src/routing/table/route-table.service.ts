import { setImmediate as nextTurn } from 'node:timers/promises';
import { Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { type EntityManager, MoreThan } from 'typeorm';
import { GatewayEvents } from '../../common/gateway-events.js';
import { ConfigVersionService } from '../../database/config-version.service.js';
import { DatabaseService } from '../../database/database.service.js';
import { SnapshotLoader } from '../../database/snapshot-loader.js';
import { RouteEntity } from '../entities/route.entity.js';
import { ServiceEntity } from '../entities/service.entity.js';
import { TargetEntity } from '../entities/target.entity.js';
import { GatewayConfig } from '../../config/gateway-config.js';
import { securityHeaders } from '../../edge/security-headers.js';
import type { ServiceDefinition } from './compile-service.js';
import { RouteTable, type CompileOptions } from './route-table.js';

const ROUTE_PAGE_SIZE = 500;

/** What a route table is compiled from: the services with their targets, and the routes. */
interface TableDefinitions {
  services: ServiceDefinition[];
  routes: RouteEntity[];
}

/**
 * Holds the compiled route table the data plane reads. A rebuild loads one consistent snapshot,
 * compiles it off to the side, in slices that leave the event loop to the requests in flight,
 * and swaps the reference: a request sees the old table or the new one, never a mix (see
 * SnapshotLoader).
 */
@Injectable()
export class RouteTableService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(RouteTableService.name);
  private table = RouteTable.empty();
  private loaded = false;
  private readonly swapListeners = new Set<(table: RouteTable) => void>();
  private readonly loader: SnapshotLoader<RouteTable, TableDefinitions>;
  /** The gateway-wide defaults every route falls back on (CORS_*, HSTS_MAX_AGE). */
  private readonly compileOptions: CompileOptions;

  constructor(db: DatabaseService, versions: ConfigVersionService, private readonly events: GatewayEvents, config: GatewayConfig) {
    this.compileOptions = { defaultCors: config.defaultCors, securityHeaders: securityHeaders(config.hstsMaxAge) };
    this.loader = new SnapshotLoader<RouteTable, TableDefinitions>('route table', db, versions, {
      loadedVersion: () => (this.loaded ? this.table.version : undefined),
      read: (manager) => this.read(manager),
      compile: ({ services, routes }, version) => RouteTable.compileInSlices(version, services, routes, this.compileOptions),
      apply: (next, _version, ms) => this.apply(next, ms),
    }, this.logger);
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

  onModuleInit(): Promise<void> {
    return this.loader.start();
  }

  onApplicationShutdown(): void {
    this.loader.stop();
  }

  /** Rebuilds from the database; resolves once a table at least as new as the call is in place. */
  refresh(): Promise<void> {
    return this.loader.refresh();
  }

  private async read(manager: EntityManager): Promise<TableDefinitions> {
    const [services, targets, routes] = await Promise.all([
      manager.find(ServiceEntity),
      manager.find(TargetEntity, { order: { createdAt: 'ASC', id: 'ASC' } }),
      this.readRoutes(manager),
    ]);
    const definitions = new Map<string, ServiceDefinition>(services.map((s) => [s.id, { ...s, targets: [] }]));
    for (const target of targets) definitions.get(target.serviceId)?.targets.push(target);
    return { services: [...definitions.values()], routes };
  }

  /**
   * The routes, a page at a time within the same snapshot, with a turn of the event loop after
   * each: turning 10,000 rows into entities in one go held the loop for over 100 ms, a page of them
   * takes a few. The embedded database answers within the same turn (PGlite runs the SQL on this
   * thread and its promises are already settled), so without the explicit turn its pages would
   * still run back to back: 650–890 ms per rebuild at 10,000 routes.
   */
  private async readRoutes(manager: EntityManager): Promise<RouteEntity[]> {
    const routes: RouteEntity[] = [];
    for (;;) {
      const last = routes.at(-1);
      const page = await manager.find(RouteEntity, { where: last ? { id: MoreThan(last.id) } : {}, order: { id: 'ASC' }, take: ROUTE_PAGE_SIZE });
      routes.push(...page);
      if (page.length < ROUTE_PAGE_SIZE) return routes;
      await nextTurn();
    }
  }

  private apply(next: RouteTable, ms: number): void {
    this.table = next;
    this.loaded = true;
    for (const listener of this.swapListeners) listener(next);
    this.events.emit('config.applied', { version: next.version, routes: next.routeCount, services: next.services.length });
    for (const s of next.shadowed) {
      this.logger.warn(`route ${s.route}: ${s.method} ${s.host ?? '*'} ${s.path} is shadowed by route ${s.shadowedBy}`);
    }
    this.logger.log({ version: next.version, routes: next.routeCount, ms }, 'route table built');
  }
}
