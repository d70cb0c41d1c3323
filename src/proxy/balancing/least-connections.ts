import type { BalancedRequest, LoadBalancer, TargetPool } from './load-balancer.js';

/**
 * The healthy target with the fewest requests in flight from this instance relative to its
 * weight; ties go round the targets in turn, so that an idle service still spreads its load.
 */
export class LeastConnectionsBalancer implements LoadBalancer {
  private start = 0;

  pick(pool: TargetPool, _request: BalancedRequest, tried: readonly number[] | undefined): number {
    const chosen = this.lightest(pool, tried, false);
    return chosen !== -1 || tried === undefined ? chosen : this.lightest(pool, tried, true);
  }

  private lightest(pool: TargetPool, tried: readonly number[] | undefined, allowTried: boolean): number {
    const { targets, states } = pool;
    const count = targets.length;
    if (count === 0) return -1;
    let best = -1;
    for (let step = 0; step < count; step++) {
      const i = (this.start + step) % count;
      if (!states[i].healthy || (!allowTried && tried !== undefined && tried.includes(i))) continue;
      // inFlight/weight compared without dividing: a/wa < b/wb ⇔ a·wb < b·wa.
      if (best === -1 || states[i].inFlight * targets[best].weight < states[best].inFlight * targets[i].weight) best = i;
    }
    if (tried === undefined) this.start = (this.start + 1) % count;
    return best;
  }
}
