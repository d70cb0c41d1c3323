import type { ActiveCheck, PassiveCheck } from '../routing/table/compiled-route.js';

/** Why a target is out of rotation, most telling first when several apply. */
export type DownReason = 'ttl_expired' | 'active_check' | 'passive';

/** What one active check saw. */
export interface CheckResult {
  ok: boolean;
  /** Wall-clock ms. */
  at: number;
  latencyMs: number;
  status: number | null;
  error: string | null;
}

/**
 * One target's health on this instance, kept across route-table swaps (keyed by target id):
 * active checks with their thresholds, passive failures of live traffic with a cooldown, and
 * the heartbeat TTL of a registration. `healthy` is kept up to date on every change so that
 * the balancer reads one field per target.
 *
 * Targets start healthy: a restart of the gateway must not take every backend out of rotation
 * until the first checks have run.
 */
export class TargetState {
  healthy = true;
  /** Requests this instance has in flight to the target (least_connections reads it). */
  inFlight = 0;

  activeDown = false;
  checkSuccesses = 0;
  checkFailures = 0;
  lastCheck: CheckResult | null = null;

  passiveFailures = 0;
  /** Wall-clock ms when a passive ejection ends; 0 when not ejected. */
  passiveDownUntil = 0;

  ttlExpired = false;

  constructor(
    readonly id: string,
    public service: string,
    public url: string,
  ) {}

  get reason(): DownReason | null {
    if (this.ttlExpired) return 'ttl_expired';
    if (this.activeDown) return 'active_check';
    if (this.passiveDownUntil !== 0) return 'passive';
    return null;
  }

  /** Applies an active check; true when `healthy` changed. */
  recordCheck(result: CheckResult, check: ActiveCheck): boolean {
    this.lastCheck = result;
    if (result.ok) {
      this.checkFailures = 0;
      this.checkSuccesses++;
      const down = this.activeDown || this.passiveDownUntil !== 0;
      // Good checks end a passive ejection early too: the target answers again.
      if (down && this.checkSuccesses >= check.healthyThreshold) {
        this.activeDown = false;
        this.passiveDownUntil = 0;
        this.passiveFailures = 0;
      }
    } else {
      this.checkSuccesses = 0;
      this.checkFailures++;
      if (!this.activeDown && this.checkFailures >= check.unhealthyThreshold) this.activeDown = true;
    }
    return this.update();
  }

  /** Applies the outcome of one live request; true when `healthy` changed (an ejection). */
  recordTraffic(ok: boolean, passive: PassiveCheck, now: number): boolean {
    if (ok) {
      this.passiveFailures = 0;
      return false;
    }
    this.passiveFailures++;
    if (this.passiveDownUntil !== 0 || this.passiveFailures < passive.unhealthyThreshold) return false;
    this.passiveDownUntil = now + passive.cooldownMs;
    this.passiveFailures = 0;
    // Active checks must now count good answers afresh before they readmit it.
    this.checkSuccesses = 0;
    return this.update();
  }

  /** Ends a passive ejection (its cooldown is over); true when `healthy` changed. */
  readmit(): boolean {
    this.passiveDownUntil = 0;
    this.passiveFailures = 0;
    return this.update();
  }

  setTtlExpired(expired: boolean): boolean {
    this.ttlExpired = expired;
    return this.update();
  }

  /** The target is no longer actively checked: what the checks said no longer applies. */
  clearActive(): boolean {
    this.activeDown = false;
    this.checkSuccesses = 0;
    this.checkFailures = 0;
    this.lastCheck = null;
    return this.update();
  }

  private update(): boolean {
    const healthy = this.reason === null;
    if (healthy === this.healthy) return false;
    this.healthy = healthy;
    return true;
  }
}
