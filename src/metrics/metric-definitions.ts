import type { Provider } from '@nestjs/common';
import { makeCounterProvider, makeGaugeProvider, makeHistogramProvider } from '@willsoto/nestjs-prometheus';
import type { Counter, Gauge } from 'prom-client';
import { localDecisionsOf } from '../rate-limit/rate-limit-store.provider.js';
import { RATE_LIMIT_STORE, type RateLimitStore } from '../rate-limit/store/rate-limit-store.js';
import { PendingMetrics } from './pending-metrics.js';
import { InFlightRequests } from './in-flight-requests.js';

/**
 * Every metric the gateway exports, in one place. Prometheus naming: the `gateway_` prefix, base
 * units (seconds, bytes), `_total` on counters. All are registered at start, so each appears in
 * /metrics (HELP and TYPE) before its first sample. Label values are route and service names, small
 * fixed sets, or configuration: never a raw path, id or client value.
 */
export const METRIC = {
  requests: 'gateway_requests_total',
  requestDuration: 'gateway_request_duration_seconds',
  upstreamDuration: 'gateway_upstream_duration_seconds',
  inFlight: 'gateway_requests_in_flight',
  requestBytes: 'gateway_request_bytes_total',
  responseBytes: 'gateway_response_bytes_total',
  upstreamRetries: 'gateway_upstream_retries_total',
  targetHealthy: 'gateway_upstream_target_healthy',
  circuitState: 'gateway_circuit_state',
  circuitOpened: 'gateway_circuit_opened_total',
  rateLimited: 'gateway_rate_limited_requests_total',
  rateLimitStoreDegraded: 'gateway_rate_limit_store_degraded',
  rateLimitLocalDecisions: 'gateway_rate_limit_local_decisions_total',
  authFailures: 'gateway_auth_failures_total',
  configVersion: 'gateway_config_version',
  configAppliedAt: 'gateway_config_last_applied_timestamp_seconds',
  routes: 'gateway_routes',
  services: 'gateway_services',
  dependencyUp: 'gateway_dependency_up',
  buildInfo: 'gateway_build_info',
} as const;

/** From 1 ms to 30 s: a gateway's own cost sits in the first buckets, slow upstreams in the last. */
export const LATENCY_BUCKETS_SECONDS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** `gateway_circuit_state` values. */
export const CIRCUIT_STATE_VALUE = { closed: 0, half_open: 1, open: 2 } as const;

const ROUTE_LABELS = ['route', 'service'];

export interface MetricSpec {
  type: 'counter' | 'gauge' | 'histogram';
  name: string;
  help: string;
  labelNames: string[];
  buckets?: number[];
}

export const METRIC_SPECS: MetricSpec[] = [
  {
    type: 'counter',
    name: METRIC.requests,
    help: 'Requests through the data plane, by route, service, method (OTHER for non-standard ones) and status class (1xx..5xx, or aborted when the response did not complete).',
    labelNames: ['route', 'service', 'method', 'status_class'],
  },
  {
    type: 'histogram',
    name: METRIC.requestDuration,
    help: 'Time from the request reaching the gateway to the end of its response, in seconds.',
    labelNames: ROUTE_LABELS,
    buckets: LATENCY_BUCKETS_SECONDS,
  },
  {
    type: 'histogram',
    name: METRIC.upstreamDuration,
    help: "Time of the last upstream attempt, from sending the request to the upstream's response headers (time to first byte), in seconds.",
    labelNames: ROUTE_LABELS,
    buckets: LATENCY_BUCKETS_SECONDS,
  },
  { type: 'gauge', name: METRIC.inFlight, help: 'Data-plane requests being served now.', labelNames: [] },
  {
    type: 'counter',
    name: METRIC.requestBytes,
    help: 'Bytes received from clients on the data plane (request line, headers and body), by route and service.',
    labelNames: ROUTE_LABELS,
  },
  {
    type: 'counter',
    name: METRIC.responseBytes,
    help: 'Bytes sent to clients on the data plane (status line, headers and body), by route and service.',
    labelNames: ROUTE_LABELS,
  },
  {
    type: 'counter',
    name: METRIC.upstreamRetries,
    help: 'Upstream attempts beyond the first (connect errors and 502/503/504 of idempotent requests), by route and service.',
    labelNames: ROUTE_LABELS,
  },
  {
    type: 'gauge',
    name: METRIC.targetHealthy,
    help: 'Whether an upstream target is in rotation (1) or taken out by health checks (0), by service and target URL.',
    labelNames: ['service', 'target'],
  },
  { type: 'gauge', name: METRIC.circuitState, help: "State of a service's circuit breaker: 0 closed, 1 half-open, 2 open.", labelNames: ['service'] },
  { type: 'counter', name: METRIC.circuitOpened, help: "Times a service's circuit breaker opened.", labelNames: ['service'] },
  {
    type: 'counter',
    name: METRIC.rateLimited,
    help: 'Requests refused by a rate limit, by the scope that refused them (global, ip, consumer, ...) and route.',
    labelNames: ['scope', 'route'],
  },
  {
    type: 'gauge',
    name: METRIC.rateLimitStoreDegraded,
    help: 'Whether rate limiting lost its shared counter store and runs on per-instance counters (1) or not (0).',
    labelNames: [],
  },
  {
    type: 'counter',
    name: METRIC.rateLimitLocalDecisions,
    help: 'Rate-limit decisions this instance made on its own counters because the shared store (Redis) was unreachable.',
    labelNames: [],
  },
  {
    type: 'counter',
    name: METRIC.authFailures,
    help: 'Requests refused by consumer authentication, by reason (missing, invalid, expired, ...) and route.',
    labelNames: ['reason', 'route'],
  },
  { type: 'gauge', name: METRIC.configVersion, help: 'Configuration version of the route table this instance serves.', labelNames: [] },
  { type: 'gauge', name: METRIC.configAppliedAt, help: 'When this instance last swapped in a new route table, in seconds since the Unix epoch.', labelNames: [] },
  { type: 'gauge', name: METRIC.routes, help: 'Routes in the route table this instance serves.', labelNames: [] },
  { type: 'gauge', name: METRIC.services, help: 'Services in the route table this instance serves.', labelNames: [] },
  {
    type: 'gauge',
    name: METRIC.dependencyUp,
    help: 'Whether a dependency answered its last periodic check (1) or not (0): database always, redis when REDIS_URL is set.',
    labelNames: ['dependency'],
  },
  { type: 'gauge', name: METRIC.buildInfo, help: 'Always 1; the labels say which gateway version runs on which Node.js.', labelNames: ['version', 'nodejs'] },
];

/** Counters and histograms the data plane records through PendingMetrics (see pending-metrics.ts). */
const BUFFERED_METRICS = new Set<string>([
  METRIC.requests,
  METRIC.requestBytes,
  METRIC.responseBytes,
  METRIC.upstreamRetries,
  METRIC.requestDuration,
  METRIC.upstreamDuration,
]);

/**
 * The Nest providers of METRIC_SPECS (inject with `@InjectMetric(name)`). The buffered metrics
 * take in what the data plane recorded just before each scrape; the in-flight gauge reads its count then.
 */
export const METRIC_PROVIDERS: Provider[] = METRIC_SPECS.map(({ type, ...options }) => {
  if (BUFFERED_METRICS.has(options.name)) {
    const buffered = {
      ...options,
      inject: [PendingMetrics],
      collect(pending: PendingMetrics) {
        pending.flush();
      },
    };
    return type === 'histogram' ? makeHistogramProvider(buffered) : makeCounterProvider(buffered);
  }
  if (type === 'counter' && options.name === METRIC.rateLimitLocalDecisions) {
    // The store counts; each scrape adds what it counted since the last one.
    let reported = 0;
    return makeCounterProvider({
      ...options,
      inject: [RATE_LIMIT_STORE],
      collect(this: Counter, store: RateLimitStore) {
        const total = localDecisionsOf(store);
        if (total > reported) this.inc(total - reported);
        reported = total;
      },
    });
  }
  if (type === 'counter') return makeCounterProvider(options);
  if (type === 'histogram') return makeHistogramProvider(options);
  if (options.name !== METRIC.inFlight) return makeGaugeProvider(options);
  return makeGaugeProvider({
    ...options,
    inject: [InFlightRequests],
    collect(this: Gauge, inFlight: InFlightRequests) {
      this.set(inFlight.count);
    },
  });
});
