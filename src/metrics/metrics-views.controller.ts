import { Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminAuth } from '../auth/admin-auth.decorator.js';
import { HealthScoreView, MetricsJsonView, MetricsResetView, PerformanceView } from './metrics-views.dto.js';
import { MetricsViews } from './metrics-views.service.js';

/** The JSON views, for people without Prometheus. Figures are in-memory and per instance. */
@ApiTags('metrics')
@Controller('metrics')
export class MetricsViewsController {
  constructor(private readonly views: MetricsViews) {}

  @Get('json')
  @ApiOperation({
    summary: 'Traffic in JSON: totals since reset, the last minute, by route',
    description: 'Per instance. Totals count from start or the last POST /admin/reset-metrics; percentiles are over the last minute.',
  })
  @ApiOkResponse({ type: MetricsJsonView })
  json(): MetricsJsonView {
    return this.views.json();
  }

  @Get('performance')
  @ApiOperation({ summary: 'Latency, throughput and process load (CPU, event loop, memory) of this instance' })
  @ApiOkResponse({ type: PerformanceView })
  performance(): PerformanceView {
    return this.views.performance();
  }

  @Get('health-score')
  @ApiOperation({
    summary: 'Health score from 0 to 100, with the parts that make it',
    description:
      'Weighted parts, each scored 0 to 1: error_rate 35 (5xx share of the last minute, full at <= 0.1%, none at >= 5%), ' +
      'latency 20 (p99 of the last minute, full at <= 500 ms, none at >= 5 s), upstream_targets 20 (share in rotation), ' +
      'circuits 10 (closed 1, half-open 0.5, open 0), dependencies 10 (database and Redis answering), ' +
      'event_loop 5 (delay p99, full at <= 50 ms, none at >= 500 ms). Status: healthy >= 90, degraded >= 70, else unhealthy.',
  })
  @ApiOkResponse({ type: HealthScoreView })
  healthScore(): HealthScoreView {
    return this.views.healthScore();
  }
}

@ApiTags('metrics')
@Controller('admin')
@AdminAuth()
export class MetricsResetController {
  constructor(private readonly views: MetricsViews) {}

  @Post('reset-metrics')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Reset the JSON metric views of this instance',
    description: 'Clears the totals and the last-minute window behind /metrics/json, /metrics/performance and /metrics/health-score. The Prometheus counters of GET /metrics stay monotonic, as Prometheus requires.',
  })
  @ApiOkResponse({ type: MetricsResetView })
  reset(): MetricsResetView {
    return { reset_at: this.views.reset().toISOString() };
  }
}
