import type { CompiledService } from '../../routing/table/compiled-route.js';
import { ConsistentHashBalancer } from './consistent-hash.js';
import { LeastConnectionsBalancer } from './least-connections.js';
import type { LoadBalancer } from './load-balancer.js';
import { RoundRobinBalancer } from './round-robin.js';
import { WeightedBalancer } from './weighted.js';

/** The balancer a service's `load_balancing` names, for its current targets. */
export function createBalancer(service: CompiledService): LoadBalancer {
  switch (service.loadBalancing) {
    case 'round_robin':
      return new RoundRobinBalancer();
    case 'least_connections':
      return new LeastConnectionsBalancer();
    case 'consistent_hash':
      return new ConsistentHashBalancer(service.targets, service.hashOn, service.hashOnHeader);
    case 'weighted':
      return new WeightedBalancer(service.targets.length);
  }
}
