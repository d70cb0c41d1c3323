import type { IncomingHttpHeaders } from 'node:http';
import type { TargetState } from '../../discovery/target-state.js';
import type { ServiceTarget } from '../../routing/table/compiled-route.js';

/** A service's targets in rotation on this instance, each beside its health state (same index). */
export interface TargetPool {
  readonly targets: readonly ServiceTarget[];
  readonly states: readonly TargetState[];
}

/** What a balancer may look at in the request (consistent hashing needs it); a RequestContext is one. */
export interface BalancedRequest {
  readonly req: { readonly headers: IncomingHttpHeaders };
  readonly clientIp: string;
}

/**
 * Chooses the index of the next target in the pool among the healthy ones, or -1 when none is.
 * `tried` (absent on a first attempt) lists the indices a retry should avoid; a tried target is
 * chosen again only when no untried healthy one is left. A retry's pick leaves the rotation as
 * it was, so that the proportions hold over first attempts and a dead target does not make every
 * request pay a retry. One instance per service and target set; implementations keep their
 * cursors in plain fields and allocate nothing per pick.
 */
export interface LoadBalancer {
  pick(pool: TargetPool, request: BalancedRequest, tried: readonly number[] | undefined): number;
}
