// The benchmark's scenarios. To add one (JWT route, rate-limited route, 10,000-route table,
// 1 MB bodies, ...), append a Scenario to SCENARIOS: its setup makes the admin calls it needs,
// `path` is what wrk loads, and `checks` (below) can compare it with the others.
import { createHmac, randomUUID } from 'node:crypto';
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

/** The plain route, for the untraced and traced scenarios alike (a second create answers 409). */
function plainRoute(ctx: BenchContext): Promise<void> {
  return benchRoute(ctx, 'bench-plain', '/api/v1/bench', { required: false });
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
        auth: { required: false },
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
    name: 'gateway-jwt-ratelimit',
    description:
      'the JWT route with rate limits on a gateway using Redis: a token bucket per consumer and a sliding window per IP, both checked in one Lua call per request (limits far above the load, so nothing is refused)',
    target: 'gateway',
    path: '/api/v1/bench-limited/hello',
    gateway: 'redis',
    gatewayEnv: () => ({ REDIS_URL: process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379', REDIS_KEY_PREFIX: `bench:${process.pid}:` }),
    setup: async (ctx) => {
      await ensureUpstreamService(ctx);
      await ctx.admin!.create('/admin/routes', {
        name: 'bench-limited',
        service: 'bench-upstream',
        paths: ['/api/v1/bench-limited/*'],
        methods: ['GET'],
        strip_prefix: true,
        auth: { methods: ['jwt'], scopes: ['bench:read'] },
        rate_limits: [
          { scope: 'consumer', limit: 1_000_000, window_s: 1, algorithm: 'token_bucket' },
          { scope: 'ip', limit: 100_000, window_s: 1, algorithm: 'sliding_window' },
        ],
      });
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
