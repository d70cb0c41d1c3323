import { Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { DatabaseService } from '../database/database.service.js';
import { RouteTableService } from '../routing/table/route-table.service.js';
import { HealthRegistry } from './health-registry.service.js';

const POLL_INTERVAL_MS = 1_000;

// The database's clock decides, so that instances with skewed clocks agree on who has lapsed.
const LAPSED_TARGETS = `
  SELECT id, COALESCE(last_heartbeat_at, created_at) + make_interval(secs => ttl_seconds) < now() AS expired
  FROM targets WHERE ttl_seconds IS NOT NULL`;

/**
 * Heartbeats are written without a configuration change (a change per heartbeat would make every
 * instance rebuild its route table each time), so each instance reads which registrations are
 * still alive with one cheap query a second and feeds the answer to the HealthRegistry.
 * When the database cannot be read, the last answer stands: an outage of the database must not
 * take every registered target out of rotation. Without a target with a TTL in rotation there is
 * nothing to read, and no query is made.
 */
@Injectable()
export class HeartbeatMonitor implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Heartbeats');
  private timer: NodeJS.Timeout | undefined;
  private polling = false;
  private failing = false;

  constructor(
    private readonly db: DatabaseService,
    private readonly routes: RouteTableService,
    private readonly registry: HealthRegistry,
  ) {}

  onModuleInit(): void {
    this.timer = setInterval(() => void this.poll(), POLL_INTERVAL_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  private async poll(): Promise<void> {
    if (this.polling || !this.routes.current.hasTargetsWithTtl()) return;
    this.polling = true;
    try {
      const rows: Array<{ id: string; expired: boolean }> = await this.db.read((manager) => manager.query(LAPSED_TARGETS));
      for (const row of rows) this.registry.setTtlExpired(row.id, row.expired);
      if (this.failing) this.logger.log('heartbeat liveness readable again');
      this.failing = false;
    } catch (error) {
      if (!this.failing) this.logger.warn(`cannot read heartbeat liveness (${(error as Error).message}); keeping the last known state`);
      this.failing = true;
    } finally {
      this.polling = false;
    }
  }
}
