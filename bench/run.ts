// The gateway's benchmark:  npm run bench   (= npm run build && node dist/bench/run.js)
//
// Starts a small upstream and the production build of the gateway as child processes, configures
// routes through the admin API, loads the upstream directly and then through the gateway with
// wrk in the same run, prints req/s, p50 and p99, CPU per request and resident memory, and checks
// them against the targets. Then two phases without load: the route matcher alone on a small and a
// large table (bench/matcher.ts), and cold-start times (bench/cold-start.ts). Results go to
// bench/out/latest.json. A full run with the defaults takes about 7 minutes.
//
// CPU placement on a 2-core machine:
//   core 0: the gateway (taskset -c 0), alone;
//   core 1: wrk and the upstream. The upstream shares core 1 with wrk in BOTH measurements, so
//           the direct baseline and the gateway run pay the same tax on the load-generator side
//           and the ratio gateway/direct reflects the gateway's cost. (The absolute direct figure
//           is therefore lower than an unpinned upstream would reach.)
//
// Environment:
//   BENCH_DURATION_S=10      measured seconds per scenario     BENCH_WARMUP_S=3  warm-up seconds
//   BENCH_CONNECTIONS=64     wrk connections                   BENCH_THREADS=1   wrk threads
//   BENCH_SCENARIOS=a,b      run only these scenarios (default: all; see bench/scenarios.ts:
//                            direct, gateway, three-targets-breaker, gateway-jwt, gateway-apikey,
//                            direct-upload-1mb, gateway-upload-1mb, direct-download-1mb,
//                            gateway-download-1mb, gateway-jwt-ratelimit, gateway-traced,
//                            gateway-traced-10pct, gateway-10k-routes, gateway-10k-routes-writes) and phases
//                            (matcher, cold-start)
//   BENCH_ROUTE_TABLE_SIZE=10000  routes of gateway-10k-routes and of the matcher's large table
//   BENCH_MATCHER_RUNS=7     timed runs of the matcher micro-benchmark per table (median reported)
//   BENCH_MATCHER_LOOKUPS=500000  lookups per run
//   BENCH_COLD_STARTS=5      starts per cold-start case (3 at most with the large table)
//   BENCH_REDIS_URL=...      the Redis of gateway-jwt-ratelimit (default redis://127.0.0.1:6379)
//   BENCH_ROUNDS=1           run the scenarios this many times, interleaved, and report each one's
//                            median round (CPU per request: the median over the rounds): on a shared machine the load drifts during a run, and
//                            interleaving exposes every scenario to it alike (a scenario that needs
//                            another gateway variant, e.g. tracing on, restarts the gateway each round)
//   BENCH_GATEWAY_NODE_FLAGS="--max-semi-space-size=32"   node flags for the gateway processes instead of those of
//                            `npm run start:prod` (the default; "" = none). NODE_OPTIONS is not passed on
//   BENCH_PROFILE=1          run the gateway with --cpu-prof, print the top functions by self time
//   BENCH_PROFILE_TOP=15     how many functions to print
//   BENCH_DATABASE_URL=...   use this PostgreSQL instead of the embedded database in a temp dir
//   BENCH_GATEWAY_PORT=N     fixed gateway port instead of PORT=0 + parsing the log line
//   BENCH_GATEWAY_CPU=0  BENCH_LOAD_CPU=1   taskset CPU lists ("" = do not pin)
//   BENCH_READY_TIMEOUT_S=30 how long the gateway may take to answer GET /ready with 200
//   BENCH_MAX_ERROR_RATE=0.01  abort when more than this share of requests fail
//   BENCH_ADMIN_KEY=...      ADMIN_API_KEY for the gateway (>= 16 chars; default bench-admin-key-00000000)
//   BENCH_ROOT=.             project root (default: the working directory if it has package.json)
//
// Exit code: 0 all checks pass, 1 a check fails, 2 the benchmark could not run.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  AdminClient,
  productionNodeFlags,
  startGateway,
  startOtlpSink,
  startUpstream,
  waitForStatus,
  type Gateway,
  type Upstream,
} from './gateway.js';
import { coldStartCases, measureColdStarts, type ColdStartResult } from './cold-start.js';
import { matcherChecks, runMatcherBench, type MatcherFigures } from './matcher.js';
import { formatProfile, summarizeProfile, type ProfileSummary } from './profile.js';
import { coldStartTable, matcherTable, rssTable, scenarioTable } from './report.js';
import { RssSampler, rssBytes } from './rss.js';
import { median, mib } from './stats.js';
import { StoreSet } from './stores.js';
import { cpuSeconds, hasTaskset, installCleanupHandlers, sleep, stopAll } from './proc.js';
import {
  evaluate,
  BENCH_JWT_SECRET,
  SCENARIOS,
  TARGETS,
  type BenchContext,
  type Check,
  type Scenario,
  type ScenarioResult,
} from './scenarios.js';
import { checkWrk, runWrk, WrkMissingError } from './wrk.js';

// The gateway rejects ADMIN_API_KEY values shorter than 16 characters (src/config/environment.ts).
const ADMIN_KEY = process.env.BENCH_ADMIN_KEY || 'bench-admin-key-00000000';

function envNum(name: string, def: number, min: number, max: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return def;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min || n > max) {
    throw new Error(`${name}=${raw}: expected a number between ${min} and ${max}`);
  }
  return n;
}

function envCpu(name: string, def: string): string | undefined {
  const v = process.env[name] ?? def;
  return v === '' ? undefined : v;
}

function projectRoot(): string {
  if (process.env.BENCH_ROOT) return path.resolve(process.env.BENCH_ROOT);
  if (existsSync(path.join(process.cwd(), 'package.json'))) return process.cwd();
  // dist/bench/run.js -> project root
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
}

const monoUs = (): number => Number(process.hrtime.bigint() / 1000n);

interface Config {
  root: string;
  outDir: string;
  durationS: number;
  warmupS: number;
  connections: number;
  threads: number;
  profile: boolean;
  profileTop: number;
  databaseUrl?: string;
  gatewayPort?: number;
  gatewayCpu?: string;
  loadCpu?: string;
  readyTimeoutMs: number;
  maxErrorRate: number;
  rounds: number;
  gatewayNodeFlags: string[];
  scenarios: Scenario[];
  routeTableSize: number;
  /** Phases without load, chosen like scenarios. */
  matcher: { runs: number; lookups: number } | undefined;
  coldStarts: number | undefined;
}

const PHASES = ['matcher', 'cold-start'];

function readConfig(): Config {
  const root = projectRoot();
  const only = (process.env.BENCH_SCENARIOS ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  for (const name of only) {
    if (!SCENARIOS.some((s) => s.name === name) && !PHASES.includes(name)) {
      throw new Error(
        `BENCH_SCENARIOS: unknown scenario "${name}" (known: ${[...SCENARIOS.map((s) => s.name), ...PHASES].join(', ')})`,
      );
    }
  }
  const phase = (name: string) => only.length === 0 || only.includes(name);
  const port = process.env.BENCH_GATEWAY_PORT;
  return {
    root,
    outDir: path.join(root, 'bench', 'out'),
    durationS: envNum('BENCH_DURATION_S', 10, 1, 600),
    warmupS: envNum('BENCH_WARMUP_S', 3, 0, 120),
    connections: envNum('BENCH_CONNECTIONS', 64, 1, 10_000),
    threads: envNum('BENCH_THREADS', 1, 1, 64),
    profile: process.env.BENCH_PROFILE === '1' || process.env.BENCH_PROFILE === 'true',
    profileTop: envNum('BENCH_PROFILE_TOP', 15, 1, 200),
    databaseUrl: process.env.BENCH_DATABASE_URL || undefined,
    gatewayPort: port ? envNum('BENCH_GATEWAY_PORT', 0, 1, 65_535) : undefined,
    gatewayCpu: envCpu('BENCH_GATEWAY_CPU', '0'),
    loadCpu: envCpu('BENCH_LOAD_CPU', '1'),
    readyTimeoutMs: envNum('BENCH_READY_TIMEOUT_S', 30, 1, 600) * 1000,
    maxErrorRate: envNum('BENCH_MAX_ERROR_RATE', 0.01, 0, 1),
    rounds: envNum('BENCH_ROUNDS', 1, 1, 20),
    gatewayNodeFlags:
      process.env.BENCH_GATEWAY_NODE_FLAGS === undefined
        ? productionNodeFlags(root)
        : process.env.BENCH_GATEWAY_NODE_FLAGS.split(' ').filter((flag) => flag !== ''),
    scenarios: only.length > 0 ? SCENARIOS.filter((s) => only.includes(s.name)) : SCENARIOS,
    routeTableSize: envNum('BENCH_ROUTE_TABLE_SIZE', 10_000, 10, 100_000),
    matcher: phase('matcher') ? { runs: envNum('BENCH_MATCHER_RUNS', 7, 1, 100), lookups: envNum('BENCH_MATCHER_LOOKUPS', 500_000, 1_000, 100_000_000) } : undefined,
    coldStarts: phase('cold-start') ? envNum('BENCH_COLD_STARTS', 5, 1, 50) : undefined,
  };
}

const log = (msg: string): void => {
  process.stdout.write(`${msg}\n`);
};

async function main(): Promise<number> {
  const cfg = readConfig();
  let dataDir: string | undefined;
  const workDir = mkdtempSync(path.join(os.tmpdir(), 'gateway-bench-files-'));
  const stores = new StoreSet(cfg.databaseUrl);
  // on SIGINT/error exits too: children are killed, the temp data directories are removed
  installCleanupHandlers(() => {
    if (dataDir !== undefined) rmSync(dataDir, { recursive: true, force: true });
    rmSync(workDir, { recursive: true, force: true });
    stores.removeDirsSync();
  });
  let wrkVersion: string;
  try {
    wrkVersion = checkWrk();
  } catch (e) {
    if (e instanceof WrkMissingError) {
      process.stderr.write(`bench: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
  if (!hasTaskset()) log('bench: warning: taskset not found, processes are not pinned to cores');
  if (os.availableParallelism() < 2) {
    log('bench: warning: fewer than 2 CPUs, gateway and load generator share a core');
  }
  mkdirSync(cfg.outDir, { recursive: true });

  const started = new Date();
  log(
    `bench: ${wrkVersion.split(' [')[0]}, node ${process.version}, ${os.availableParallelism()} CPUs ` +
      `(${os.cpus()[0]?.model.trim() ?? '?'})`,
  );
  log(
    `bench: ${cfg.connections} connections, ${cfg.threads} wrk thread(s), ${cfg.warmupS}s warm-up + ` +
      `${cfg.durationS}s per scenario; gateway on CPU ${cfg.gatewayCpu ?? 'any'}, ` +
      `wrk + upstream on CPU ${cfg.loadCpu ?? 'any'}`,
  );

  let gateway: Gateway | undefined;
  let upstream: Upstream | undefined;
  const results = new Map<string, ScenarioResult>();
  const rounds = new Map<string, ScenarioResult[]>();
  let profileSummaries: Array<{ scenario: string; summary: ProfileSummary }> = [];
  let profileFile: string | undefined;
  let failure: Error | undefined;
  const gatewayStarts: Array<{ variant: string; readyMs: number }> = [];
  let matcher: MatcherFigures[] | undefined;
  let coldStart: ColdStartResult[] | undefined;
  const profileName = `gateway-${started.toISOString().replace(/[:.]/g, '-')}.cpuprofile`;

  try {
    upstream = await startUpstream(cfg.loadCpu);
    log(`bench: upstream listening on ${upstream.url}`);
    const ctx: BenchContext = { upstream, done: new Set(), credentials: new Map(), workDir, routeTableSize: cfg.routeTableSize };

    let gatewayVariant: string | undefined;
    for (let round = 1; round <= cfg.rounds; round++) for (const sc of cfg.scenarios) {
      if (cfg.rounds > 1 && sc === cfg.scenarios[0]) log(`\nbench: round ${round} of ${cfg.rounds}`);
      const variant = sc.gateway ?? 'plain';
      if (sc.target === 'gateway' && gateway !== undefined && variant !== gatewayVariant) {
        if (cfg.profile) {
          if (round === 1) log(`bench: skipping scenario "${sc.name}": BENCH_PROFILE profiles one gateway process only`);
          continue;
        }
        await gateway.stop('SIGTERM', 15_000);
        gateway = undefined;
      }
      if (sc.needsOtlpSink && ctx.otlpSink === undefined) {
        ctx.otlpSink = await startOtlpSink(cfg.loadCpu);
        log(`bench: OTLP sink listening on ${ctx.otlpSink.url}`);
      }
      if (sc.target === 'gateway' && gateway === undefined) {
        gatewayVariant = variant;
        // One data directory for every gateway variant: the configuration made by earlier setups stays.
        if (cfg.databaseUrl === undefined && dataDir === undefined) {
          dataDir = mkdtempSync(path.join(os.tmpdir(), 'gateway-bench-'));
        }
        const store = sc.ownStore ? await stores.own(variant) : { dataDir: dataDir ?? os.tmpdir(), databaseUrl: cfg.databaseUrl };
        const nodeFlags = cfg.profile
          ? [
              '--import',
              new URL('./profile-preload.js', import.meta.url).href,
              '--cpu-prof',
              `--cpu-prof-dir=${cfg.outDir}`,
              `--cpu-prof-name=${profileName}`,
              '--cpu-prof-interval=1000',
            ]
          : [];
        nodeFlags.push(...cfg.gatewayNodeFlags);
        gateway = await startGateway({
          root: cfg.root,
          cpu: cfg.gatewayCpu,
          dataDir: store.dataDir,
          databaseUrl: store.databaseUrl,
          adminKey: ADMIN_KEY,
          port: cfg.gatewayPort,
          readyTimeoutMs: Math.max(cfg.readyTimeoutMs, (sc.readyTimeoutS ?? 0) * 1000),
          nodeFlags,
          extraEnv: { JWT_SECRET: BENCH_JWT_SECRET, ...sc.gatewayEnv?.(ctx) },
        });
        log(
          `bench: gateway (${variant}) ready on ${gateway.url} after ${(gateway.readyMs / 1000).toFixed(1)}s ` +
            `(${store.databaseUrl ? store.databaseUrl.replace(/\/\/[^@/]*@/, '//') : `embedded DB in ${store.dataDir}`})` +
            `, node ${cfg.gatewayNodeFlags.join(' ') || '(no options)'}` +
            (cfg.profile ? ', CPU profiling on' : ''),
        );
        gatewayStarts.push({ variant, readyMs: gateway.readyMs });
        ctx.gateway = gateway;
        ctx.admin = new AdminClient(gateway.url, ADMIN_KEY);
      }
      const result = await runScenario(sc, ctx, cfg, round === 1);
      const seen = rounds.get(sc.name) ?? [];
      seen.push(result);
      rounds.set(sc.name, seen);
      results.set(sc.name, medianRound(seen));
    }
    if (cfg.matcher !== undefined || cfg.coldStarts !== undefined) {
      // Both phases want the machine's gateway core to themselves.
      await gateway?.stop('SIGTERM', 15_000);
      gateway = undefined;
    }
    if (cfg.matcher !== undefined) {
      log(`\nbench: route matcher alone, 10 vs ${cfg.routeTableSize} routes, ${cfg.matcher.runs} runs of ${cfg.matcher.lookups} lookups`);
      matcher = runMatcherBench([10, cfg.routeTableSize], { cpu: cfg.gatewayCpu, ...cfg.matcher });
    }
    if (cfg.coldStarts !== undefined) {
      log(`\nbench: cold starts (${cfg.coldStarts} of each, interleaved)`);
      const cases = await coldStartCases({ root: cfg.root, adminKey: ADMIN_KEY, nodeFlags: cfg.gatewayNodeFlags, upstreamUrl: upstream.url, workDir, stores, routeTableSize: cfg.routeTableSize });
      coldStart = await measureColdStarts(cases, { starts: cfg.coldStarts, cpu: cfg.gatewayCpu, timeoutMs: cfg.readyTimeoutMs * 4, log });
    }
  } catch (e) {
    failure = e as Error;
  }

  // Stop the gateway first (SIGTERM) so that --cpu-prof writes its profile.
  if (gateway !== undefined) {
    const code = await gateway.stop('SIGTERM', 15_000);
    if (cfg.profile) {
      const file = path.join(cfg.outDir, profileName);
      if (existsSync(file)) {
        profileFile = file;
      } else {
        const any = readdirSync(cfg.outDir).filter((f) => f.endsWith('.cpuprofile'));
        log(
          `bench: no CPU profile written (gateway exit: ${code}; ${any.length} older profile(s) in ` +
            `${cfg.outDir}). The process must exit normally on SIGTERM for --cpu-prof to write.`,
        );
      }
    }
  }
  await stopAll();
  if (dataDir !== undefined) rmSync(dataDir, { recursive: true, force: true });
  rmSync(workDir, { recursive: true, force: true });
  await stores.removeAll();

  if (profileFile !== undefined) {
    const gwScenarios = [...results.values()].filter((r) => r.target === 'gateway');
    profileSummaries = gwScenarios.map((r) => ({
      scenario: r.name,
      summary: summarizeProfile(profileFile!, {
        top: cfg.profileTop,
        window: r.windowUs,
        root: cfg.root,
        intervalUs: 1000,
      }),
    }));
  }

  // Report
  const { ratio, checks } = evaluate(results, [...rounds.values()].flat());
  if (results.size > 0) {
    log('');
    log(scenarioTable(results, rounds, cfg.rounds));
    log(`\n  resident memory, MiB (gateway: before the warm-up, median and peak during the load, 0.5 s after; upstream during):`);
    log(rssTable(results));
    if (ratio !== undefined) log(`\n  ratio gateway/direct req/s: ${ratio.toFixed(3)}`);
    const plain = results.get('gateway');
    for (const r of results.values()) {
      if (plain === undefined || r === plain || r.target !== 'gateway' || r.baseline !== 'direct') continue;
      log(`  ratio ${r.name}/gateway req/s: ${(r.requestsPerSec / plain.requestsPerSec).toFixed(3)}`);
    }
  }
  if (gatewayStarts.length > 0) {
    log(`\n  gateway starts (spawn to /ready 200): ${gatewayStarts.map((g) => `${g.variant} ${(g.readyMs / 1000).toFixed(1)}s`).join(', ')}`);
  }
  if (matcher !== undefined) {
    log(`\n  route matcher alone (RouteTable.match), median of ${cfg.matcher!.runs} runs:`);
    log(matcherTable(matcher));
    checks.push(...matcherChecks(matcher));
  }
  if (coldStart !== undefined) {
    log(`\n  cold start, spawn to the first 200 (medians; the first start on an empty store apart):`);
    log(coldStartTable(coldStart));
  }
  if (failure !== undefined) {
    checks.push({ name: 'benchmark ran', pass: false, detail: failure.message.split('\n')[0]! });
  }
  log('');
  for (const c of checks) log(`  ${c.pass ? 'PASS' : 'FAIL'}  ${c.name}: ${c.detail}`);
  const pass = checks.every((c) => c.pass);
  if (checks.length === 0) {
    log('  no checks apply (the targets need both the "direct" and the "gateway" scenario)');
  } else {
    log(`\n  ${pass ? 'PASS' : 'FAIL'}`);
  }
  for (const p of profileSummaries) {
    log(`\n[${p.scenario}] ${formatProfile(p.summary)}`);
  }

  const json = {
    started: started.toISOString(),
    node: process.version,
    wrk: wrkVersion,
    cpus: os.availableParallelism(),
    cpuModel: os.cpus()[0]?.model.trim(),
    settings: {
      durationS: cfg.durationS,
      warmupS: cfg.warmupS,
      connections: cfg.connections,
      threads: cfg.threads,
      gatewayNodeFlags: cfg.gatewayNodeFlags,
      gatewayCpu: cfg.gatewayCpu ?? null,
      loadCpu: cfg.loadCpu ?? null,
      database: cfg.databaseUrl !== undefined ? 'BENCH_DATABASE_URL' : 'embedded',
      profile: cfg.profile,
      routeTableSize: cfg.routeTableSize,
      matcher: cfg.matcher ?? null,
      coldStarts: cfg.coldStarts ?? null,
    },
    targets: TARGETS,
    scenarios: [...results.values()],
    gatewayStarts,
    matcher: matcher ?? null,
    coldStart: coldStart ?? null,
    rounds: cfg.rounds,
    requestsPerSecByRound: Object.fromEntries([...rounds].map(([name, list]) => [name, list.map((r) => r.requestsPerSec)])),
    ratio: ratio ?? null,
    checks: checks satisfies Check[],
    pass,
    error: failure?.message ?? null,
    profile:
      profileFile !== undefined
        ? { file: path.relative(cfg.root, profileFile), byScenario: profileSummaries }
        : null,
  };
  const outFile = path.join(cfg.outDir, 'latest.json');
  writeFileSync(outFile, JSON.stringify(json, null, 2) + '\n');
  log(`\n  results written to ${path.relative(process.cwd(), outFile).startsWith('..') ? outFile : path.relative(process.cwd(), outFile)}`);

  if (failure !== undefined) {
    process.stderr.write(`\nbench: error: ${failure.message}\n`);
    return 2;
  }
  return pass ? 0 : 1;
}

/**
 * The round with the median req/s (the lower middle one for an even count), carrying each
 * process's CPU per request as the median over all rounds: the figure the checks compare, and
 * the one a busy moment in a single round moves least.
 */
function medianRound(results: ScenarioResult[]): ScenarioResult {
  const sorted = [...results].sort((a, b) => a.requestsPerSec - b.requestsPerSec);
  const round = sorted[Math.floor((sorted.length - 1) / 2)]!;
  const cpu = (of: 'gateway' | 'upstream') => {
    const values = results.flatMap((r) => (r.cpuUsPerRequest[of] === undefined ? [] : [r.cpuUsPerRequest[of]!]));
    return values.length ? median(values) : undefined;
  };
  return { ...round, cpuUsPerRequest: { gateway: cpu('gateway'), upstream: cpu('upstream') } };
}

async function runScenario(sc: Scenario, ctx: BenchContext, cfg: Config, first: boolean): Promise<ScenarioResult> {
  const base = sc.target === 'gateway' ? ctx.gateway!.url : ctx.upstream.url;
  const url = `${base}${sc.path}`;
  log(`\nbench: scenario "${sc.name}": ${sc.description}`);
  if (first && sc.setup !== undefined) await sc.setup(ctx);
  const headers = sc.headers?.(ctx) ?? {};

  // The configuration reaches the data plane asynchronously: wait (bounded) until it answers.
  if (sc.probeStatus !== null) {
    const want = sc.probeStatus ?? 200;
    const probe = await waitForStatus(url, 10_000, { status: want, headers });
    if (!probe.ok) {
      throw new Error(`scenario ${sc.name}: GET ${url} did not answer ${want} within 10s: ${probe.last}`);
    }
  }
  const connections = sc.connections ?? cfg.connections;
  const common = {
    url,
    connections,
    threads: Math.min(cfg.threads, connections),
    cpu: cfg.loadCpu,
    headers,
    script: sc.script?.(ctx),
  };
  const pids = { gateway: sc.target === 'gateway' ? ctx.gateway?.proc.child.pid : undefined, upstream: ctx.upstream.proc.child.pid };
  const rss = { gateway: new RssSampler(pids.gateway), upstream: new RssSampler(pids.upstream) };
  rss.gateway.markIdle();
  rss.upstream.markIdle();
  if (cfg.warmupS > 0) {
    const w = await runWrk({ ...common, durationS: cfg.warmupS });
    log(`bench:   warm-up ${cfg.warmupS}s: ${w.requestsPerSec.toFixed(0)} req/s, ${w.errors} errors`);
  }
  const cpuBefore = { gateway: cpuSeconds(pids.gateway), upstream: cpuSeconds(pids.upstream) };
  const t0 = monoUs();
  rss.gateway.start();
  rss.upstream.start();
  const stopAlongside = sc.duringLoad?.(ctx);
  const r = await runWrk({ ...common, durationS: cfg.durationS }).finally(() => {
    rss.gateway.stop();
    rss.upstream.stop();
  });
  const t1 = monoUs();
  if (stopAlongside !== undefined) log(`bench:   alongside the load: ${await stopAlongside()}`);
  const perRequest = (before: number | undefined, after: number | undefined) =>
    before === undefined || after === undefined || r.requests === 0 ? undefined : ((after - before) * 1e6) / r.requests;
  const cpuUsPerRequest = {
    gateway: perRequest(cpuBefore.gateway, cpuSeconds(pids.gateway)),
    upstream: perRequest(cpuBefore.upstream, cpuSeconds(pids.upstream)),
  };
  await sleep(500);
  const memory = { gateway: rss.gateway.summary(rssBytes(pids.gateway)), upstream: rss.upstream.summary(rssBytes(pids.upstream)) };
  const mibPerSec = sc.bodyBytes === undefined ? undefined : mib(r.requestsPerSec * sc.bodyBytes);
  log(
    `bench:   ${r.requestsPerSec.toFixed(0)} req/s, p50 ${r.latencyMs.p50.toFixed(2)} ms, ` +
      `p99 ${r.latencyMs.p99.toFixed(2)} ms, ${r.requests} requests, ${r.errors} errors` +
      (mibPerSec === undefined ? '' : `, ${mibPerSec.toFixed(0)} MiB/s`) +
      (cpuUsPerRequest.gateway === undefined ? '' : `, gateway CPU ${cpuUsPerRequest.gateway.toFixed(1)} µs/request`) +
      (memory.gateway === undefined ? '' : `, gateway RSS ${mib(memory.gateway.median).toFixed(0)} MiB (peak ${mib(memory.gateway.peak).toFixed(0)})`),
  );
  if (r.errors > 0) {
    const s = r.socketErrors;
    log(
      `bench:   errors: ${r.non2xx} responses >= 400, socket connect ${s.connect} read ${s.read} ` +
        `write ${s.write} timeout ${s.timeout}`,
    );
  }
  if (r.errorRate > cfg.maxErrorRate) {
    throw new Error(
      `scenario ${sc.name}: ${r.errors} of ${r.requests} requests failed ` +
        `(${(100 * r.errorRate).toFixed(2)}% > ${(100 * cfg.maxErrorRate).toFixed(2)}%):\n${r.raw}`,
    );
  }
  return {
    name: sc.name,
    description: sc.description,
    target: sc.target,
    url,
    connections,
    durationS: r.durationS,
    requestsPerSec: r.requestsPerSec,
    latencyMs: r.latencyMs,
    requests: r.requests,
    errors: r.errors,
    non2xx: r.non2xx,
    socketErrors: r.socketErrors,
    windowUs: [t0, t1],
    cpuUsPerRequest,
    baseline: sc.baseline ?? 'direct',
    mibPerSec,
    rss: memory,
  };
}

const CLOCK_TICKS_PER_S = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/**
 * Ends the process once the results are out. Whatever still holds the event loop a second later
 * is named and the process exits anyway: a forgotten timer once kept a full run alive for 15
 * minutes after its results (see startGateway).
 */
function exitWith(code: number): void {
  process.exitCode = code;
  setTimeout(() => {
    process.stderr.write(`bench: exiting with handles still open: ${process.getActiveResourcesInfo().join(', ')}\n`);
    process.exit(code);
  }, 1_000).unref();
}

main().then(
  async (code) => {
    await stopAll();
    exitWith(code);
  },
  async (e: unknown) => {
    process.stderr.write(`bench: ${(e as Error).stack ?? String(e)}\n`);
    await stopAll();
    exitWith(2);
  },
);
