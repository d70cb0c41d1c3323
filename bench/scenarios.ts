// The benchmark's scenarios. To add one (JWT route, rate-limited route, 10,000-route table,
// 1 MB bodies, ...), append a Scenario to SCENARIOS: its setup makes the admin calls it needs,
// `path` is what wrk loads, and `checks` (below) can compare it with the others.
import { createHmac, randomUUID } from 'node:crypto';
import type { AdminClient, Gateway, Upstream } from './gateway.js';
import type { WrkResult } from './wrk.js';

export interface BenchContext {
  upstream: Upstream;
  /** Set for scenarios with target 'gateway' (the gateway is started before their setup). */
  gateway?: Gateway;
  admin?: AdminClient;
  /** Memo for setup steps that several scenarios share (see ensureUpstreamService). */
  done: Set<string>;
  /** Credentials a scenario's setup made for its headers (a token, an API key). */
  credentials: Map<string, string>;
}

/** The gateway's JWT_SECRET in the benchmark, so that the bench can mint HS256 tokens itself. */
export const BENCH_JWT_SECRET = 'bench-jwt-secret-0123456789abcdefghijklmn';

/** An HS256 JWT made with node:crypto, as an identity provider sharing JWT_SECRET would make it. */
export function mintBenchToken(scope: string, ttlSeconds = 3600): string {
  const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const input = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ sub: 'bench-user', scope, iat: now, exp: now + ttlSeconds, jti: randomUUID() })}`;
  return `${input}.${createHmac('sha256', BENCH_JWT_SECRET).update(input).digest('base64url')}`;
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

/** A GET route onto the shared upstream service, under `prefix` (stripped), with the given auth policy. */
async function benchRoute(ctx: BenchContext, name: string, prefix: string, auth: Record<string, unknown>): Promise<void> {
  await ensureUpstreamService(ctx);
  await ctx.admin!.create('/admin/routes', { name, service: 'bench-upstream', paths: [`${prefix}/*`], methods: ['GET'], strip_prefix: true, auth });
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
    setup: (ctx) => benchRoute(ctx, 'bench-plain', '/api/v1/bench', { required: false }),
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
        auth: { required: false },
      });
    },
  },
  {
    name: 'gateway-jwt',
    description: 'wrk -> gateway -> upstream, route requiring a JWT (HS256) with a scope; one token, so verified once then cached',
    target: 'gateway',
    path: '/api/v1/bench-jwt/hello',
    setup: async (ctx) => {
      await benchRoute(ctx, 'bench-jwt', '/api/v1/bench-jwt', { methods: ['jwt'], scopes: ['bench:read'] });
      ctx.credentials.set('jwt', mintBenchToken('bench:read'));
    },
    headers: (ctx) => ({ authorization: `Bearer ${ctx.credentials.get('jwt')!}` }),
  },
  {
    name: 'gateway-apikey',
    description: 'wrk -> gateway -> upstream, route requiring an API key (one HMAC-SHA256 and a map lookup per request)',
    target: 'gateway',
    path: '/api/v1/bench-key/hello',
    setup: async (ctx) => {
      await benchRoute(ctx, 'bench-apikey', '/api/v1/bench-key', { methods: ['api_key'] });
      await ctx.admin!.create('/admin/consumers', { username: 'bench-consumer', scopes: ['bench:read'] });
      const created = await ctx.admin!.create('/admin/consumers/bench-consumer/keys', { name: 'bench' });
      ctx.credentials.set('api_key', (JSON.parse(created.body) as { key: string }).key);
    },
    headers: (ctx) => ({ 'x-api-key': ctx.credentials.get('api_key')! }),
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
