import type { BalancedRequest, LoadBalancer, TargetPool } from './load-balancer.js';

/**
 * Smooth weighted round robin (as nginx does it): over any window the healthy targets are chosen
 * in proportion to their weights, interleaved rather than in bursts.
 */
export class WeightedBalancer implements LoadBalancer {
  private readonly current: Float64Array;

  constructor(size: number) {
    this.current = new Float64Array(size);
  }

  pick(pool: TargetPool, _request: BalancedRequest, tried: readonly number[] | undefined): number {
    const chosen = this.round(pool, tried, false);
    return chosen !== -1 || tried === undefined ? chosen : this.round(pool, tried, true);
  }

  private round(pool: TargetPool, tried: readonly number[] | undefined, allowTried: boolean): number {
    const { targets, states } = pool;
    let total = 0;
    let best = -1;
    for (let i = 0; i < targets.length; i++) {
      if (!states[i].healthy || (!allowTried && tried !== undefined && tried.includes(i))) continue;
      this.current[i] += targets[i].weight;
      total += targets[i].weight;
      if (best === -1 || this.current[i] > this.current[best]) best = i;
    }
    if (best !== -1) this.current[best] -= total;
    return best;
  }
}
