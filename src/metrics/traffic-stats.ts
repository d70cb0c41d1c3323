import { Injectable } from '@nestjs/common';
import { TrafficTotals, TrafficWindow } from './traffic-window.js';

/** One route's traffic for the JSON views: the last minute and the totals since the last reset. */
export class RouteTraffic {
  readonly window = new TrafficWindow();
  readonly totals = new TrafficTotals();

  constructor(
    readonly route: string,
    readonly service: string,
  ) {}

  reset(): void {
    this.window.reset();
    this.totals.reset();
  }
}

/**
 * The in-memory figures behind /metrics/json, /metrics/performance and /metrics/health-score.
 * Unlike the Prometheus counters, these can be reset (POST /admin/reset-metrics); a reset clears
 * the objects in place, so the references the data plane holds stay valid.
 */
@Injectable()
export class TrafficStats {
  readonly overall = new RouteTraffic('*', '*');
  private readonly byRoute = new Map<string, RouteTraffic>();
  private resetAtMs = performance.now();
  private resetAtDate = new Date();

  get sinceMs(): number {
    return this.resetAtMs;
  }

  get since(): Date {
    return this.resetAtDate;
  }

  /** The figures of one route (by name); created at its first request. */
  forRoute(route: string, service: string): RouteTraffic {
    let traffic = this.byRoute.get(route);
    if (!traffic || traffic.service !== service) this.byRoute.set(route, (traffic = new RouteTraffic(route, service)));
    return traffic;
  }

  record(traffic: RouteTraffic, nowMs: number, statusClass: number, durationMs: number, upstreamMs: number, retries: number): void {
    traffic.window.record(nowMs, statusClass, durationMs, upstreamMs);
    traffic.totals.record(statusClass, durationMs, upstreamMs, retries);
    this.overall.window.record(nowMs, statusClass, durationMs, upstreamMs);
    this.overall.totals.record(statusClass, durationMs, upstreamMs, retries);
  }

  routes(): RouteTraffic[] {
    return [...this.byRoute.values()].filter((traffic) => traffic.totals.requests > 0);
  }

  reset(): void {
    this.overall.reset();
    for (const traffic of this.byRoute.values()) traffic.reset();
    this.resetAtMs = performance.now();
    this.resetAtDate = new Date();
  }
}
