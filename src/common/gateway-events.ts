import { Injectable } from '@nestjs/common';
import type { RuntimeSettingsValues } from './runtime-settings-values.js';

/**
 * What one module tells the others without depending on them: auth, rate limiting and the
 * resilience pieces emit; metrics, logs and health views listen. Only for things that happen
 * rarely compared with requests (a refusal, a state change); per-request figures come from the
 * RequestContext at the end of each request instead.
 */
export interface GatewayEventMap {
  /** A credential was refused. `reason` is a bounded word such as `expired` or `unknown_key`. */
  'auth.failed': { reason: string; method: string; route: string | null };
  /** A request was refused by a rate limit; `scope` names which one (`ip`, `consumer`, …). */
  'rate_limit.refused': { scope: string; route: string | null };
  /** The shared counter store was lost (`degraded: true`) or came back. */
  'rate_limit.store': { degraded: boolean };
  /** A service's circuit breaker moved between CLOSED, OPEN and HALF_OPEN. */
  'circuit.changed': { service: string; from: string; to: string };
  /** A target went in or out of rotation. */
  'target.health': { service: string; target: string; healthy: boolean; reason: string | null };
  /** A new route table is serving. */
  'config.applied': { version: number; routes: number; services: number };
  /** The run-time settings (PUT /admin/configuration) in force on this instance, at start and on every change. */
  'settings.applied': RuntimeSettingsValues;
}

type Listener<K extends keyof GatewayEventMap> = (payload: GatewayEventMap[K]) => void;

@Injectable()
export class GatewayEvents {
  private readonly listeners = new Map<keyof GatewayEventMap, Set<Listener<never>>>();

  on<K extends keyof GatewayEventMap>(event: K, listener: Listener<K>): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener as Listener<never>);
    return () => set.delete(listener as Listener<never>);
  }

  /** Synchronous; a listener that throws never breaks the emitter. */
  emit<K extends keyof GatewayEventMap>(event: K, payload: GatewayEventMap[K]): void {
    const set = this.listeners.get(event);
    if (!set) return;
    for (const listener of set) {
      try {
        (listener as Listener<K>)(payload);
      } catch {
        // a listener's failure is its own
      }
    }
  }
}
