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
    if (tried === undefined) return this.round(pool);
    const untried = this.peek(pool, tried, false);
    return untried !== -1 ? untried : this.peek(pool, tried, true);
  }

  /** One step of the rotation among the healthy targets. */
  private round(pool: TargetPool): number {
    const { targets, states } = pool;
    let total = 0;
    let best = -1;
    for (let i = 0; i < targets.length; i++) {
      if (!states[i].healthy) continue;
      this.current[i] += targets[i].weight;
      total += targets[i].weight;
      if (best === -1 || this.current[i] > this.current[best]) best = i;
    }
    if (best !== -1) this.current[best] -= total;
    return best;
  }

  /** The target the next step would favour, among those allowed, without taking the step. */
  private peek(pool: TargetPool, tried: readonly number[], allowTried: boolean): number {
    const { targets, states } = pool;
    let best = -1;
    for (let i = 0; i < targets.length; i++) {
      if (!states[i].healthy || (!allowTried && tried.includes(i))) continue;
      if (best === -1 || this.current[i] + targets[i].weight > this.current[best] + targets[best].weight) best = i;
    }
    return best;
  }
}
