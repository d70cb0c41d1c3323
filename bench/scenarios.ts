// The benchmark's scenarios. To add one, append a Scenario to SCENARIOS: its setup makes the
// admin calls it needs, `path` is what wrk loads, and evaluate() (below) can compare it with the
// others. Scenarios that share a gateway variant sit next to each other, so that one gateway
// process serves them in turn (its RSS across them is checked).
import { createHmac, randomUUID } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { AdminClient, Gateway, OtlpSink, Upstream } from './gateway.js';
import { declarativeYaml, generateRouteTable, rotationScript, type GeneratedTable } from './route-table.js';
import type { RssSummary } from './rss.js';
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
  /** A temporary directory for generated files (wrk scripts, declarative files). */
  workDir: string;
  /** Routes of the large table (BENCH_ROUTE_TABLE_SIZE). */
  routeTableSize: number;
  largeTable?: GeneratedTable;
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
  /** wrk Lua script (returns its absolute path), for methods, bodies or paths wrk's CLI cannot express. */
  script?: (ctx: BenchContext) => string;
  /** The direct scenario this one is compared with (default "direct"). */
  baseline?: string;
  /** Bytes of request or response body per request, for MB/s. */
  bodyBytes?: number;
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
  /** The variant gets a data directory (or PostgreSQL database) of its own: its configuration stays out of the others. */
  ownStore?: boolean;
  /** How long its gateway may take to start, when longer than BENCH_READY_TIMEOUT_S (a large GATEWAY_CONFIG). */
  readyTimeoutS?: number;
  /** Start the OTLP sink first (ctx.otlpSink). */
  needsOtlpSink?: boolean;
  /** Starts something alongside the measured load; the returned function stops it and says what it did. */
  duringLoad?: (ctx: BenchContext) => () => Promise<string>;
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
  baseline: string;
  /** MiB/s of body (req/s x bodyBytes), for the large-body scenarios. */
  mibPerSec?: number;
  /** Resident memory around the measured load (the gateway's pid tells its processes apart). */
  rss: { gateway?: RssSummary; upstream?: RssSummary };
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

/** Writes a generated file into the work directory once per run; returns its path. */
function generated(ctx: BenchContext, name: string, content: () => string): string {
  const file = path.join(ctx.workDir, name);
  if (!existsSync(file)) writeFileSync(file, content());
  return file;
}

function largeTable(ctx: BenchContext): GeneratedTable {
  return (ctx.largeTable ??= generateRouteTable(ctx.routeTableSize, ctx.upstream.url));
}

const MIB = 1024 * 1024;
/** Fewer connections than the small-body scenarios: 16 MiB in flight is plenty to fill the pipe. */
const BODY_CONNECTIONS = 16;

function uploadScript(ctx: BenchContext): string {
  return generated(ctx, 'upload-1mb.lua', () =>
    ['wrk.method = "POST"', `wrk.body = string.rep("x", ${MIB})`, 'wrk.headers["Content-Type"] = "application/octet-stream"', ''].join('\n'),
  );
}

/** A route for the body scenarios: GET and POST, prefix stripped. */
async function bodiesRoute(ctx: BenchContext): Promise<void> {
  await ensureUpstreamService(ctx);
  await ctx.admin!.create('/admin/routes', { name: 'bench-bodies', service: 'bench-upstream', paths: ['/api/v1/bodies/*'], methods: ['GET', 'POST'], strip_prefix: true, auth: { required: false } });
}

/** The gateway of the large table, its load rotating over the table's GET routes (both 10,000-route scenarios). */
const LARGE_TABLE_GATEWAY: Pick<Scenario, 'target' | 'path' | 'gateway' | 'ownStore' | 'readyTimeoutS' | 'gatewayEnv' | 'script'> = {
  target: 'gateway',
  path: '/api/v1/svc0/items/1000',
  gateway: 'routes-10k',
  ownStore: true,
  // The first start writes the whole file (about 80 s for 10,000 routes on the embedded database).
  readyTimeoutS: 900,
  gatewayEnv: (ctx) => ({ GATEWAY_CONFIG: generated(ctx, 'routes-10k.yaml', () => declarativeYaml(largeTable(ctx))) }),
  script: (ctx) => generated(ctx, 'rotate-10k.lua', () => rotationScript(largeTable(ctx).probes)),
};

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
  {
    name: 'direct-upload-1mb',
    description: 'wrk POSTs 1 MiB bodies to the upstream, which reads and discards them and answers ~30 bytes',
    target: 'upstream',
    path: '/upload',
    script: uploadScript,
    connections: BODY_CONNECTIONS,
    bodyBytes: MIB,
  },
  {
    name: 'gateway-upload-1mb',
    description: 'the same 1 MiB uploads through the gateway (streamed to the upstream)',
    target: 'gateway',
    path: '/api/v1/bodies/upload',
    setup: bodiesRoute,
    script: uploadScript,
    connections: BODY_CONNECTIONS,
    bodyBytes: MIB,
    baseline: 'direct-upload-1mb',
  },
  {
    name: 'direct-download-1mb',
    description: 'wrk GETs 1 MiB responses from the upstream',
    target: 'upstream',
    path: '/bytes/1048576',
    connections: BODY_CONNECTIONS,
    bodyBytes: MIB,
  },
  {
    name: 'gateway-download-1mb',
    description: 'the same 1 MiB downloads through the gateway (streamed from the upstream)',
    target: 'gateway',
    path: '/api/v1/bodies/bytes/1048576',
    setup: bodiesRoute,
    connections: BODY_CONNECTIONS,
    bodyBytes: MIB,
    baseline: 'direct-download-1mb',
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
    name: 'gateway-10k-routes',
    description:
      'a gateway whose table holds BENCH_ROUTE_TABLE_SIZE (10,000) routes: param, static and prefix paths, several methods, tenant and wildcard hosts, loaded from a GATEWAY_CONFIG file; wrk rotates over all its GET routes (9 in 10)',
    ...LARGE_TABLE_GATEWAY,
  },
  {
    name: 'gateway-10k-routes-writes',
    description:
      'gateway-10k-routes while an admin write changes one of its routes every 2 s: each write rebuilds the whole table, in slices between which the requests in flight are served',
    ...LARGE_TABLE_GATEWAY,
    duringLoad: (ctx) => routeWritesEvery(ctx, 2_000),
  },
];

/** PATCHes a route of the large table every `intervalMs` (its priority, back and forth) until stopped. */
function routeWritesEvery(ctx: BenchContext, intervalMs: number): () => Promise<string> {
  const name = largeTable(ctx).routes[0]!.name;
  const took: number[] = [];
  let failure: Error | undefined;
  let writing: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    writing = writing.then(async () => {
      if (failure !== undefined) return;
      const started = performance.now();
      try {
        const reply = await ctx.admin!.request('PATCH', `/admin/routes/${name}`, { priority: took.length % 2 });
        if (reply.status === 200) took.push(performance.now() - started);
        else failure = new Error(`PATCH /admin/routes/${name} answered ${reply.status}: ${reply.body.slice(0, 300)}`);
      } catch (error) {
        failure = error as Error;
      }
    });
  }, intervalMs);
  return async () => {
    clearInterval(timer);
    await writing;
    if (failure !== undefined) throw failure;
    return `${took.length} route writes, each answered after ${took.map((ms) => ms.toFixed(0)).join(' / ')} ms`;
  };
}

/** Targets from the project's goals: gateway/direct >= 0.15 and gateway p99 <= 10 ms at 64 conns. */
export const TARGETS = { minRatio: 0.15, maxGatewayP99Ms: 10, atConnections: 64 };

/** `results`: each scenario's median round; `everyRound`: every measured load (for the RSS checks). */
export function evaluate(results: Map<string, ScenarioResult>, everyRound: ScenarioResult[] = [...results.values()]): { ratio?: number; checks: Check[] } {
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
  const large = results.get('gateway-10k-routes');
  if (large !== undefined && gw !== undefined) checks.push(routeTableCheck(large, gw));
  const writes = results.get('gateway-10k-routes-writes');
  if (writes !== undefined && large !== undefined) {
    const latency = (r: ScenarioResult) => `p99 ${r.latencyMs.p99.toFixed(2)} ms, max ${r.latencyMs.max.toFixed(0)} ms`;
    checks.push({
      name: 'gateway-10k-routes-writes vs gateway-10k-routes (informational)',
      pass: true,
      detail: `with a route write every 2 s: ${latency(writes)}; without: ${latency(large)}; req/s ${(writes.requestsPerSec / large.requestsPerSec).toFixed(3)}x`,
    });
  }
  for (const r of results.values()) {
    const direct = results.get(r.baseline);
    if (r.target === 'gateway' && r.mibPerSec !== undefined && direct?.mibPerSec !== undefined) {
      checks.push({
        name: `${r.name} vs ${direct.name} (informational)`,
        pass: true,
        detail: `${r.mibPerSec.toFixed(0)} vs ${direct.mibPerSec.toFixed(0)} MiB/s (${(r.mibPerSec / direct.mibPerSec).toFixed(3)}x), gateway CPU ${r.cpuUsPerRequest.gateway?.toFixed(0) ?? '-'} µs/request`,
      });
    }
  }
  checks.push(...rssGrowthChecks(everyRound));
  return { ratio, checks };
}

/**
 * The match cost must not grow with the table. Tolerance 25% on gateway CPU per request: two
 * interleaved scenarios of the same build differ by about 10% on this shared machine, while a
 * table scanned route by route would add hundreds of µs per request at 10,000 routes (several
 * times the whole request), so 25% separates the two without flagging noise.
 */
export const ROUTE_TABLE_TOLERANCE = 1.25;

function routeTableCheck(large: ScenarioResult, small: ScenarioResult): Check {
  const cpuLarge = large.cpuUsPerRequest.gateway;
  const cpuSmall = small.cpuUsPerRequest.gateway;
  const rps = large.requestsPerSec / small.requestsPerSec;
  if (cpuLarge === undefined || cpuSmall === undefined) {
    return { name: 'gateway-10k-routes vs gateway', pass: false, detail: 'no CPU figure (no /proc?)' };
  }
  const cpu = cpuLarge / cpuSmall;
  return {
    name: `gateway-10k-routes vs gateway: CPU per request within ${ROUTE_TABLE_TOLERANCE}x`,
    pass: cpu <= ROUTE_TABLE_TOLERANCE,
    detail: `${cpuLarge.toFixed(1)} vs ${cpuSmall.toFixed(1)} µs/request (${cpu.toFixed(3)}x); req/s ${rps.toFixed(3)}x`,
  };
}

/**
 * A gateway process that serves several loads in turn must not keep growing: after its first load
 * has sized the heap, its RSS after the last load may exceed that after the second by at most
 * 25% + 16 MiB (V8 grows its heap in steps and gives memory back lazily; a leak of a few hundred
 * bytes per request over these loads' hundreds of thousands of requests exceeds it).
 */
function rssGrowthChecks(results: ScenarioResult[]): Check[] {
  const byPid = new Map<number, ScenarioResult[]>();
  for (const r of [...results].sort((a, b) => a.windowUs[0] - b.windowUs[0])) {
    const pid = r.rss.gateway?.pid;
    if (pid !== undefined) byPid.set(pid, [...(byPid.get(pid) ?? []), r]);
  }
  const checks: Check[] = [];
  for (const loads of byPid.values()) {
    if (loads.length < 3) continue;
    const second = loads[1]!.rss.gateway!.after;
    const last = loads[loads.length - 1]!.rss.gateway!.after;
    const limit = second * 1.25 + 16 * MIB;
    checks.push({
      name: `gateway RSS across ${loads.length} loads of one process (${loads[0]!.name} … ${loads[loads.length - 1]!.name})`,
      pass: last <= limit,
      detail: `${(second / MIB).toFixed(0)} MiB after the 2nd load, ${(last / MIB).toFixed(0)} MiB after the last (limit ${(limit / MIB).toFixed(0)} MiB)`,
    });
  }
  return checks;
}
