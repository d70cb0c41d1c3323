import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { conflict, invalidRequest, notFound } from '../common/gateway-error.js';
import { upstreamUrlProblem } from '../common/validators.js';
import { DatabaseService } from '../database/database.service.js';
import { returning } from '../database/returning.js';
import { ConfigWriter } from '../routing/config-writer.service.js';
import type { ListQueryDto } from '../routing/dto/list-query.dto.js';
import type { TargetView } from '../routing/dto/service.dto.js';
import type { Page } from '../routing/lookup.js';
import { ServicesService } from '../routing/services.service.js';
import type { ActiveCheck } from '../routing/table/compiled-route.js';
import { RouteTableService } from '../routing/table/route-table.service.js';
import { bareHost, type DiscoveredServiceView, type DiscoveredTargetView, type HeartbeatView, type RegisterTargetDto, type RegistrationView } from './dto/registration.dto.js';
import { HealthRegistry } from './health-registry.service.js';
import { targetHealthView } from './health-views.js';

interface TargetRow {
  id: string;
  service_id: string;
  url: string;
  weight: number;
  source: string;
  check_path: string | null;
  check_interval_s: number | null;
  ttl_seconds: number | null;
  metadata: Record<string, unknown>;
  last_heartbeat_at: Date;
  inserted: boolean;
}

// One statement, so that two instances registering the same address at once cannot both insert.
// An address the admin API configured is not taken over (the WHERE leaves it alone).
const UPSERT_REGISTRATION = `
  INSERT INTO targets (id, service_id, url, weight, source, check_path, check_interval_s, ttl_seconds, metadata, last_heartbeat_at)
  VALUES ($1, $2, $3, $4, 'registration', $5, $6, $7, $8, now())
  ON CONFLICT (service_id, url) DO UPDATE SET
    weight = EXCLUDED.weight, check_path = EXCLUDED.check_path, check_interval_s = EXCLUDED.check_interval_s,
    ttl_seconds = EXCLUDED.ttl_seconds, metadata = EXCLUDED.metadata, last_heartbeat_at = now()
  WHERE targets.source = 'registration'
  RETURNING id, service_id, url, weight, source, check_path, check_interval_s, ttl_seconds, metadata, last_heartbeat_at, (xmax = 0) AS inserted`;

const expiresAt = (heartbeat: Date, ttlSeconds: number | null) => (ttlSeconds === null ? null : new Date(heartbeat.getTime() + ttlSeconds * 1_000).toISOString());

/** `http://10.0.0.5:8080`, `http://[::1]:8080`. */
function urlOf(scheme: string, host: string, port: number): string {
  const bare = bareHost(host).toLowerCase();
  return `${scheme}://${bare.includes(':') ? `[${bare}]` : bare}:${port}`;
}

/**
 * Self-registration: an instance registers its address under a service name, renews it with
 * heartbeats, and deregisters. Registering and deregistering change the configuration (every
 * instance rebuilds its table); a heartbeat only moves `last_heartbeat_at`, read by every
 * instance's HeartbeatMonitor.
 */
@Injectable()
export class RegistrationService {
  constructor(
    private readonly db: DatabaseService,
    private readonly writer: ConfigWriter,
    private readonly services: ServicesService,
    private readonly routes: RouteTableService,
    private readonly health: HealthRegistry,
  ) {}

  /** Registers, or renews and updates the registration of the same address (`created: false`). */
  async register(body: RegisterTargetDto): Promise<{ view: RegistrationView; created: boolean }> {
    const url = urlOf(body.scheme ?? 'http', body.host, body.port);
    const urlProblem = upstreamUrlProblem(url);
    if (urlProblem) throw invalidRequest('invalid field: host', [{ field: 'host', message: `host gives the URL ${url}, which ${urlProblem}` }]);
    const row = await this.writer.change(async (manager) => {
      const service = await this.serviceFor(manager, body.service_name);
      const [registered] = await manager.query(UPSERT_REGISTRATION, [
        randomUUID(),
        service.id,
        url,
        body.weight ?? 100,
        body.check_endpoint ?? null,
        body.check_interval ?? null,
        body.ttl_seconds ?? null,
        JSON.stringify(body.metadata ?? {}),
      ]) as TargetRow[];
      if (!registered) throw conflict(`${url} is configured for service "${body.service_name}" through the admin API; it cannot be registered`);
      return { ...registered, service_name: service.name };
    }, () => `a conflicting registration of ${url} is in progress; try again`);
    // This instance knows at once that it is alive (others learn it within a second).
    this.health.setTtlExpired(row.id, false);
    return { view: this.registrationView(row, { id: row.service_id, name: row.service_name }), created: row.inserted };
  }

  async heartbeat(id: string): Promise<HeartbeatView> {
    const [row] = await this.db.write((manager) =>
      returning<{ id: string; ttl_seconds: number | null; last_heartbeat_at: Date }>(
        manager,
        `UPDATE targets SET last_heartbeat_at = now() WHERE id = $1 AND source = 'registration' RETURNING id, ttl_seconds, last_heartbeat_at`,
        [id],
      ),
    );
    if (!row) throw notFound(`no registration with id ${id} (it may have expired; register again)`);
    this.health.setTtlExpired(row.id, false);
    const heartbeat = new Date(row.last_heartbeat_at);
    return { id: row.id, last_heartbeat_at: heartbeat.toISOString(), ttl_seconds: row.ttl_seconds, expires_at: expiresAt(heartbeat, row.ttl_seconds) };
  }

  async deregister(id: string): Promise<void> {
    await this.writer.change(async (manager) => {
      const rows = await returning(manager, `DELETE FROM targets WHERE id = $1 AND source = 'registration' RETURNING id`, [id]);
      if (rows.length === 0) throw notFound(`no registration with id ${id}`);
    }, () => 'conflicting change');
  }

  /** Every service with all its targets, each with this instance's view of its health. */
  async list(query: ListQueryDto): Promise<Page<DiscoveredServiceView>> {
    const page = await this.services.list(query);
    const table = this.routes.current;
    return {
      ...page,
      data: page.data.map((service) => {
        const compiled = table.service(service.id);
        const targets = service.targets.map((target) => this.discoveredTarget(target, compiled?.targets.find((t) => t.id === target.id)?.check ?? null));
        const inRotation = targets.filter((t) => t.status !== 'disabled');
        const healthy = inRotation.filter((t) => t.status === 'healthy').length;
        return {
          id: service.id,
          name: service.name,
          load_balancing: service.load_balancing,
          status: inRotation.length === 0 ? 'no_targets' : healthy === inRotation.length ? 'up' : healthy === 0 ? 'down' : 'degraded',
          healthy_targets: healthy,
          targets,
        };
      }),
    };
  }

  private discoveredTarget(target: TargetView, check: ActiveCheck | null): DiscoveredTargetView {
    const health = targetHealthView({ ...target, check }, this.health.get(target.id));
    return {
      ...health,
      status: target.weight === 0 ? 'disabled' : health.status,
      check_endpoint: target.check_endpoint,
      check_interval: target.check_interval,
      ttl_seconds: target.ttl_seconds,
      last_heartbeat_at: target.last_heartbeat_at,
      metadata: target.metadata,
    };
  }

  private async serviceFor(manager: EntityManager, name: string): Promise<{ id: string; name: string }> {
    // Racing registrations of a new service: one inserts, the other finds it.
    await manager.query(`INSERT INTO services (id, name) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING`, [randomUUID(), name]);
    const [service] = (await manager.query(`SELECT id, name FROM services WHERE name = $1`, [name])) as Array<{ id: string; name: string }>;
    return service;
  }

  private registrationView(row: TargetRow, service: { id: string; name: string }): RegistrationView {
    const parsed = new URL(row.url);
    return {
      id: row.id,
      service,
      url: row.url,
      host: bareHost(parsed.hostname),
      port: Number(parsed.port || (parsed.protocol === 'https:' ? 443 : 80)),
      weight: row.weight,
      check_endpoint: row.check_path,
      check_interval: row.check_interval_s,
      ttl_seconds: row.ttl_seconds,
      metadata: row.metadata,
      last_heartbeat_at: new Date(row.last_heartbeat_at).toISOString(),
      expires_at: expiresAt(new Date(row.last_heartbeat_at), row.ttl_seconds),
    };
  }
}
