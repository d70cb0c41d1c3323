import { Injectable } from '@nestjs/common';
import { DependencyMonitor } from './dependency-monitor.js';
import { GatewayStateMetrics } from './gateway-state-metrics.js';
import { healthScore } from './health-score.js';
import { InFlightRequests } from './in-flight-requests.js';
import type { HealthScoreView, MetricsJsonView, PerformanceView, RouteMetricsView, TotalsView } from './metrics-views.dto.js';
import { ProcessLoad } from './process-load.js';
import { STATUS_CLASSES } from './request-labels.js';
import { type RouteTraffic, TrafficStats } from './traffic-stats.js';
import { round, type TrafficTotals } from './traffic-window.js';

function totalsView(totals: TrafficTotals): TotalsView {
  const byClass = Object.fromEntries(STATUS_CLASSES.map((name, i) => [name, totals.byStatusClass[i]])) as unknown as TotalsView['by_status_class'];
  const failed = byClass['5xx'] + byClass.aborted;
  return {
    requests: totals.requests,
    by_status_class: byClass,
    success_rate: totals.requests > 0 ? round((totals.requests - failed) / totals.requests, 4) : null,
    latency_avg_ms: totals.requests > 0 ? round(totals.durationSumMs / totals.requests, 3) : null,
    upstream_latency_avg_ms: totals.upstreamCalls > 0 ? round(totals.upstreamSumMs / totals.upstreamCalls, 3) : null,
    retries: totals.retries,
  };
}

/** Builds the JSON views from the in-memory figures (never from the Prometheus registry). */
@Injectable()
export class MetricsViews {
  constructor(
    private readonly stats: TrafficStats,
    private readonly inFlight: InFlightRequests,
    private readonly load: ProcessLoad,
    private readonly state: GatewayStateMetrics,
    private readonly dependencies: DependencyMonitor,
  ) {}

  json(): MetricsJsonView {
    const now = performance.now();
    const routes: RouteMetricsView[] = this.stats
      .routes()
      .map((traffic) => this.routeView(traffic, now))
      .sort((a, b) => b.totals.requests - a.totals.requests || a.route.localeCompare(b.route));
    return {
      since: this.stats.since.toISOString(),
      uptime_seconds: round(process.uptime(), 1),
      in_flight: this.inFlight.count,
      totals: totalsView(this.stats.overall.totals),
      last_minute: this.stats.overall.window.summary(now, this.stats.sinceMs),
      routes,
    };
  }

  performance(): PerformanceView {
    const now = performance.now();
    const memory = process.memoryUsage();
    const slowest = this.stats
      .routes()
      .map((traffic) => ({ traffic, minute: traffic.window.summary(now, this.stats.sinceMs) }))
      .filter(({ minute }) => minute.requests > 0)
      .sort((a, b) => (b.minute.latency.p99_ms ?? 0) - (a.minute.latency.p99_ms ?? 0))
      .slice(0, 5)
      .map(({ traffic, minute }) => ({ route: traffic.route, service: traffic.service, requests: minute.requests, p99_ms: minute.latency.p99_ms }));
    return {
      in_flight: this.inFlight.count,
      last_minute: this.stats.overall.window.summary(now, this.stats.sinceMs),
      process: {
        uptime_seconds: round(process.uptime(), 1),
        ...this.load.current,
        memory: { rss_bytes: memory.rss, heap_used_bytes: memory.heapUsed, heap_total_bytes: memory.heapTotal, external_bytes: memory.external },
      },
      slowest_routes: slowest,
    };
  }

  healthScore(): HealthScoreView {
    return healthScore({
      lastMinute: this.stats.overall.window.summary(performance.now(), this.stats.sinceMs),
      targets: this.state.targets(),
      circuits: this.state.circuitStates().values(),
      dependencies: this.dependencies.states(),
      eventLoopDelayP99Ms: this.load.current.event_loop_delay_p99_ms,
    });
  }

  reset(): Date {
    this.stats.reset();
    return this.stats.since;
  }

  private routeView(traffic: RouteTraffic, now: number): RouteMetricsView {
    return {
      route: traffic.route,
      service: traffic.service,
      totals: totalsView(traffic.totals),
      last_minute: traffic.window.summary(now, this.stats.sinceMs),
    };
  }
}
