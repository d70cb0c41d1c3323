import type { CompiledService, UpstreamTarget } from '../routing/table/compiled-route.js';

interface Balance {
  current: number[];
}

/**
 * Smooth weighted round robin (as nginx does it): over any window the targets are chosen in
 * proportion to their weights, interleaved rather than in bursts. State lives beside the compiled
 * service, so a new table starts afresh.
 */
export class TargetPicker {
  private readonly state = new WeakMap<CompiledService, Balance>();

  /** The next target, skipping `exclude` (already tried) when another is left. */
  pick(service: CompiledService, exclude?: UpstreamTarget): UpstreamTarget | undefined {
    const targets = service.targets;
    if (targets.length <= 1) return targets[0];
    let balance = this.state.get(service);
    if (!balance) {
      balance = { current: targets.map(() => 0) };
      this.state.set(service, balance);
    }
    let total = 0;
    let best = -1;
    for (let i = 0; i < targets.length; i++) {
      if (targets[i] === exclude) continue;
      balance.current[i] += targets[i].weight;
      total += targets[i].weight;
      if (best === -1 || balance.current[i] > balance.current[best]) best = i;
    }
    if (best === -1) return targets[0];
    balance.current[best] -= total;
    return targets[best];
  }
}
