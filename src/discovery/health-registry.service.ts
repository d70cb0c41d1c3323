import { Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { GatewayEvents } from '../common/gateway-events.js';
import type { ActiveCheck, CompiledService, PassiveCheck, ServiceTarget } from '../routing/table/compiled-route.js';
import type { RouteTable } from '../routing/table/route-table.js';
import { RouteTableService } from '../routing/table/route-table.service.js';
import { type CheckResult, TargetState } from './target-state.js';

/**
 * Every target's health on this instance, keyed by target id so that it survives route-table
 * swaps. Active checks, live traffic and heartbeats report here; the balancer reads
 * `TargetState.healthy`. A change in or out of rotation is logged and emitted as `target.health`.
 */
@Injectable()
export class HealthRegistry implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('TargetHealth');
  private readonly states = new Map<string, TargetState>();
  private readonly readmitTimers = new Map<string, NodeJS.Timeout>();
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly routes: RouteTableService,
    private readonly events: GatewayEvents,
  ) {}

  onModuleInit(): void {
    this.prune(this.routes.current);
    this.unsubscribe = this.routes.onSwap((table) => this.prune(table));
  }

  onApplicationShutdown(): void {
    this.unsubscribe?.();
    for (const timer of this.readmitTimers.values()) clearTimeout(timer);
    this.readmitTimers.clear();
  }

  /** The state of a target in the current table, made on first use and brought in line with its settings. */
  ensure(service: CompiledService, target: ServiceTarget): TargetState {
    let state = this.states.get(target.id);
    if (!state) {
      state = new TargetState(target.id, service.name, target.url);
      this.states.set(target.id, state);
    }
    state.service = service.name;
    state.url = target.url;
    if (!target.check && state.lastCheck !== null) this.apply(state, state.clearActive(), 'active checks turned off');
    if (!target.hasTtl && state.ttlExpired) this.apply(state, state.setTtlExpired(false), 'no TTL any more');
    if (!service.passiveCheck && state.passiveDownUntil !== 0) this.endEjection(state, 'passive checks turned off');
    return state;
  }

  get(targetId: string): TargetState | undefined {
    return this.states.get(targetId);
  }

  recordCheck(state: TargetState, result: CheckResult, check: ActiveCheck): void {
    const wasEjected = state.passiveDownUntil !== 0;
    const changed = state.recordCheck(result, check);
    if (wasEjected && state.passiveDownUntil === 0) this.clearReadmitTimer(state.id);
    this.apply(state, changed, result.ok ? `${check.healthyThreshold} good check(s)` : `${check.unhealthyThreshold} failed check(s): ${result.error}`);
  }

  /** A live request's outcome, for services with passive checks. */
  recordTraffic(state: TargetState, ok: boolean, passive: PassiveCheck): void {
    if (!state.recordTraffic(ok, passive, Date.now())) return;
    this.apply(state, true, `${passive.unhealthyThreshold} consecutive failed requests; out for ${passive.cooldownMs / 1000} s`);
    this.clearReadmitTimer(state.id);
    const timer = setTimeout(() => {
      this.readmitTimers.delete(state.id);
      // Only the live state: a pruned target's timer is cleared, but a racing swap may have replaced it.
      if (this.states.get(state.id) === state) this.endEjection(state, 'passive cooldown over');
    }, passive.cooldownMs);
    timer.unref();
    this.readmitTimers.set(state.id, timer);
  }

  setTtlExpired(targetId: string, expired: boolean): void {
    const state = this.states.get(targetId);
    if (!state || state.ttlExpired === expired) return;
    this.apply(state, state.setTtlExpired(expired), expired ? 'no heartbeat within its TTL' : 'heartbeat received');
  }

  private endEjection(state: TargetState, why: string): void {
    this.clearReadmitTimer(state.id);
    this.apply(state, state.readmit(), why);
  }

  private apply(state: TargetState, changed: boolean, why: string): void {
    if (!changed) return;
    const payload = { service: state.service, target: state.url, healthy: state.healthy, reason: state.reason };
    if (state.healthy) this.logger.log({ ...payload, why }, 'target back in rotation');
    else this.logger.warn({ ...payload, why }, 'target out of rotation');
    this.events.emit('target.health', payload);
  }

  private clearReadmitTimer(targetId: string): void {
    const timer = this.readmitTimers.get(targetId);
    if (timer) clearTimeout(timer);
    this.readmitTimers.delete(targetId);
  }

  /** Forgets targets the table no longer has. */
  private prune(table: RouteTable): void {
    const present = new Set<string>();
    for (const service of table.services) for (const target of service.targets) present.add(target.id);
    for (const id of this.states.keys()) {
      if (present.has(id)) continue;
      this.states.delete(id);
      this.clearReadmitTimer(id);
    }
  }
}
