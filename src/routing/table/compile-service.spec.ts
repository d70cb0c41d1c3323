import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compileService } from './compile-service.js';
import { serviceDefinition, target } from './service.fixture.js';

const HEALTH = { path: '/health', interval_s: 5, timeout_ms: 800, healthy_threshold: 2, unhealthy_threshold: 4 };

describe('compileService', () => {
  it('gives each target the service health check', () => {
    const service = compileService(serviceDefinition({ healthCheck: HEALTH, targets: [target('a', 'http://a:1/base')] }));
    assert.deepEqual(service.targets[0].check, { path: '/health', intervalMs: 5_000, timeoutMs: 800, healthyThreshold: 2, unhealthyThreshold: 4 });
  });

  it("puts a registration's own path and interval in place of the service's", () => {
    const service = compileService(
      serviceDefinition({ healthCheck: HEALTH, targets: [target('r', 'http://r:1', 100, { source: 'registration', checkPath: '/ready', checkIntervalS: 2 })] }),
    );
    assert.deepEqual(service.targets[0].check, { path: '/ready', intervalMs: 2_000, timeoutMs: 800, healthyThreshold: 2, unhealthyThreshold: 4 });
  });

  it('checks a registration with a path even when the service has no health_check, with the defaults', () => {
    const service = compileService(serviceDefinition({ targets: [target('r', 'http://r:1', 100, { checkPath: '/ready', ttlSeconds: 30 }), target('a', 'http://a:1')] }));
    assert.deepEqual(service.targets[0].check, { path: '/ready', intervalMs: 10_000, timeoutMs: 1_000, healthyThreshold: 2, unhealthyThreshold: 3 });
    assert.equal(service.targets[0].hasTtl, true);
    assert.equal(service.targets[1].check, null);
    assert.equal(service.targets[1].hasTtl, false);
  });

  it('never lets a check outlive its interval', () => {
    const service = compileService(serviceDefinition({ healthCheck: { ...HEALTH, timeout_ms: 5_000 }, targets: [target('r', 'http://r:1', 100, { checkIntervalS: 1 })] }));
    assert.equal(service.targets[0].check?.timeoutMs, 1_000);
  });

  it('resolves the split timeouts from timeout_ms, and compiles the other settings into milliseconds', () => {
    const service = compileService(
      serviceDefinition({
        timeoutMs: 9_000,
        bodyTimeoutMs: 3_000,
        hashOn: 'header',
        hashOnHeader: 'X-User-Id',
        passiveHealthCheck: { unhealthy_threshold: 4, cooldown_s: 20 },
        circuitBreaker: { failure_threshold: 5, failure_window_s: 10, min_throughput: 8, recovery_timeout_s: 30, half_open_max_requests: 2 },
        maxConcurrentRequests: 50,
      }),
    );
    assert.equal(service.headersTimeoutMs, 9_000);
    assert.equal(service.bodyTimeoutMs, 3_000);
    assert.equal(service.hashOnHeader, 'x-user-id', 'header names are matched lower-case');
    assert.deepEqual(service.passiveCheck, { unhealthyThreshold: 4, cooldownMs: 20_000 });
    assert.deepEqual(service.circuitBreaker, { failureThreshold: 5, failureWindowMs: 10_000, minThroughput: 8, recoveryTimeoutMs: 30_000, halfOpenMaxRequests: 2 });
    assert.equal(service.maxConcurrentRequests, 50);
  });

  it('leaves weight-0 targets out of rotation', () => {
    const service = compileService(serviceDefinition({ targets: [target('a', 'http://a:1', 0), target('b', 'http://b:1', 5)] }));
    assert.deepEqual(service.targets.map((t) => t.id), ['b']);
  });
});
