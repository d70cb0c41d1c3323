import type { HashOn } from '../../routing/entities/resilience-settings.js';
import type { ServiceTarget } from '../../routing/table/compiled-route.js';
import { hash32 } from './hash.js';
import type { BalancedRequest, LoadBalancer, TargetPool } from './load-balancer.js';

/** Points on the ring per target of average weight: enough for an even spread of keys. */
const POINTS_PER_TARGET = 160;

/**
 * A hash ring (ketama-style): each target owns points in proportion to its weight, placed by
 * hashing its URL, so the same key lands on the same target while the set is unchanged, and
 * adding or removing a target moves only the keys next to its points. An unhealthy (or already
 * tried) target's keys go to the next owner round the ring; everyone else's stay put.
 */
export class ConsistentHashBalancer implements LoadBalancer {
  private readonly points: Uint32Array;
  private readonly owners: Int32Array;

  constructor(
    targets: readonly ServiceTarget[],
    private readonly hashOn: HashOn,
    private readonly header: string | null,
  ) {
    const totalWeight = targets.reduce((sum, t) => sum + t.weight, 0);
    const ring: Array<[number, number]> = [];
    targets.forEach((target, index) => {
      const count = Math.max(1, Math.round((POINTS_PER_TARGET * targets.length * target.weight) / totalWeight));
      for (let k = 0; k < count; k++) ring.push([hash32(`${target.url}#${k}`), index]);
    });
    ring.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    this.points = Uint32Array.from(ring, ([point]) => point);
    this.owners = Int32Array.from(ring, ([, owner]) => owner);
  }

  /** The string hashed for a request: the header's value when configured and present, else the client IP. */
  keyOf(request: BalancedRequest): string {
    if (this.hashOn === 'header' && this.header !== null) {
      const value = request.req.headers[this.header];
      if (typeof value === 'string' && value !== '') return value;
      if (Array.isArray(value) && value.length > 0) return value[0];
    }
    return request.clientIp;
  }

  pick(pool: TargetPool, request: BalancedRequest, tried: readonly number[] | undefined): number {
    const { points, owners } = this;
    if (points.length === 0) return -1;
    const start = this.firstPointAtOrAfter(hash32(this.keyOf(request)));
    let fallback = -1;
    for (let step = 0; step < points.length; step++) {
      const owner = owners[(start + step) % points.length];
      if (!pool.states[owner].healthy) continue;
      if (tried !== undefined && tried.includes(owner)) {
        if (fallback === -1) fallback = owner;
        continue;
      }
      return owner;
    }
    return fallback;
  }

  private firstPointAtOrAfter(hash: number): number {
    let low = 0;
    let high = this.points.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (this.points[mid] < hash) low = mid + 1;
      else high = mid;
    }
    return low === this.points.length ? 0 : low;
  }
}
