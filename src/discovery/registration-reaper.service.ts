import { Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { GatewayConfig } from '../config/gateway-config.js';
import { returning } from '../database/returning.js';
import { ConfigWriter } from '../routing/config-writer.service.js';
import { RouteTableService } from '../routing/table/route-table.service.js';

const SWEEP_INTERVAL_MS = 2_000;
// Registrations out of the table (weight 0) can lapse too; they are swept this often regardless.
const FULL_SWEEP_EVERY = 15;

// Idempotent, so that every instance may sweep: of two racing DELETEs, one returns the rows.
const REAP = `
  DELETE FROM targets
  WHERE source = 'registration' AND ttl_seconds IS NOT NULL
    AND COALESCE(last_heartbeat_at, created_at) + make_interval(secs => ttl_seconds + $1) < now()
  RETURNING id, url, service_id`;

/**
 * Deletes registrations whose TTL lapsed more than DISCOVERY_GRACE_PERIOD_S ago. (Out of rotation
 * they already are, from the moment the TTL lapsed; the grace period lets a stalled instance come
 * back by heartbeating instead of registering again.) The configuration version moves only when
 * something was deleted, so every instance rebuilds its table once per sweep that found work.
 * While no target in rotation has a TTL, it sweeps only every 30 s.
 */
@Injectable()
export class RegistrationReaper implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Registrations');
  private timer: NodeJS.Timeout | undefined;
  private sweeping = false;
  private ticks = 0;

  constructor(
    private readonly config: GatewayConfig,
    private readonly writer: ConfigWriter,
    private readonly routes: RouteTableService,
  ) {}

  onModuleInit(): void {
    this.timer = setInterval(() => void this.tick(), SWEEP_INTERVAL_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  private tick(): void {
    const due = ++this.ticks % FULL_SWEEP_EVERY === 0;
    if (due || this.routes.current.hasTargetsWithTtl()) void this.sweep();
  }

  private async sweep(): Promise<void> {
    if (this.sweeping) return;
    this.sweeping = true;
    try {
      const reaped = await this.writer.changeWhen(
        (manager) => returning<{ id: string; url: string; service_id: string }>(manager, REAP, [this.config.discoveryGracePeriodS]),
        (rows) => rows.length > 0,
        () => 'conflicting change',
      );
      for (const row of reaped) {
        this.logger.log({ target_id: row.id, url: row.url, service_id: row.service_id, grace_s: this.config.discoveryGracePeriodS }, 'registration expired and deleted');
      }
    } catch (error) {
      this.logger.warn(`could not sweep expired registrations: ${(error as Error).message}`);
    } finally {
      this.sweeping = false;
    }
  }
}
