// The benchmark's scenarios. To add one (JWT route, rate-limited route, 10,000-route table,
// 1 MB bodies, ...), append a Scenario to SCENARIOS: its setup makes the admin calls it needs,
// `path` is what wrk loads, and `checks` (below) can compare it with the others.
import type { AdminClient, Gateway, Upstream } from './gateway.js';
import type { WrkResult } from './wrk.js';

export interface BenchContext {
  upstream: Upstream;
  /** Set for scenarios with target 'gateway' (the gateway is started before their setup). */
  gateway?: Gateway;
  admin?: AdminClient;
  /** Memo for setup steps that several scenarios share (see ensureUpstreamService). */
  done: Set<string>;
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

export const SCENARIOS: Scenario[] = [
  {
    name: 'direct',
    description: 'wrk -> upstream (no gateway): the baseline',
    target: 'upstream',
    path: '/hello',
  },
  {
    name: 'gateway',
    description: 'wrk -> gateway -> upstream, plain route (no auth, no rate limit)',
    target: 'gateway',
    path: '/api/v1/bench/hello',
    setup: async (ctx) => {
      await ensureUpstreamService(ctx);
      await ctx.admin!.create('/admin/routes', {
        name: 'bench-plain',
        service: 'bench-upstream',
        paths: ['/api/v1/bench/*'],
        methods: ['GET'],
        strip_prefix: true,
      });
    },
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
  return { ratio, checks };
}
