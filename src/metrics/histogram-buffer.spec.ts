import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Histogram, Registry } from 'prom-client';
import { HistogramBuffer } from './histogram-buffer.js';
import { LATENCY_BUCKETS_SECONDS } from './metric-definitions.js';

const LABELS = { labelNames: ['route', 'service'], buckets: LATENCY_BUCKETS_SECONDS };
// On a bound, between bounds, below the first, above the last, zero.
const VALUES = [0.001, 0.0011, 0.0004, 0.01, 0.0099, 31, 0, 2.5, 0.3, 7, 0.001, 45.5];

function histogramIn(registry: Registry, collect?: () => void): Histogram {
  return new Histogram({ name: 'duration_seconds', help: 'h', registers: [registry], ...LABELS, collect });
}

describe('HistogramBuffer', () => {
  it("exposes exactly what prom-client's own observe() would, per label set (pins prom-client's internals)", async () => {
    const direct = new Registry();
    const directHistogram = histogramIn(direct);
    const buffered = new Registry();
    const bufferedHistogram = histogramIn(buffered);
    const a = new HistogramBuffer(bufferedHistogram, { route: 'a', service: 's' }, LATENCY_BUCKETS_SECONDS);
    const b = new HistogramBuffer(bufferedHistogram, { route: 'b', service: 's' }, LATENCY_BUCKETS_SECONDS);
    VALUES.forEach((value, i) => {
      directHistogram.labels(i % 3 === 0 ? 'b' : 'a', 's').observe(value);
      (i % 3 === 0 ? b : a).observe(value);
    });
    a.flush();
    b.flush();
    // The same lines; label sets may come in another order (the order in which each was first recorded).
    const lines = async (registry: Registry) => (await registry.metrics()).split('\n').sort();
    const expected = await lines(direct);
    assert.ok(expected.includes('duration_seconds_count{route="a",service="s"} 8'));
    assert.deepEqual(await lines(buffered), expected);
  });

  it('is flushed by the scrape itself, so a scrape sees every observation made before it, once', async () => {
    const registry = new Registry();
    let buffer: HistogramBuffer | undefined;
    const histogram = histogramIn(registry, () => buffer!.flush());
    buffer = new HistogramBuffer(histogram, { route: 'r', service: 's' }, LATENCY_BUCKETS_SECONDS);
    // Binary fractions, so that the sum is exact.
    buffer.observe(0.001953125);
    assert.match(await registry.metrics(), /duration_seconds_count\{route="r",service="s"\} 1\n/);
    buffer.observe(0.125);
    buffer.observe(40);
    const text = await registry.metrics();
    assert.match(text, /duration_seconds_count\{route="r",service="s"\} 3\n/);
    assert.match(text, /duration_seconds_bucket\{le="0.0025",route="r",service="s"\} 1\n/);
    assert.match(text, /duration_seconds_bucket\{le="0.25",route="r",service="s"\} 2\n/);
    assert.match(text, /duration_seconds_bucket\{le="30",route="r",service="s"\} 2\n/);
    assert.match(text, /duration_seconds_bucket\{le="\+Inf",route="r",service="s"\} 3\n/);
    assert.match(text, /duration_seconds_sum\{route="r",service="s"\} 40.126953125\n/);
    assert.equal(await registry.metrics(), text, 'a scrape with nothing new changes nothing');
  });

  it('starts its label set again after the histogram is reset', async () => {
    const registry = new Registry();
    const histogram = histogramIn(registry);
    const buffer = new HistogramBuffer(histogram, { route: 'r', service: 's' }, LATENCY_BUCKETS_SECONDS);
    buffer.observe(0.5);
    buffer.flush();
    registry.resetMetrics();
    assert.doesNotMatch(await registry.metrics(), /route="r"/);
    buffer.observe(0.00390625);
    buffer.flush();
    const text = await registry.metrics();
    assert.match(text, /duration_seconds_count\{route="r",service="s"\} 1\n/);
    assert.match(text, /duration_seconds_sum\{route="r",service="s"\} 0.00390625\n/);
  });
});
