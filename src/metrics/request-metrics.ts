import { Injectable } from '@nestjs/common';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import type { Counter, Histogram } from 'prom-client';
import type { RequestContext } from '../proxy/request-context.js';
import type { CompiledRoute } from '../routing/table/compiled-route.js';
import { HistogramBuffer } from './histogram-buffer.js';
import { InFlightRequests } from './in-flight-requests.js';
import { LATENCY_BUCKETS_SECONDS, METRIC } from './metric-definitions.js';
import { PendingMetrics } from './pending-metrics.js';
import { METHODS, methodIndex, STATUS_CLASSES, statusClassIndex, UNMATCHED } from './request-labels.js';
import { type RouteTraffic, TrafficStats } from './traffic-stats.js';

type CounterChild = ReturnType<Counter['labels']>;

/** What one request measured, worked out once by the data plane for the access line and the metrics. */
export interface RequestOutcome {
  nowMs: number;
  durationMs: number;
  bytesIn: number;
  bytesOut: number;
}

/**
 * The series of one route and service, resolved once and shared by every compiled route of that
 * name, so that recording a request does no label lookup: counters are summed here and histograms
 * counted per bucket (HistogramBuffer), both handed to prom-client at scrape time (PendingMetrics).
 */
class RouteSeries {
  private readonly requestChildren: Array<CounterChild | undefined> = new Array(METHODS.length * STATUS_CLASSES.length);
  /** Requests counted since the last flush, by method × status class. */
  private readonly pendingRequests = new Float64Array(METHODS.length * STATUS_CLASSES.length);
  private pendingRequestBytes = 0;
  private pendingResponseBytes = 0;
  private pendingRetries = 0;
  private dirty = false;
  readonly duration: HistogramBuffer;
  readonly upstreamDuration: HistogramBuffer;
  private readonly requestBytes: CounterChild;
  private readonly responseBytes: CounterChild;
  private readonly retries: CounterChild;

  constructor(
    readonly route: string,
    readonly service: string,
    private readonly metrics: RequestMetrics,
    readonly traffic: RouteTraffic,
  ) {
    this.duration = new HistogramBuffer(metrics.requestDuration, { route, service }, LATENCY_BUCKETS_SECONDS);
    this.upstreamDuration = new HistogramBuffer(metrics.upstreamDuration, { route, service }, LATENCY_BUCKETS_SECONDS);
    this.requestBytes = metrics.requestBytes.labels(route, service);
    this.responseBytes = metrics.responseBytes.labels(route, service);
    this.retries = metrics.upstreamRetries.labels(route, service);
  }

  count(method: number, statusClass: number, requestBytes: number, responseBytes: number, retries: number): void {
    this.pendingRequests[method * STATUS_CLASSES.length + statusClass]++;
    this.pendingRequestBytes += requestBytes;
    this.pendingResponseBytes += responseBytes;
    this.pendingRetries += retries;
    this.dirty = true;
  }

  flush(): void {
    this.duration.flush();
    this.upstreamDuration.flush();
    if (!this.dirty) return;
    this.dirty = false;
    const pending = this.pendingRequests;
    for (let i = 0; i < pending.length; i++) {
      if (pending[i] === 0) continue;
      (this.requestChildren[i] ??= this.metrics.requests.labels(
        this.route,
        this.service,
        METHODS[Math.floor(i / STATUS_CLASSES.length)],
        STATUS_CLASSES[i % STATUS_CLASSES.length],
      )).inc(pending[i]);
      pending[i] = 0;
    }
    if (this.pendingRequestBytes > 0) this.requestBytes.inc(this.pendingRequestBytes);
    if (this.pendingResponseBytes > 0) this.responseBytes.inc(this.pendingResponseBytes);
    if (this.pendingRetries > 0) this.retries.inc(this.pendingRetries);
    this.pendingRequestBytes = this.pendingResponseBytes = this.pendingRetries = 0;
  }
}

/** Records each data-plane request once, when its response closes. */
@Injectable()
export class RequestMetrics {
  private readonly seriesByRoute = new WeakMap<CompiledRoute, RouteSeries>();
  /** One per route and service name: table swaps make new compiled routes, not new series. */
  private readonly seriesByName = new Map<string, RouteSeries>();
  private unmatched: RouteSeries | undefined;

  constructor(
    @InjectMetric(METRIC.requests) readonly requests: Counter,
    @InjectMetric(METRIC.requestDuration) readonly requestDuration: Histogram,
    @InjectMetric(METRIC.upstreamDuration) readonly upstreamDuration: Histogram,
    @InjectMetric(METRIC.requestBytes) readonly requestBytes: Counter,
    @InjectMetric(METRIC.responseBytes) readonly responseBytes: Counter,
    @InjectMetric(METRIC.upstreamRetries) readonly upstreamRetries: Counter,
    private readonly inFlight: InFlightRequests,
    private readonly stats: TrafficStats,
    pending: PendingMetrics,
  ) {
    pending.onFlush(() => {
      for (const series of this.seriesByName.values()) series.flush();
    });
  }

  begin(): void {
    this.inFlight.count++;
  }

  end(context: RequestContext, outcome: RequestOutcome): void {
    this.inFlight.count--;
    const series = context.match ? this.seriesOf(context.match.route) : this.unmatchedSeries();
    const { res } = context;
    const statusClass = statusClassIndex(res.writableFinished, res.statusCode);
    const retries = context.attempts > 1 ? context.attempts - 1 : 0;
    const upstreamMs = context.upstreamMs ?? -1;
    series.count(methodIndex(context.req.method), statusClass, outcome.bytesIn, outcome.bytesOut, retries);
    series.duration.observe(outcome.durationMs / 1000);
    if (upstreamMs >= 0) series.upstreamDuration.observe(upstreamMs / 1000);
    this.stats.record(series.traffic, outcome.nowMs, statusClass, outcome.durationMs, upstreamMs, retries);
  }

  private seriesOf(route: CompiledRoute): RouteSeries {
    let series = this.seriesByRoute.get(route);
    if (!series) {
      series = this.seriesNamed(route.name, route.service.name);
      this.seriesByRoute.set(route, series);
    }
    return series;
  }

  private unmatchedSeries(): RouteSeries {
    return (this.unmatched ??= this.seriesNamed(UNMATCHED, UNMATCHED));
  }

  private seriesNamed(route: string, service: string): RouteSeries {
    const key = `${route}\u0000${service}`;
    let series = this.seriesByName.get(key);
    if (!series) this.seriesByName.set(key, (series = new RouteSeries(route, service, this, this.stats.forRoute(route, service))));
    return series;
  }
}
