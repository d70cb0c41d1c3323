import { Module } from '@nestjs/common';
import { PrometheusModule } from '@willsoto/nestjs-prometheus';
import { RoutingModule } from '../routing/routing.module.js';
import { RateLimitStoreModule } from '../rate-limit/rate-limit-store.module.js';
import { DependencyMonitor } from './dependency-monitor.js';
import { GatewayStateMetrics } from './gateway-state-metrics.js';
import { InFlightRequests } from './in-flight-requests.js';
import { BuildInfo } from './build-info.js';
import { PendingMetrics } from './pending-metrics.js';
import { METRIC_PROVIDERS } from './metric-definitions.js';
import { MetricsResetController, MetricsViewsController } from './metrics-views.controller.js';
import { MetricsViews } from './metrics-views.service.js';
import { ProcessLoad } from './process-load.js';
import { MetricsScrapeController } from './prometheus.controller.js';
import { RequestMetrics } from './request-metrics.js';
import { TrafficStats } from './traffic-stats.js';

/**
 * GET /metrics (Prometheus, with the default process metrics), the JSON views and their reset.
 * The data plane records each request through RequestMetrics; everything else arrives as
 * GatewayEvents or is sampled off the request path.
 */
@Module({
  imports: [
    PrometheusModule.register({ path: '/metrics', controller: MetricsScrapeController, defaultMetrics: { enabled: true } }),
    RoutingModule,
    RateLimitStoreModule,
  ],
  controllers: [MetricsViewsController, MetricsResetController],
  providers: [
    ...METRIC_PROVIDERS,
    PendingMetrics,
    InFlightRequests,
    TrafficStats,
    RequestMetrics,
    GatewayStateMetrics,
    DependencyMonitor,
    ProcessLoad,
    MetricsViews,
    BuildInfo,
  ],
  exports: [RequestMetrics],
})
export class MetricsModule {}
