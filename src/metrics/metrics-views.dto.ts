import { ApiProperty } from '@nestjs/swagger';

/** Response shapes of the JSON metric views, for Swagger. Times in milliseconds unless named otherwise. */

export class LatencyView {
  @ApiProperty({ nullable: true, type: Number, example: 4.2 }) avg_ms: number | null;
  @ApiProperty({ nullable: true, type: Number, example: 3.1, description: 'Approximate (within about ±10%), from log-spaced buckets.' }) p50_ms: number | null;
  @ApiProperty({ nullable: true, type: Number, example: 9.8 }) p95_ms: number | null;
  @ApiProperty({ nullable: true, type: Number, example: 21.4 }) p99_ms: number | null;
}

export class LastMinuteView {
  @ApiProperty({ example: 5400 }) requests: number;
  @ApiProperty({ example: 60, description: 'Seconds covered: 60, or less just after start or a reset.' }) window_seconds: number;
  @ApiProperty({ example: 90 }) requests_per_second: number;
  @ApiProperty({ example: 3, description: 'Responses with a 5xx status.' }) server_errors: number;
  @ApiProperty({ example: 12, description: 'Responses with a 4xx status.' }) client_errors: number;
  @ApiProperty({ example: 0, description: 'Responses that did not complete (client gone, or the upstream cut the body).' }) aborted: number;
  @ApiProperty({ nullable: true, type: Number, example: 0.9994, description: 'Share answered without a 5xx and not aborted; null without traffic.' }) success_rate: number | null;
  @ApiProperty({ type: LatencyView, description: 'From arrival to the end of the response.' }) latency: LatencyView;
  @ApiProperty({ type: LatencyView, description: 'The last upstream attempt, to its response headers (time to first byte).' }) upstream_latency: LatencyView;
}

export class StatusClassCountsView {
  @ApiProperty({ name: '1xx' }) '1xx': number;
  @ApiProperty({ name: '2xx' }) '2xx': number;
  @ApiProperty({ name: '3xx' }) '3xx': number;
  @ApiProperty({ name: '4xx' }) '4xx': number;
  @ApiProperty({ name: '5xx' }) '5xx': number;
  @ApiProperty() aborted: number;
}

export class TotalsView {
  @ApiProperty({ example: 125000 }) requests: number;
  @ApiProperty({ type: StatusClassCountsView }) by_status_class: StatusClassCountsView;
  @ApiProperty({ nullable: true, type: Number, example: 0.9991 }) success_rate: number | null;
  @ApiProperty({ nullable: true, type: Number, example: 5.7 }) latency_avg_ms: number | null;
  @ApiProperty({ nullable: true, type: Number, example: 4.9 }) upstream_latency_avg_ms: number | null;
  @ApiProperty({ example: 7, description: 'Upstream attempts beyond the first.' }) retries: number;
}

export class RouteMetricsView {
  @ApiProperty({ example: 'jobs', description: 'The route name; `_unmatched` for requests no route matched.' }) route: string;
  @ApiProperty({ example: 'jobs' }) service: string;
  @ApiProperty({ type: TotalsView, description: 'Since start or the last reset.' }) totals: TotalsView;
  @ApiProperty({ type: LastMinuteView }) last_minute: LastMinuteView;
}

export class MetricsJsonView {
  @ApiProperty({ example: '2026-11-23T16:45:28.000Z', description: 'Start of the totals: process start or the last POST /admin/reset-metrics.' }) since: string;
  @ApiProperty({ example: 3600.5 }) uptime_seconds: number;
  @ApiProperty({ example: 3, description: 'Data-plane requests being served now.' }) in_flight: number;
  @ApiProperty({ type: TotalsView }) totals: TotalsView;
  @ApiProperty({ type: LastMinuteView }) last_minute: LastMinuteView;
  @ApiProperty({ type: [RouteMetricsView], description: 'Routes with traffic since the last reset, busiest first.' }) routes: RouteMetricsView[];
}

export class MemoryView {
  @ApiProperty({ example: 98_000_000 }) rss_bytes: number;
  @ApiProperty({ example: 40_000_000 }) heap_used_bytes: number;
  @ApiProperty({ example: 60_000_000 }) heap_total_bytes: number;
  @ApiProperty({ example: 3_000_000 }) external_bytes: number;
}

export class ProcessView {
  @ApiProperty({ example: 3600.5 }) uptime_seconds: number;
  @ApiProperty({ nullable: true, type: Number, example: 35.5, description: 'CPU over the last 5 s, as a share of one core (100 = one core).' }) cpu_percent: number | null;
  @ApiProperty({ nullable: true, type: Number, example: 0.41, description: 'Share of the last 5 s the event loop was busy.' }) event_loop_utilization: number | null;
  @ApiProperty({ nullable: true, type: Number, example: 10.2 }) event_loop_delay_p50_ms: number | null;
  @ApiProperty({ nullable: true, type: Number, example: 12.9 }) event_loop_delay_p99_ms: number | null;
  @ApiProperty({ nullable: true, type: Number, example: 30.1 }) event_loop_delay_max_ms: number | null;
  @ApiProperty({ type: MemoryView }) memory: MemoryView;
}

export class SlowRouteView {
  @ApiProperty({ example: 'reports' }) route: string;
  @ApiProperty({ example: 'reports' }) service: string;
  @ApiProperty({ example: 120 }) requests: number;
  @ApiProperty({ nullable: true, type: Number, example: 850.2 }) p99_ms: number | null;
}

export class PerformanceView {
  @ApiProperty({ example: 2 }) in_flight: number;
  @ApiProperty({ type: LastMinuteView }) last_minute: LastMinuteView;
  @ApiProperty({ type: ProcessView }) process: ProcessView;
  @ApiProperty({ type: [SlowRouteView], description: 'Up to five routes with the highest p99 over the last minute.' }) slowest_routes: SlowRouteView[];
}

export class HealthPartView {
  @ApiProperty({ enum: ['error_rate', 'latency', 'upstream_targets', 'circuits', 'dependencies', 'event_loop'] }) name: string;
  @ApiProperty({ example: 35 }) weight: number;
  @ApiProperty({ example: 1, description: '0 to 1.' }) score: number;
  @ApiProperty({ example: 35, description: 'weight × score.' }) points: number;
  @ApiProperty({ example: '0 of 5400 requests answered 5xx (0%)' }) detail: string;
}

export class HealthScoreView {
  @ApiProperty({ example: 100, description: '0 to 100: the sum of the parts\' points.' }) score: number;
  @ApiProperty({ enum: ['healthy', 'degraded', 'unhealthy'], description: 'healthy at 90 and above, degraded from 70, unhealthy below.' }) status: string;
  @ApiProperty({ type: [HealthPartView] }) parts: HealthPartView[];
}

export class MetricsResetView {
  @ApiProperty({ example: '2026-11-23T16:45:28.000Z' }) reset_at: string;
}
