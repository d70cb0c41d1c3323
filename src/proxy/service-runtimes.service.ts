import { Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { GatewayEvents } from '../common/gateway-events.js';
import { HealthRegistry } from '../discovery/health-registry.service.js';
import type { RouteTable } from '../routing/table/route-table.js';
import { RouteTableService } from '../routing/table/route-table.service.js';
import type { CircuitState } from './circuit-breaker.js';
import { ServiceRuntime } from './service-runtime.js';

/** The clock of the circuit breakers: monotonic milliseconds. */
export const breakerClock = () => performance.now();

/**
 * The ServiceRuntime of every service in the route table, brought up to date on every swap.
 * Circuit transitions are logged and emitted as `circuit.changed`; an open circuit gets a timer
 * so that it shows (and announces) HALF_OPEN when its recovery timeout ends, traffic or not.
 */
@Injectable()
export class ServiceRuntimes implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('CircuitBreaker');
  private readonly runtimes = new Map<string, ServiceRuntime>();
  private readonly recoveryTimers = new Map<string, NodeJS.Timeout>();
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly routes: RouteTableService,
    private readonly health: HealthRegistry,
    private readonly events: GatewayEvents,
  ) {}

  onModuleInit(): void {
    this.sync(this.routes.current);
    this.unsubscribe = this.routes.onSwap((table) => this.sync(table));
  }

  onApplicationShutdown(): void {
    this.unsubscribe?.();
    for (const timer of this.recoveryTimers.values()) clearTimeout(timer);
    this.recoveryTimers.clear();
  }

  get(serviceId: string): ServiceRuntime | undefined {
    return this.runtimes.get(serviceId);
  }

  private sync(table: RouteTable): void {
    const present = new Set<string>();
    for (const service of table.services) {
      present.add(service.id);
      const stateOf = (target: (typeof service.targets)[number]) => this.health.ensure(service, target);
      const runtime = this.runtimes.get(service.id);
      if (runtime) runtime.update(service, stateOf);
      else this.runtimes.set(service.id, new ServiceRuntime(service, stateOf, (r, from, to) => this.circuitChanged(r, from, to)));
    }
    for (const id of this.runtimes.keys()) {
      if (present.has(id)) continue;
      this.runtimes.delete(id);
      clearTimeout(this.recoveryTimers.get(id));
      this.recoveryTimers.delete(id);
    }
  }

  private circuitChanged(runtime: ServiceRuntime, from: CircuitState, to: CircuitState): void {
    const service = runtime.service;
    clearTimeout(this.recoveryTimers.get(service.id));
    this.recoveryTimers.delete(service.id);
    if (to === 'OPEN' && runtime.breaker) {
      const breaker = runtime.breaker;
      // A few ms late, so that a timer firing on a coarser clock never finds the timeout not yet over.
      const timer = setTimeout(() => {
        this.recoveryTimers.delete(service.id);
        breaker.settle(breakerClock());
      }, breaker.settings.recoveryTimeoutMs + 5);
      timer.unref();
      this.recoveryTimers.set(service.id, timer);
    }
    const payload = { service: service.name, from, to };
    if (to === 'OPEN') this.logger.warn(payload, 'circuit opened');
    else this.logger.log(payload, to === 'CLOSED' ? 'circuit closed' : 'circuit half-open');
    this.events.emit('circuit.changed', payload);
  }
}
