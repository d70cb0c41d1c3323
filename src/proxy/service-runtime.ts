import { isDeepStrictEqual } from 'node:util';
import type { TargetState } from '../discovery/target-state.js';
import type { CompiledService, ServiceTarget } from '../routing/table/compiled-route.js';
import { createBalancer } from './balancing/create-balancer.js';
import type { LoadBalancer, TargetPool } from './balancing/load-balancer.js';
import { Bulkhead } from './bulkhead.js';
import { CircuitBreaker, type CircuitState } from './circuit-breaker.js';

/** What changes the balancer must be rebuilt for: the algorithm or the target set. */
const balancerKey = (service: CompiledService) =>
  `${service.loadBalancing}|${service.hashOn}|${service.hashOnHeader}|${service.targets.map((t) => `${t.id}:${t.weight}:${t.url}`).join(',')}`;

/**
 * One service's resilience state on this instance: its targets with their health, the balancer,
 * the circuit breaker and the bulkhead. It outlives route-table swaps (keyed by service id), so
 * that a configuration change elsewhere neither closes an open circuit nor forgets requests in
 * flight; `update` brings it to the service's new settings.
 */
export class ServiceRuntime implements TargetPool {
  service: CompiledService;
  targets: readonly ServiceTarget[] = [];
  states: readonly TargetState[] = [];
  balancer!: LoadBalancer;
  breaker: CircuitBreaker | null = null;
  readonly bulkhead: Bulkhead;
  private balancerFor = '';

  constructor(
    service: CompiledService,
    stateOf: (target: ServiceTarget) => TargetState,
    private readonly onCircuitChange: (runtime: ServiceRuntime, from: CircuitState, to: CircuitState) => void,
  ) {
    this.service = service;
    this.bulkhead = new Bulkhead(service.maxConcurrentRequests);
    this.update(service, stateOf);
  }

  update(service: CompiledService, stateOf: (target: ServiceTarget) => TargetState): void {
    this.service = service;
    this.targets = service.targets;
    this.states = service.targets.map(stateOf);
    const key = balancerKey(service);
    if (key !== this.balancerFor) {
      this.balancer = createBalancer(service);
      this.balancerFor = key;
    }
    this.bulkhead.limit = service.maxConcurrentRequests;
    const settings = service.circuitBreaker;
    if (settings === null) {
      this.breaker = null;
    } else if (this.breaker === null) {
      this.breaker = new CircuitBreaker(settings, (from, to) => this.onCircuitChange(this, from, to));
    } else if (!isDeepStrictEqual(this.breaker.settings, settings)) {
      this.breaker.reconfigure(settings);
    }
  }
}
