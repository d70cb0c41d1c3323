import { Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import type { Counter, Gauge } from 'prom-client';
import { GatewayEvents } from '../common/gateway-events.js';
import type { RouteTable } from '../routing/table/route-table.js';
import { RouteTableService } from '../routing/table/route-table.service.js';
import { CIRCUIT_STATE_VALUE, METRIC } from './metric-definitions.js';
import { UNMATCHED } from './request-labels.js';

export type CircuitState = keyof typeof CIRCUIT_STATE_VALUE;

/** `CLOSED`, `half-open`, `HALF_OPEN`, `open`, ... as the breaker names them; undefined when unknown. */
export function circuitStateOf(name: string): CircuitState | undefined {
  const normalised = name.toLowerCase().replace(/[-\s]/g, '_');
  return normalised in CIRCUIT_STATE_VALUE ? (normalised as CircuitState) : undefined;
}

const targetKey = (service: string, target: string) => `${service}\u0000${target}`;

/**
 * The gateway's state as the other modules report it through GatewayEvents (rare events, never
 * per request): target health, circuit states, rate-limit and auth refusals, the route table.
 * Keeps the current target and circuit states for the health score, and, on every new route
 * table, gives each configured target and service its series (healthy, closed unless told
 * otherwise) and drops the series of those that are gone.
 */
@Injectable()
export class GatewayStateMetrics implements OnModuleInit, OnModuleDestroy {
  private readonly unsubscribe: Array<() => void> = [];
  /** Targets reported out of rotation, by service and target. */
  private readonly unhealthy = new Set<string>();
  private readonly circuits = new Map<string, CircuitState>();
  private targetLabels = new Map<string, { service: string; target: string }>();
  private serviceNames = new Set<string>();
  private targetCount = 0;

  constructor(
    private readonly events: GatewayEvents,
    private readonly routes: RouteTableService,
    @InjectMetric(METRIC.targetHealthy) private readonly targetHealthy: Gauge,
    @InjectMetric(METRIC.circuitState) private readonly circuitState: Gauge,
    @InjectMetric(METRIC.circuitOpened) private readonly circuitOpened: Counter,
    @InjectMetric(METRIC.rateLimited) private readonly rateLimited: Counter,
    @InjectMetric(METRIC.rateLimitStoreDegraded) private readonly rateLimitStoreDegraded: Gauge,
    @InjectMetric(METRIC.authFailures) private readonly authFailures: Counter,
    @InjectMetric(METRIC.configVersion) private readonly configVersion: Gauge,
    @InjectMetric(METRIC.configAppliedAt) private readonly configAppliedAt: Gauge,
    @InjectMetric(METRIC.routes) private readonly routeCount: Gauge,
    @InjectMetric(METRIC.services) private readonly serviceCount: Gauge,
  ) {}

  onModuleInit(): void {
    this.rateLimitStoreDegraded.set(0);
    this.unsubscribe.push(
      this.events.on('auth.failed', ({ reason, route }) => this.authFailures.inc({ reason, route: route ?? UNMATCHED })),
      this.events.on('rate_limit.refused', ({ scope, route }) => this.rateLimited.inc({ scope, route: route ?? UNMATCHED })),
      this.events.on('rate_limit.store', ({ degraded }) => this.rateLimitStoreDegraded.set(degraded ? 1 : 0)),
      this.events.on('circuit.changed', ({ service, to }) => this.circuitChanged(service, to)),
      this.events.on('target.health', ({ service, target, healthy }) => this.targetChanged(service, target, healthy)),
      this.events.on('config.applied', ({ version, routes, services }) => {
        this.configVersion.set(version);
        this.routeCount.set(routes);
        this.serviceCount.set(services);
        this.configAppliedAt.set(Date.now() / 1000);
      }),
      this.routes.onSwap((table) => this.tableSwapped(table)),
    );
    // The first table may have been built before this listener was in place.
    if (this.routes.isLoaded) {
      const table = this.routes.current;
      this.tableSwapped(table);
      this.configVersion.set(table.version);
      this.routeCount.set(table.routeCount);
      this.serviceCount.set(table.services.length);
      this.configAppliedAt.set(Date.now() / 1000);
    }
  }

  onModuleDestroy(): void {
    for (const off of this.unsubscribe.splice(0)) off();
  }

  /** Targets configured, and how many of them are out of rotation. */
  targets(): { total: number; unhealthy: number } {
    let unhealthy = 0;
    for (const key of this.unhealthy) if (this.targetLabels.has(key)) unhealthy++;
    return { total: this.targetCount, unhealthy };
  }

  /** Each configured service's circuit state (closed unless a breaker said otherwise). */
  circuitStates(): Map<string, CircuitState> {
    const states = new Map<string, CircuitState>();
    for (const service of this.serviceNames) states.set(service, this.circuits.get(service) ?? 'closed');
    return states;
  }

  private circuitChanged(service: string, to: string): void {
    const state = circuitStateOf(to);
    if (!state) return;
    const previous = this.circuits.get(service) ?? 'closed';
    this.circuits.set(service, state);
    this.circuitState.set({ service }, CIRCUIT_STATE_VALUE[state]);
    if (state === 'open' && previous !== 'open') this.circuitOpened.inc({ service });
  }

  private targetChanged(service: string, target: string, healthy: boolean): void {
    const key = targetKey(service, target);
    if (healthy) this.unhealthy.delete(key);
    else this.unhealthy.add(key);
    this.targetHealthy.set({ service, target }, healthy ? 1 : 0);
  }

  private tableSwapped(table: RouteTable): void {
    const labels = new Map<string, { service: string; target: string }>();
    const services = new Set<string>();
    for (const service of table.services) {
      services.add(service.name);
      for (const target of service.targets) labels.set(targetKey(service.name, target.url), { service: service.name, target: target.url });
    }
    for (const [key, label] of this.targetLabels) if (!labels.has(key)) this.targetHealthy.remove(label);
    for (const name of this.serviceNames) {
      if (services.has(name)) continue;
      this.circuitState.remove({ service: name });
      this.circuits.delete(name);
    }
    for (const key of this.unhealthy) if (!labels.has(key)) this.unhealthy.delete(key);
    for (const [key, label] of labels) this.targetHealthy.set(label, this.unhealthy.has(key) ? 0 : 1);
    for (const name of services) this.circuitState.set({ service: name }, CIRCUIT_STATE_VALUE[this.circuits.get(name) ?? 'closed']);
    this.targetLabels = labels;
    this.serviceNames = services;
    this.targetCount = labels.size;
  }
}
