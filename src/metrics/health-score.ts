import type { CircuitState } from './gateway-state-metrics.js';
import type { WindowSummary } from './traffic-window.js';

/**
 * The health score (0 to 100) of GET /metrics/health-score: a weighted sum of parts, each scored
 * from 0 to 1. A part with nothing to judge (no traffic, no targets) scores 1. Between its "good"
 * and "bad" thresholds a part falls linearly.
 *
 *   part              weight  scored from
 *   error_rate          35    5xx share of the last minute: <= 0.1% → 1, >= 5% → 0
 *   latency             20    p99 request latency of the last minute: <= 500 ms → 1, >= 5 s → 0
 *   upstream_targets    20    share of configured targets in rotation
 *   circuits            10    per service: closed 1, half-open 0.5, open 0; averaged
 *   dependencies        10    share of the database and Redis (when configured) answering their checks
 *   event_loop           5    event-loop delay p99 over the last 5 s: <= 50 ms → 1, >= 500 ms → 0
 *
 * status: healthy at 90 and above, degraded from 70, unhealthy below.
 */
export const HEALTH_WEIGHTS = {
  error_rate: 35,
  latency: 20,
  upstream_targets: 20,
  circuits: 10,
  dependencies: 10,
  event_loop: 5,
} as const;

export const THRESHOLDS = {
  errorRatio: { good: 0.001, bad: 0.05 },
  p99LatencyMs: { good: 500, bad: 5_000 },
  eventLoopDelayP99Ms: { good: 50, bad: 500 },
  healthy: 90,
  degraded: 70,
} as const;

export interface HealthInputs {
  lastMinute: WindowSummary;
  targets: { total: number; unhealthy: number };
  circuits: Iterable<CircuitState>;
  dependencies: ReadonlyMap<string, boolean | undefined>;
  eventLoopDelayP99Ms: number | null;
}

export interface HealthPart {
  name: keyof typeof HEALTH_WEIGHTS;
  weight: number;
  /** 0 to 1. */
  score: number;
  /** weight × score, rounded to 0.1. */
  points: number;
  detail: string;
}

export interface HealthScore {
  score: number;
  status: 'healthy' | 'degraded' | 'unhealthy';
  parts: HealthPart[];
}

/** 1 at or below `good`, 0 at or above `bad`, linear between. */
export function scale(value: number, good: number, bad: number): number {
  if (value <= good) return 1;
  if (value >= bad) return 0;
  return (bad - value) / (bad - good);
}

const percent = (ratio: number) => `${Math.round(ratio * 10_000) / 100}%`;

export function healthScore(inputs: HealthInputs): HealthScore {
  const parts: HealthPart[] = [];
  const add = (name: keyof typeof HEALTH_WEIGHTS, score: number, detail: string) => {
    const weight = HEALTH_WEIGHTS[name];
    parts.push({ name, weight, score: Math.round(score * 1000) / 1000, points: Math.round(weight * score * 10) / 10, detail });
  };

  const { requests, server_errors: errors, latency } = inputs.lastMinute;
  if (requests === 0) add('error_rate', 1, 'no requests in the last minute');
  else {
    const ratio = errors / requests;
    add('error_rate', scale(ratio, THRESHOLDS.errorRatio.good, THRESHOLDS.errorRatio.bad), `${errors} of ${requests} requests answered 5xx (${percent(ratio)})`);
  }

  if (latency.p99_ms === null) add('latency', 1, 'no requests in the last minute');
  else add('latency', scale(latency.p99_ms, THRESHOLDS.p99LatencyMs.good, THRESHOLDS.p99LatencyMs.bad), `p99 ${latency.p99_ms} ms`);

  const { total, unhealthy } = inputs.targets;
  if (total === 0) add('upstream_targets', 1, 'no targets configured');
  else add('upstream_targets', (total - unhealthy) / total, `${total - unhealthy} of ${total} targets in rotation`);

  const circuitScores = { closed: 1, half_open: 0.5, open: 0 } as const;
  const states = [...inputs.circuits];
  if (states.length === 0) add('circuits', 1, 'no services configured');
  else {
    const open = states.filter((s) => s === 'open').length;
    const halfOpen = states.filter((s) => s === 'half_open').length;
    add('circuits', states.reduce((sum, s) => sum + circuitScores[s], 0) / states.length, `${open} open, ${halfOpen} half-open of ${states.length} services`);
  }

  const dependencies = [...inputs.dependencies];
  const down = dependencies.filter(([, up]) => up !== true).map(([name]) => name);
  add(
    'dependencies',
    dependencies.length === 0 ? 1 : (dependencies.length - down.length) / dependencies.length,
    down.length === 0 ? `${dependencies.map(([name]) => name).join(', ') || 'none'} reachable` : `unreachable: ${down.join(', ')}`,
  );

  const delay = inputs.eventLoopDelayP99Ms;
  if (delay === null) add('event_loop', 1, 'not sampled yet');
  else add('event_loop', scale(delay, THRESHOLDS.eventLoopDelayP99Ms.good, THRESHOLDS.eventLoopDelayP99Ms.bad), `event-loop delay p99 ${delay} ms`);

  const score = Math.round(parts.reduce((sum, part) => sum + part.weight * part.score, 0));
  const status = score >= THRESHOLDS.healthy ? 'healthy' : score >= THRESHOLDS.degraded ? 'degraded' : 'unhealthy';
  return { score, status, parts };
}
