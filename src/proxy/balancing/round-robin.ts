import type { BalancedRequest, LoadBalancer, TargetPool } from './load-balancer.js';

/** Each healthy target in turn, weights ignored. */
export class RoundRobinBalancer implements LoadBalancer {
  private next = 0;

  pick(pool: TargetPool, _request: BalancedRequest, tried: readonly number[] | undefined): number {
    const count = pool.states.length;
    let fallback = -1;
    for (let step = 0; step < count; step++) {
      const index = (this.next + step) % count;
      if (!pool.states[index].healthy) continue;
      if (tried !== undefined && tried.includes(index)) {
        if (fallback === -1) fallback = index;
        continue;
      }
      if (tried === undefined) this.next = (index + 1) % count;
      return index;
    }
    return fallback;
  }
}
