import { TargetState } from '../../discovery/target-state.js';
import type { ServiceTarget } from '../../routing/table/compiled-route.js';
import type { BalancedRequest, LoadBalancer, TargetPool } from './load-balancer.js';

/** Targets a, b, c, ... with the given weights, all healthy. */
export function poolOf(...weights: number[]): TargetPool & { states: TargetState[] } {
  const targets: ServiceTarget[] = weights.map((weight, i) => ({
    id: String.fromCharCode(97 + i),
    origin: `http://10.0.0.${i + 1}`,
    basePath: '',
    hostHeader: `10.0.0.${i + 1}`,
    weight,
    url: `http://10.0.0.${i + 1}`,
    source: 'admin',
    check: null,
    hasTtl: false,
  }));
  return { targets, states: targets.map((t) => new TargetState(t.id, 's', t.url)) };
}

export const request = (clientIp = '10.1.1.1', headers: Record<string, string> = {}): BalancedRequest => ({ req: { headers }, clientIp });

/** The ids of `count` consecutive picks, as one string ('-' for none). */
export function picks(balancer: LoadBalancer, pool: TargetPool, count: number, tried?: number[], req = request()): string {
  let out = '';
  for (let i = 0; i < count; i++) {
    const index = balancer.pick(pool, req, tried);
    out += index === -1 ? '-' : pool.targets[index].id;
  }
  return out;
}

export const countOf = (sequence: string, id: string) => sequence.split(id).length - 1;
export const longestRun = (sequence: string) => Math.max(...(sequence.match(/(.)\1*/g) ?? []).map((run) => run.length));

export function setHealthy(pool: TargetPool & { states: TargetState[] }, index: number, healthy: boolean): void {
  pool.states[index].setTtlExpired(!healthy);
}
