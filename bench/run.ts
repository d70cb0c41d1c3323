// The gateway's benchmark:  npm run bench   (= npm run build && node dist/bench/run.js)
//
// Starts a small upstream and the production build of the gateway as child processes, configures
// a route through the admin API, loads the upstream directly and then through the gateway with
// wrk in the same run, prints req/s, p50 and p99 and checks them against the targets. Results go
// to bench/out/latest.json.
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
//                            direct, gateway, three-targets-breaker, gateway-jwt, gateway-jwt-ratelimit,
//                            gateway-apikey, gateway-traced, gateway-traced-10pct)
//   BENCH_REDIS_URL=...      the Redis of gateway-jwt-ratelimit (default redis://127.0.0.1:6379)
//   BENCH_ROUNDS=1           run the scenarios this many times, interleaved, and report each one's
//                            median round: on a shared machine the load drifts during a run, and
//                            interleaving exposes every scenario to it alike (a scenario that needs
//                            another gateway variant, e.g. tracing on, restarts the gateway each round)
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
  startGateway,
  startOtlpSink,
  startUpstream,
  waitForStatus,
  type Gateway,
  type Upstream,
} from './gateway.js';
import { formatProfile, summarizeProfile, type ProfileSummary } from './profile.js';
import { cpuSeconds, hasTaskset, installCleanupHandlers, stopAll } from './proc.js';
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
  scenarios: Scenario[];
}

function readConfig(): Config {
  const root = projectRoot();
  const only = (process.env.BENCH_SCENARIOS ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  for (const name of only) {
    if (!SCENARIOS.some((s) => s.name === name)) {
      throw new Error(
        `BENCH_SCENARIOS: unknown scenario "${name}" (known: ${SCENARIOS.map((s) => s.name).join(', ')})`,
      );
    }
  }
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
    scenarios: only.length > 0 ? SCENARIOS.filter((s) => only.includes(s.name)) : SCENARIOS,
  };
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const line = (r: string[]): string =>
    r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(rows[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)]
    .map((l) => `  ${l}`)
    .join('\n');
}

const log = (msg: string): void => {
  process.stdout.write(`${msg}\n`);
};

async function main(): Promise<number> {
  const cfg = readConfig();
  let dataDir: string | undefined;
  // on SIGINT/error exits too: children are killed, the temp data directory is removed
  installCleanupHandlers(() => {
    if (dataDir !== undefined) rmSync(dataDir, { recursive: true, force: true });
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
  const profileName = `gateway-${started.toISOString().replace(/[:.]/g, '-')}.cpuprofile`;

  try {
    upstream = await startUpstream(cfg.loadCpu);
    log(`bench: upstream listening on ${upstream.url}`);
    const ctx: BenchContext = { upstream, done: new Set(), credentials: new Map() };

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
        gateway = await startGateway({
          root: cfg.root,
          cpu: cfg.gatewayCpu,
          dataDir: dataDir ?? os.tmpdir(),
          databaseUrl: cfg.databaseUrl,
          adminKey: ADMIN_KEY,
          port: cfg.gatewayPort,
          readyTimeoutMs: cfg.readyTimeoutMs,
          nodeFlags,
          extraEnv: { JWT_SECRET: BENCH_JWT_SECRET, ...sc.gatewayEnv?.(ctx) },
        });
        log(
          `bench: gateway (${variant}) ready on ${gateway.url} after ${(gateway.readyMs / 1000).toFixed(1)}s ` +
            `(${cfg.databaseUrl ? 'BENCH_DATABASE_URL' : `embedded DB in ${dataDir}`})` +
            (cfg.profile ? ', CPU profiling on' : ''),
        );
        ctx.gateway = gateway;
        ctx.admin = new AdminClient(gateway.url, ADMIN_KEY);
      }
      const result = await runScenario(sc, ctx, cfg, round === 1);
      const seen = rounds.get(sc.name) ?? [];
      seen.push(result);
      rounds.set(sc.name, seen);
      results.set(sc.name, medianRound(seen));
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
  const { ratio, checks } = evaluate(results);
  if (results.size > 0) {
    const rows = [['scenario', 'req/s', 'p50 ms', 'p99 ms', 'max ms', 'requests', 'errors', 'gateway CPU µs/req', 'upstream CPU µs/req']];
    if (cfg.rounds > 1) rows[0]!.push('req/s of each round');
    for (const r of results.values()) {
      const spread = cfg.rounds > 1 ? [(rounds.get(r.name) ?? []).map((x) => x.requestsPerSec.toFixed(0)).join(' ')] : [];
      rows.push([
        r.name,
        r.requestsPerSec.toFixed(0),
        r.latencyMs.p50.toFixed(2),
        r.latencyMs.p99.toFixed(2),
        r.latencyMs.max.toFixed(2),
        String(r.requests),
        String(r.errors),
        r.cpuUsPerRequest.gateway?.toFixed(1) ?? '-',
        r.cpuUsPerRequest.upstream?.toFixed(1) ?? '-',
        ...spread,
      ]);
    }
    log('');
    log(table(rows));
    if (ratio !== undefined) log(`\n  ratio gateway/direct req/s: ${ratio.toFixed(3)}`);
    const plain = results.get('gateway');
    for (const r of results.values()) {
      if (plain === undefined || r === plain || r.target !== 'gateway') continue;
      log(`  ratio ${r.name}/gateway req/s: ${(r.requestsPerSec / plain.requestsPerSec).toFixed(3)}`);
    }
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
      gatewayCpu: cfg.gatewayCpu ?? null,
      loadCpu: cfg.loadCpu ?? null,
      database: cfg.databaseUrl !== undefined ? 'BENCH_DATABASE_URL' : 'embedded',
      profile: cfg.profile,
    },
    targets: TARGETS,
    scenarios: [...results.values()],
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

/** The round with the median req/s (the lower middle one for an even count). */
function medianRound(results: ScenarioResult[]): ScenarioResult {
  const sorted = [...results].sort((a, b) => a.requestsPerSec - b.requestsPerSec);
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
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
    script: sc.script,
  };
  if (cfg.warmupS > 0) {
    const w = await runWrk({ ...common, durationS: cfg.warmupS });
    log(`bench:   warm-up ${cfg.warmupS}s: ${w.requestsPerSec.toFixed(0)} req/s, ${w.errors} errors`);
  }
  const pids = { gateway: ctx.gateway?.proc.child.pid, upstream: ctx.upstream.proc.child.pid };
  const cpuBefore = { gateway: cpuSeconds(pids.gateway), upstream: cpuSeconds(pids.upstream) };
  const t0 = monoUs();
  const r = await runWrk({ ...common, durationS: cfg.durationS });
  const t1 = monoUs();
  const perRequest = (before: number | undefined, after: number | undefined) =>
    before === undefined || after === undefined || r.requests === 0 ? undefined : ((after - before) * 1e6) / r.requests;
  const cpuUsPerRequest = {
    gateway: sc.target === 'gateway' ? perRequest(cpuBefore.gateway, cpuSeconds(pids.gateway)) : undefined,
    upstream: perRequest(cpuBefore.upstream, cpuSeconds(pids.upstream)),
  };
  log(
    `bench:   ${r.requestsPerSec.toFixed(0)} req/s, p50 ${r.latencyMs.p50.toFixed(2)} ms, ` +
      `p99 ${r.latencyMs.p99.toFixed(2)} ms, ${r.requests} requests, ${r.errors} errors` +
      (cpuUsPerRequest.gateway === undefined ? '' : `, gateway CPU ${cpuUsPerRequest.gateway.toFixed(1)} µs/request`),
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
  };
}

const CLOCK_TICKS_PER_S = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

main().then(
  (code) => {
    process.exitCode = code;
  },
  async (e: unknown) => {
    process.stderr.write(`bench: ${(e as Error).stack ?? String(e)}\n`);
    await stopAll();
    process.exitCode = 2;
  },
);
