/**
 * The JSON shapes of a service's resilience settings, as the admin API takes them and the
 * database keeps them (defaults filled in when written); compiled into milliseconds by the table.
 */

export const LOAD_BALANCING = ['round_robin', 'weighted', 'least_connections', 'consistent_hash'] as const;
export type LoadBalancing = (typeof LOAD_BALANCING)[number];

export const HASH_ON = ['ip', 'header'] as const;
export type HashOn = (typeof HASH_ON)[number];

export const TARGET_SOURCES = ['admin', 'registration'] as const;
export type TargetSource = (typeof TARGET_SOURCES)[number];

/** Active checks: every instance calls `path` on each target every `interval_s`. */
export interface HealthCheckSettings {
  path: string;
  interval_s: number;
  timeout_ms: number;
  healthy_threshold: number;
  unhealthy_threshold: number;
}

/** Passive checks: consecutive failures of live traffic take a target out for `cooldown_s`. */
export interface PassiveHealthCheckSettings {
  unhealthy_threshold: number;
  cooldown_s: number;
}

export interface CircuitBreakerSettings {
  failure_threshold: number;
  failure_window_s: number;
  min_throughput: number;
  recovery_timeout_s: number;
  half_open_max_requests: number;
}

export const HEALTH_CHECK_DEFAULTS: Omit<HealthCheckSettings, 'path'> = { interval_s: 10, timeout_ms: 1_000, healthy_threshold: 2, unhealthy_threshold: 3 };
export const PASSIVE_HEALTH_CHECK_DEFAULTS: PassiveHealthCheckSettings = { unhealthy_threshold: 5, cooldown_s: 30 };
export const CIRCUIT_BREAKER_DEFAULTS: CircuitBreakerSettings = {
  failure_threshold: 5,
  failure_window_s: 10,
  min_throughput: 10,
  recovery_timeout_s: 30,
  half_open_max_requests: 1,
};
