// Generates deploy/grafana/dashboards/gateway.json:  node deploy/grafana/build-dashboard.mjs
// Edit the panels here, run it, and commit both files; npm test checks that they agree and that
// every metric and label a panel uses exists in GET /metrics (test/observability/*.e2e-spec.ts).
import { writeFileSync } from 'node:fs';
const ds = { type: 'prometheus', uid: '${datasource}' };
let id = 1;
const R = 'route=~"$route"';
const RI = '[$__rate_interval]';
const panels = [];
let y = 0;
const row = (title) => { panels.push({ type: 'row', title, id: id++, collapsed: false, gridPos: { h: 1, w: 24, x: 0, y }, panels: [] }); y += 1; };
function panel(type, title, description, targets, w, h, x, extra = {}) {
  panels.push({
    type, title, description, id: id++, datasource: ds,
    gridPos: { h, w, x, y },
    targets: targets.map((t, i) => ({ datasource: ds, refId: String.fromCharCode(65 + i), expr: t.expr, legendFormat: t.legend ?? '', range: true, instant: false, ...(t.format ? { format: t.format } : {}) })),
    fieldConfig: { defaults: { unit: extra.unit ?? 'short', ...(extra.mappings ? { mappings: extra.mappings } : {}), ...(extra.thresholds ? { thresholds: extra.thresholds } : {}), ...(extra.min !== undefined ? { min: extra.min } : {}), ...(extra.max !== undefined ? { max: extra.max } : {}), custom: extra.custom ?? {} }, overrides: [] },
    options: extra.options ?? (type === 'timeseries' ? { legend: { displayMode: 'table', placement: 'right', calcs: ['mean', 'max', 'lastNotNull'] }, tooltip: { mode: 'multi', sort: 'desc' } } : { reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false }, colorMode: 'value', graphMode: 'area', textMode: 'auto' }),
  });
}
const steps = (...s) => ({ mode: 'absolute', steps: s.map(([value, color]) => ({ value, color })) });

row('Traffic');
panel('stat', 'Requests per second', 'All data-plane requests, every instance.', [{ expr: `sum(rate(gateway_requests_total{${R}}${RI}))` }], 6, 4, 0, { unit: 'reqps' });
panel('stat', 'Error ratio (5xx)', 'Share of requests answered with a 5xx status (0 when none did).', [{ expr: `(sum(rate(gateway_requests_total{status_class="5xx",${R}}${RI})) or vector(0)) / sum(rate(gateway_requests_total{${R}}${RI}))` }], 6, 4, 6, { unit: 'percentunit', thresholds: steps([null, 'green'], [0.01, 'orange'], [0.05, 'red']) });
panel('stat', 'Requests in flight', 'Data-plane requests being served now.', [{ expr: 'sum(gateway_requests_in_flight)' }], 4, 4, 12);
panel('stat', 'Configuration', 'Route table version and size (highest over instances).', [{ expr: 'max(gateway_config_version)', legend: 'version' }, { expr: 'max(gateway_routes)', legend: 'routes' }, { expr: 'max(gateway_services)', legend: 'services' }], 8, 4, 16);
y += 4;
panel('timeseries', 'Requests per second by route', 'gateway_requests_total by route; `_unmatched` is traffic no route matched.', [{ expr: `sum by (route) (rate(gateway_requests_total{${R}}${RI}))`, legend: '{{route}}' }], 12, 8, 0, { unit: 'reqps' });
panel('timeseries', 'Requests per second by status class', 'aborted: the response did not complete (client gone, or the upstream cut the body).', [{ expr: `sum by (status_class) (rate(gateway_requests_total{${R}}${RI}))`, legend: '{{status_class}}' }], 12, 8, 12, { unit: 'reqps' });
y += 8;
panel('timeseries', 'Error ratio by route (5xx)', 'Share of each route\'s requests answered with a 5xx status.', [{ expr: `(sum by (route) (rate(gateway_requests_total{status_class="5xx",${R}}${RI})) or 0 * sum by (route) (rate(gateway_requests_total{${R}}${RI}))) / sum by (route) (rate(gateway_requests_total{${R}}${RI}))`, legend: '{{route}}' }], 12, 8, 0, { unit: 'percentunit', min: 0 });
panel('timeseries', 'Bandwidth by route', 'Bytes on the wire, headers included: received from clients (negative) and sent to them.', [{ expr: `-sum by (route) (rate(gateway_request_bytes_total{${R}}${RI}))`, legend: 'in {{route}}' }, { expr: `sum by (route) (rate(gateway_response_bytes_total{${R}}${RI}))`, legend: 'out {{route}}' }], 12, 8, 12, { unit: 'Bps' });
y += 8;
row('Latency');
panel('timeseries', 'Request latency by route (p50, p95, p99)', 'From arrival at the gateway to the end of the response.', [0.5, 0.95, 0.99].map((q) => ({ expr: `histogram_quantile(${q}, sum by (le, route) (rate(gateway_request_duration_seconds_bucket{${R}}${RI})))`, legend: `p${q * 100} {{route}}` })), 12, 9, 0, { unit: 's' });
panel('timeseries', 'Upstream latency by service (p50, p99)', 'The last upstream attempt, from sending the request to the upstream\'s response headers.', [0.5, 0.99].map((q) => ({ expr: `histogram_quantile(${q}, sum by (le, service) (rate(gateway_upstream_duration_seconds_bucket{${R}}${RI})))`, legend: `p${q * 100} {{service}}` })), 12, 9, 12, { unit: 's' });
y += 9;
row('Upstreams');
const stateOpts = { reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false }, colorMode: 'background', graphMode: 'none', textMode: 'value_and_name' };
panel('stat', 'Upstream target health', '1: in rotation; 0: taken out by health checks (lowest over instances).', [{ expr: 'min by (service, target) (gateway_upstream_target_healthy)', legend: '{{service}} {{target}}' }], 8, 8, 0, { mappings: [{ type: 'value', options: { 0: { text: 'down', color: 'red' }, 1: { text: 'up', color: 'green' } } }], thresholds: steps([null, 'red'], [1, 'green']), options: stateOpts });
panel('stat', 'Circuit states', '0 closed, 1 half-open, 2 open (worst over instances).', [{ expr: 'max by (service) (gateway_circuit_state)', legend: '{{service}}' }], 8, 8, 8, { mappings: [{ type: 'value', options: { 0: { text: 'closed', color: 'green' }, 1: { text: 'half-open', color: 'orange' }, 2: { text: 'open', color: 'red' } } }], thresholds: steps([null, 'green'], [1, 'orange'], [2, 'red']), options: stateOpts });
panel('timeseries', 'Upstream retries and circuit openings', 'Attempts beyond the first, and times a circuit opened.', [{ expr: `sum by (service) (rate(gateway_upstream_retries_total{${R}}${RI}))`, legend: 'retries {{service}}' }, { expr: `sum by (service) (increase(gateway_circuit_opened_total${RI}))`, legend: 'opened {{service}}' }], 8, 8, 16, { unit: 'short' });
y += 8;
row('Protection');
panel('timeseries', 'Rate-limit refusals by scope', 'Requests answered 429 RATE_LIMIT, by the scope that refused them.', [{ expr: `sum by (scope) (rate(gateway_rate_limited_requests_total{${R}}${RI}))`, legend: '{{scope}}' }], 10, 8, 0, { unit: 'reqps' });
panel('timeseries', 'Auth failures by reason', 'Requests refused by consumer authentication.', [{ expr: `sum by (reason) (rate(gateway_auth_failures_total{${R}}${RI}))`, legend: '{{reason}}' }], 10, 8, 10, { unit: 'reqps' });
panel('stat', 'Rate-limit store', '1: the shared counter store (Redis) is lost and limits are per instance.', [{ expr: 'max(gateway_rate_limit_store_degraded)' }], 4, 8, 20, { mappings: [{ type: 'value', options: { 0: { text: 'shared', color: 'green' }, 1: { text: 'degraded', color: 'red' } } }], thresholds: steps([null, 'green'], [1, 'red']), options: stateOpts });
y += 8;
row('Dependencies and process');
panel('stat', 'Dependencies', '1: answered its last check (lowest over instances).', [{ expr: 'min by (dependency) (gateway_dependency_up)', legend: '{{dependency}}' }], 6, 8, 0, { mappings: [{ type: 'value', options: { 0: { text: 'down', color: 'red' }, 1: { text: 'up', color: 'green' } } }], thresholds: steps([null, 'red'], [1, 'green']), options: stateOpts });
panel('timeseries', 'CPU', 'CPU seconds per second, per instance (1 = one core).', [{ expr: `rate(process_cpu_seconds_total{job="api-gateway"}${RI})`, legend: '{{instance}}' }], 6, 8, 6, { unit: 'short' });
panel('timeseries', 'Event-loop lag p99', 'Node.js event-loop delay, per instance.', [{ expr: 'nodejs_eventloop_lag_p99_seconds{job="api-gateway"}', legend: '{{instance}}' }], 6, 8, 12, { unit: 's' });
panel('timeseries', 'Resident memory', 'Per instance.', [{ expr: 'process_resident_memory_bytes{job="api-gateway"}', legend: '{{instance}}' }], 6, 8, 18, { unit: 'bytes' });

const dashboard = {
  uid: 'api-gateway',
  title: 'API Gateway',
  description: 'Traffic, errors, latency, upstream health, circuits, rate limiting and auth of the API gateway (metrics from GET /metrics).',
  tags: ['api-gateway'],
  timezone: 'browser',
  editable: true,
  graphTooltip: 1,
  refresh: '10s',
  schemaVersion: 39,
  version: 1,
  time: { from: 'now-1h', to: 'now' },
  timepicker: {},
  fiscalYearStartMonth: 0,
  liveNow: false,
  links: [],
  annotations: { list: [{ builtIn: 1, datasource: { type: 'grafana', uid: '-- Grafana --' }, enable: true, hide: true, iconColor: 'rgba(0, 211, 255, 1)', name: 'Annotations & Alerts', type: 'dashboard' }] },
  templating: {
    list: [
      { name: 'datasource', label: 'Data source', type: 'datasource', query: 'prometheus', current: { text: 'Prometheus', value: 'prometheus' }, hide: 0, refresh: 1, options: [] },
      { name: 'route', label: 'Route', type: 'query', datasource: ds, query: { query: 'label_values(gateway_requests_total, route)', refId: 'route' }, definition: 'label_values(gateway_requests_total, route)', includeAll: true, allValue: '.*', multi: true, current: { text: 'All', value: '$__all' }, refresh: 2, sort: 1, hide: 0, options: [] },
    ],
  },
  panels,
};
writeFileSync(process.argv[2] ?? new URL("./dashboards/gateway.json", import.meta.url), JSON.stringify(dashboard, null, 2) + '\n');
