import { Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { Pool } from 'undici';
import { GatewayConfig } from '../config/gateway-config.js';
import type { UpstreamTarget } from '../routing/table/compiled-route.js';
import type { RouteTable } from '../routing/table/route-table.js';
import { RouteTableService } from '../routing/table/route-table.service.js';

const poolKey = (origin: string, connectTimeoutMs: number) => `${origin}|${connectTimeoutMs}`;

/**
 * One keep-alive connection pool per upstream origin (and connect timeout, which undici sets per pool). Pools no target uses
 * any more are closed after a table swap, gracefully: requests in flight on them finish first.
 */
@Injectable()
export class UpstreamPools implements OnModuleInit, OnApplicationShutdown {
  private readonly pools = new Map<string, Pool>();
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly config: GatewayConfig,
    private readonly routes: RouteTableService,
  ) {}

  onModuleInit(): void {
    this.unsubscribe = this.routes.onSwap((table) => this.prune(table));
  }

  /** The pool for a target under a connect timeout (the route's, which defaults to its service's). */
  get(target: UpstreamTarget, connectTimeoutMs: number): Pool {
    const key = poolKey(target.origin, connectTimeoutMs);
    let pool = this.pools.get(key);
    if (!pool) {
      pool = new Pool(target.origin, {
        connections: this.config.upstreamMaxConnections,
        connect: { timeout: connectTimeoutMs },
        // Bodies stream in both directions; these bounds are set per request from the route.
        headersTimeout: 0,
        bodyTimeout: 0,
      });
      this.pools.set(key, pool);
    }
    return pool;
  }

  get size(): number {
    return this.pools.size;
  }

  async onApplicationShutdown(): Promise<void> {
    this.unsubscribe?.();
    const pools = [...this.pools.values()];
    this.pools.clear();
    await Promise.allSettled(pools.map((pool) => pool.close()));
  }

  private prune(table: RouteTable): void {
    const inUse = new Set<string>();
    for (const route of table.routes) for (const target of route.service.targets) inUse.add(poolKey(target.origin, route.connectTimeoutMs));
    for (const [key, pool] of this.pools) {
      if (inUse.has(key)) continue;
      this.pools.delete(key);
      void pool.close().catch(() => undefined);
    }
  }
}
