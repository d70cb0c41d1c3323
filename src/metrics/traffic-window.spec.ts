import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ABORTED, CLIENT_ERROR, SERVER_ERROR } from './request-labels.js';
import { BUCKETS, bucketOf, bucketValue, quantile, SLOT_MS, TrafficTotals, TrafficWindow, WINDOW_MS } from './traffic-window.js';

const OK = 2;

describe('latency buckets', () => {
  it('stand for every value within ±10%', () => {
    for (let ms = 0.06; ms < 60_000; ms *= 1.037) {
      const value = bucketValue(bucketOf(ms));
      assert.ok(Math.abs(value - ms) / ms <= 0.1, `${ms} ms → ${value} ms`);
    }
  });

  it('put tiny values in the first bucket and huge ones in the last', () => {
    assert.equal(bucketOf(0), 0);
    assert.equal(bucketOf(-1), 0);
    assert.equal(bucketOf(Number.NaN), 0);
    assert.equal(bucketOf(10_000_000), BUCKETS - 1);
  });

  it('quantiles of a known distribution: 1..1000 ms', () => {
    const buckets = new Uint32Array(BUCKETS);
    for (let ms = 1; ms <= 1000; ms++) buckets[bucketOf(ms)]++;
    for (const [q, exact] of [[0.5, 500], [0.95, 950], [0.99, 990]] as const) {
      const estimate = quantile(buckets, 1000, q)!;
      assert.ok(Math.abs(estimate - exact) / exact <= 0.1, `p${q * 100}: ${estimate} vs ${exact}`);
    }
    assert.equal(quantile(buckets, 0, 0.5), null);
  });
});

describe('TrafficWindow', () => {
  it('sums the last minute: counts, error classes, success rate, rate and latency', () => {
    const window = new TrafficWindow();
    const start = 1_000_000;
    for (let i = 0; i < 90; i++) window.record(start + i * 100, OK, 10, 8);
    for (let i = 0; i < 5; i++) window.record(start + 9_000, SERVER_ERROR, 200, 190);
    for (let i = 0; i < 3; i++) window.record(start + 9_000, CLIENT_ERROR, 1, -1);
    window.record(start + 9_500, ABORTED, 30, -1);
    const summary = window.summary(start + 10_000, start);
    assert.equal(summary.requests, 99);
    assert.equal(summary.server_errors, 5);
    assert.equal(summary.client_errors, 3);
    assert.equal(summary.aborted, 1);
    assert.equal(summary.success_rate, Math.round((93 / 99) * 10_000) / 10_000);
    assert.equal(summary.window_seconds, 10);
    assert.equal(summary.requests_per_second, 9.9);
    assert.ok(Math.abs(summary.latency.p50_ms! - 10) <= 1, `p50 ${summary.latency.p50_ms}`);
    assert.ok(Math.abs(summary.latency.p99_ms! - 200) <= 20, `p99 ${summary.latency.p99_ms}`);
    assert.ok(Math.abs(summary.upstream_latency.avg_ms! - (90 * 8 + 5 * 190) / 95) < 1e-3);
  });

  it('forgets slots older than a minute, and a reset forgets everything', () => {
    const window = new TrafficWindow();
    const start = 10 * WINDOW_MS;
    window.record(start, OK, 1, -1);
    window.record(start + 30_000, OK, 1, -1);
    assert.equal(window.summary(start + 40_000, 0).requests, 2);
    // The first request's slot has left the window, the second's has not.
    assert.equal(window.summary(start + WINDOW_MS + SLOT_MS, 0).requests, 1);
    assert.equal(window.summary(start + 2 * WINDOW_MS, 0).requests, 0);
    // A slot reused a minute later starts from zero.
    window.record(start + WINDOW_MS + 1, OK, 1, -1);
    assert.equal(window.summary(start + WINDOW_MS + 2, 0).requests, 2);
    window.reset();
    const empty = window.summary(start + WINDOW_MS + 3, 0);
    assert.equal(empty.requests, 0);
    assert.equal(empty.success_rate, null);
    assert.equal(empty.latency.p99_ms, null);
  });

  it('forgets everything on reset even right after the clock starts (performance.now() near 0)', () => {
    const window = new TrafficWindow();
    for (let i = 0; i < 5; i++) window.record(3_000 + i, OK, 1, -1);
    assert.equal(window.summary(4_000, 0).requests, 5);
    window.reset();
    assert.equal(window.summary(4_500, 4_100).requests, 0);
    assert.equal(new TrafficWindow().summary(10, 0).requests, 0);
  });

  it('measures the rate over the time since a reset when that is shorter than a minute', () => {
    const window = new TrafficWindow();
    const resetAt = 5 * WINDOW_MS + 1_000;
    for (let i = 0; i < 40; i++) window.record(resetAt + 100 * i, OK, 1, -1);
    const summary = window.summary(resetAt + 4_000, resetAt);
    assert.equal(summary.window_seconds, 4);
    assert.equal(summary.requests_per_second, 10);
  });
});

describe('TrafficTotals', () => {
  it('counts by status class and averages, and resets to zero', () => {
    const totals = new TrafficTotals();
    totals.record(OK, 10, 9, 0);
    totals.record(SERVER_ERROR, 30, 25, 2);
    totals.record(CLIENT_ERROR, 2, -1, 0);
    assert.equal(totals.requests, 3);
    assert.deepEqual([...totals.byStatusClass], [0, 0, 1, 0, 1, 1]);
    assert.equal(totals.durationSumMs, 42);
    assert.equal(totals.upstreamCalls, 2);
    assert.equal(totals.retries, 2);
    totals.reset();
    assert.equal(totals.requests, 0);
    assert.deepEqual([...totals.byStatusClass], [0, 0, 0, 0, 0, 0]);
  });
});
