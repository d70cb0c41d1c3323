import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { HEALTH_WEIGHTS, type HealthInputs, healthScore, scale } from './health-score.js';
import type { WindowSummary } from './traffic-window.js';

const latency = (p99: number | null) => ({ avg_ms: p99, p50_ms: p99, p95_ms: p99, p99_ms: p99 });

function minute(requests: number, serverErrors: number, p99: number | null): WindowSummary {
  return {
    requests,
    window_seconds: 60,
    requests_per_second: requests / 60,
    server_errors: serverErrors,
    client_errors: 0,
    aborted: 0,
    success_rate: requests ? (requests - serverErrors) / requests : null,
    latency: latency(p99),
    upstream_latency: latency(p99),
  };
}

const healthy: HealthInputs = {
  lastMinute: minute(1000, 0, 20),
  targets: { total: 4, unhealthy: 0 },
  circuits: ['closed', 'closed'],
  dependencies: new Map([['database', true], ['redis', true]]),
  eventLoopDelayP99Ms: 12,
};

const part = (inputs: HealthInputs, name: string) => healthScore(inputs).parts.find((p) => p.name === name)!;

describe('healthScore', () => {
  it('weights add up to 100', () => {
    assert.equal(Object.values(HEALTH_WEIGHTS).reduce((a, b) => a + b, 0), 100);
  });

  it('is 100 and healthy when every part is fine, and with nothing to judge', () => {
    assert.deepEqual({ ...healthScore(healthy), parts: undefined }, { score: 100, status: 'healthy', parts: undefined });
    const idle = healthScore({ lastMinute: minute(0, 0, null), targets: { total: 0, unhealthy: 0 }, circuits: [], dependencies: new Map(), eventLoopDelayP99Ms: null });
    assert.equal(idle.score, 100);
    assert.deepEqual(
      idle.parts.map((p) => p.name),
      ['error_rate', 'latency', 'upstream_targets', 'circuits', 'dependencies', 'event_loop'],
    );
  });

  it('scores the error rate between 0.1% (full) and 5% (none)', () => {
    assert.equal(part({ ...healthy, lastMinute: minute(1000, 1, 20) }, 'error_rate').score, 1);
    assert.equal(part({ ...healthy, lastMinute: minute(1000, 50, 20) }, 'error_rate').score, 0);
    const half = part({ ...healthy, lastMinute: minute(10_000, 255, 20) }, 'error_rate');
    assert.equal(half.score, 0.5);
    assert.equal(half.points, 17.5);
    assert.match(half.detail, /255 of 10000 requests answered 5xx \(2\.55%\)/);
  });

  it('scores p99 latency between 500 ms and 5 s', () => {
    assert.equal(part({ ...healthy, lastMinute: minute(100, 0, 500) }, 'latency').score, 1);
    assert.equal(part({ ...healthy, lastMinute: minute(100, 0, 2750) }, 'latency').score, 0.5);
    assert.equal(part({ ...healthy, lastMinute: minute(100, 0, 9000) }, 'latency').score, 0);
  });

  it('counts targets out of rotation, open circuits and unreachable dependencies', () => {
    const degraded = healthScore({
      ...healthy,
      targets: { total: 4, unhealthy: 1 },
      circuits: ['closed', 'half_open', 'open', 'closed'],
      dependencies: new Map([['database', true], ['redis', false]]),
    });
    const by = Object.fromEntries(degraded.parts.map((p) => [p.name, p]));
    assert.equal(by.upstream_targets.score, 0.75);
    assert.equal(by.circuits.score, 0.625);
    assert.equal(by.dependencies.score, 0.5);
    assert.match(by.dependencies.detail, /unreachable: redis/);
    assert.match(by.circuits.detail, /1 open, 1 half-open of 4 services/);
    // 35 + 20 + 15 + 6.25 + 5 + 5
    assert.equal(degraded.score, 86);
    assert.equal(degraded.status, 'degraded');
  });

  it('is unhealthy below 70', () => {
    const bad = healthScore({ ...healthy, lastMinute: minute(100, 50, 9000), dependencies: new Map([['database', false]]) });
    assert.equal(bad.score, 35);
    assert.equal(bad.status, 'unhealthy');
  });

  it('an unchecked dependency does not count as reachable', () => {
    assert.equal(part({ ...healthy, dependencies: new Map([['database', undefined]]) }, 'dependencies').score, 0);
  });

  it('scale is linear between its thresholds', () => {
    assert.equal(scale(0, 1, 3), 1);
    assert.equal(scale(2, 1, 3), 0.5);
    assert.equal(scale(3, 1, 3), 0);
  });
});
