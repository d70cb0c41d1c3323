// The benchmark's scenarios. To add one (JWT route, rate-limited route, 10,000-route table,
// 1 MB bodies, ...), append a Scenario to SCENARIOS: its setup makes the admin calls it needs,
// `path` is what wrk loads, and `checks` (below) can compare it with the others.
import type { AdminClient, Gateway, OtlpSink, Upstream } from './gateway.js';
import type { WrkResult } from './wrk.js';

export interface BenchContext {
  upstream: Upstream;
  /** Set for scenarios with target 'gateway' (the gateway is started before their setup). */
  gateway?: Gateway;
  admin?: AdminClient;
  /** Memo for setup steps that several scenarios share (see ensureUpstreamService). */
  done: Set<string>;
  /** Started before the first scenario that exports spans. */
  otlpSink?: OtlpSink;
}

export interface Scenario {
  name: string;
  description: string;
  /** Which base URL `path` is relative to. */
  target: 'upstream' | 'gateway';
  /** URL path (and query) for wrk. */
  path: string;
  /** One-time preparation before warm-up: admin calls, tokens, ... */
  setup?: (ctx: BenchContext) => Promise<void>;
  /** Request headers for wrk and for the probe (e.g. Authorization). */
  headers?: (ctx: BenchContext) => Record<string, string>;
  /** wrk Lua script (absolute path), for methods/bodies wrk's CLI cannot express. */
  script?: string;
  /** Overrides of the run-wide defaults. */
  connections?: number;
  /** Status the probe must see before load starts (default 200); null = no probe. */
  probeStatus?: number | null;
  /**
   * Which gateway process serves it: scenarios with the same variant share one; a new variant
   * stops the previous gateway and starts one with `gatewayEnv` (same data directory).
   */
  gateway?: string;
  gatewayEnv?: (ctx: BenchContext) => Record<string, string>;
  /** Start the OTLP sink first (ctx.otlpSink). */
  needsOtlpSink?: boolean;
}

export interface ScenarioResult {
  name: string;
  description: string;
  target: 'upstream' | 'gateway';
  url: string;
  connections: number;
  durationS: number;
  requestsPerSec: number;
  latencyMs: WrkResult['latencyMs'];
  requests: number;
  errors: number;
  non2xx: number;
  socketErrors: WrkResult['socketErrors'];
  /** [start, end] of the measured load, µs on the monotonic clock (for the CPU profile). */
  windowUs: [number, number];
  /**
   * CPU time each process spent per request during the measured load, in µs. Unlike req/s it
   * hardly moves when other work shares the machine, so it is the figure to compare across runs.
   */
  cpuUsPerRequest: { gateway?: number; upstream?: number };
}

export interface Check {
  name: string;
  pass: boolean;
  detail: string;
}

/** Creates the shared upstream service once per run. */
export async function ensureUpstreamService(ctx: BenchContext): Promise<void> {
  if (ctx.done.has('service:bench-upstream')) return;
  await ctx.admin!.create('/admin/services', {
    name: 'bench-upstream',
    url: ctx.upstream.url,
  });
  ctx.done.add('service:bench-upstream');
}

async function plainRoute(ctx: BenchContext): Promise<void> {
  await ensureUpstreamService(ctx);
  await ctx.admin!.create('/admin/routes', {
    name: 'bench-plain',
    service: 'bench-upstream',
    paths: ['/api/v1/bench/*'],
    methods: ['GET'],
    strip_prefix: true,
  });
}

export const SCENARIOS: Scenario[] = [
  {
    name: 'direct',
    description: 'wrk -> upstream (no gateway): the baseline',
    target: 'upstream',
    path: '/hello',
  },
  {
    name: 'gateway',
    description: 'wrk -> gateway -> upstream, plain route (no auth, no rate limit; metrics on, tracing off)',
    target: 'gateway',
    path: '/api/v1/bench/hello',
    setup: plainRoute,
  },
  {
    name: 'three-targets-breaker',
    description: 'wrk -> gateway -> a service of 3 targets (weighted balancing), circuit breaker on',
    target: 'gateway',
    path: '/api/v1/trio/hello',
    setup: async (ctx) => {
      await ctx.admin!.create('/admin/services', {
        name: 'bench-trio',
        targets: [ctx.upstream.url, ...ctx.upstream.extraUrls].map((url) => ({ url })),
        circuit_breaker: { failure_threshold: 50, failure_window_s: 10, min_throughput: 100, recovery_timeout_s: 5, half_open_max_requests: 1 },
      });
      await ctx.admin!.create('/admin/routes', {
        name: 'bench-trio',
        service: 'bench-trio',
        paths: ['/api/v1/trio/*'],
        methods: ['GET'],
        strip_prefix: true,
      });
    },
  },
  {
    name: 'gateway-traced',
    description: 'the plain route with tracing on: every request sampled, spans sent as OTLP/HTTP to a local sink',
    target: 'gateway',
    path: '/api/v1/bench/hello',
    setup: plainRoute,
    gateway: 'traced',
    needsOtlpSink: true,
    gatewayEnv: (ctx) => ({ OTEL_EXPORTER_OTLP_ENDPOINT: ctx.otlpSink!.url, OTEL_TRACES_SAMPLER_ARG: '1' }),
  },
  {
    name: 'gateway-traced-10pct',
    description: 'the plain route with tracing on, 10% of new traces sampled (a usual production ratio)',
    target: 'gateway',
    path: '/api/v1/bench/hello',
    setup: plainRoute,
    gateway: 'traced-10pct',
    needsOtlpSink: true,
    gatewayEnv: (ctx) => ({ OTEL_EXPORTER_OTLP_ENDPOINT: ctx.otlpSink!.url, OTEL_TRACES_SAMPLER_ARG: '0.1' }),
  },
];

/** Targets from the project's goals: gateway/direct >= 0.15 and gateway p99 <= 10 ms at 64 conns. */
export const TARGETS = { minRatio: 0.15, maxGatewayP99Ms: 10, atConnections: 64 };

export function evaluate(results: Map<string, ScenarioResult>): { ratio?: number; checks: Check[] } {
  const checks: Check[] = [];
  const direct = results.get('direct');
  const gw = results.get('gateway');
  let ratio: number | undefined;
  if (direct !== undefined && gw !== undefined) {
    ratio = gw.requestsPerSec / direct.requestsPerSec;
    checks.push({
      name: 'throughput ratio gateway/direct',
      pass: ratio >= TARGETS.minRatio,
      detail: `${ratio.toFixed(3)} (target >= ${TARGETS.minRatio})`,
    });
  }
  if (gw !== undefined) {
    checks.push({
      name: `gateway p99 at ${gw.connections} connections`,
      pass: gw.latencyMs.p99 <= TARGETS.maxGatewayP99Ms,
      detail:
        `${gw.latencyMs.p99.toFixed(2)} ms (target <= ${TARGETS.maxGatewayP99Ms} ms` +
        (gw.connections !== TARGETS.atConnections
          ? `, defined at ${TARGETS.atConnections} connections)`
          : ')'),
    });
  }
  for (const traced of ['gateway-traced', 'gateway-traced-10pct']) {
    const r = results.get(traced);
    if (r !== undefined && gw !== undefined) {
      const cpu = (x: ScenarioResult) => x.cpuUsPerRequest.gateway?.toFixed(1) ?? '-';
      checks.push({
        name: `${traced} vs gateway (informational)`,
        pass: true,
        detail: `req/s ${(r.requestsPerSec / gw.requestsPerSec).toFixed(3)}x, gateway CPU ${cpu(r)} vs ${cpu(gw)} µs/request`,
      });
    }
  }
  return { ratio, checks };
}
