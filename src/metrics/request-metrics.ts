import { Injectable } from '@nestjs/common';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import type { Counter, Histogram } from 'prom-client';
import type { RequestContext } from '../proxy/request-context.js';
import type { CompiledRoute } from '../routing/table/compiled-route.js';
import { InFlightRequests } from './in-flight-requests.js';
import { METRIC } from './metric-definitions.js';
import { METHODS, methodIndex, STATUS_CLASSES, statusClassIndex, UNMATCHED } from './request-labels.js';
import { type RouteTraffic, TrafficStats } from './traffic-stats.js';

type CounterChild = ReturnType<Counter['labels']>;
type HistogramChild = ReturnType<Histogram['labels']>;

/** What one request measured, worked out once by the data plane for the access line and the metrics. */
export interface RequestOutcome {
  nowMs: number;
  durationMs: number;
  bytesIn: number;
  bytesOut: number;
}

/**
 * The series of one route, resolved once and kept beside the compiled route, so that recording a
 * request does no label lookup beyond an array slot. prom-client's `labels()` builds a bound child
 * on every call; here each child is built at the first request that needs it.
 */
class RouteSeries {
  private readonly requestChildren: Array<CounterChild | undefined> = new Array(METHODS.length * STATUS_CLASSES.length);
  readonly duration: HistogramChild;
  readonly upstreamDuration: HistogramChild;
  readonly requestBytes: CounterChild;
  readonly responseBytes: CounterChild;
  readonly retries: CounterChild;

  constructor(
    readonly route: string,
    readonly service: string,
    private readonly metrics: RequestMetrics,
    readonly traffic: RouteTraffic,
  ) {
    this.duration = metrics.requestDuration.labels(route, service);
    this.upstreamDuration = metrics.upstreamDuration.labels(route, service);
    this.requestBytes = metrics.requestBytes.labels(route, service);
    this.responseBytes = metrics.responseBytes.labels(route, service);
    this.retries = metrics.upstreamRetries.labels(route, service);
  }

  requests(method: number, statusClass: number): CounterChild {
    const index = method * STATUS_CLASSES.length + statusClass;
    return (this.requestChildren[index] ??= this.metrics.requests.labels(this.route, this.service, METHODS[method], STATUS_CLASSES[statusClass]));
  }
}

/** Records each data-plane request once, when its response closes. */
@Injectable()
export class RequestMetrics {
  private readonly seriesByRoute = new WeakMap<CompiledRoute, RouteSeries>();
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
  ) {}

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
    series.requests(methodIndex(context.req.method), statusClass).inc();
    series.duration.observe(outcome.durationMs / 1000);
    if (upstreamMs >= 0) series.upstreamDuration.observe(upstreamMs / 1000);
    if (retries > 0) series.retries.inc(retries);
    if (outcome.bytesIn > 0) series.requestBytes.inc(outcome.bytesIn);
    if (outcome.bytesOut > 0) series.responseBytes.inc(outcome.bytesOut);
    this.stats.record(series.traffic, outcome.nowMs, statusClass, outcome.durationMs, upstreamMs, retries);
  }

  private seriesOf(route: CompiledRoute): RouteSeries {
    let series = this.seriesByRoute.get(route);
    if (!series) {
      const service = route.service.name;
      series = new RouteSeries(route.name, service, this, this.stats.forRoute(route.name, service));
      this.seriesByRoute.set(route, series);
    }
    return series;
  }

  private unmatchedSeries(): RouteSeries {
    return (this.unmatched ??= new RouteSeries(UNMATCHED, UNMATCHED, this, this.stats.forRoute(UNMATCHED, UNMATCHED)));
  }
}
