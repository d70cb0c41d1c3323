// Cold-start time: from spawning a process to its first useful answer, polled every 10 ms.
// For the gateway: GET /ready answering 200, then the first proxied request answering 200; for
// the bare node process it is compared with (the benchmark's upstream), its first 200.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import { freePort, gatewayCommand, type GatewayOptions } from './gateway.js';
import { pinned, sleep, startProcess, stopProcess, type Managed } from './proc.js';
import { median } from './stats.js';
import type { StoreSet } from './stores.js';

const POLL_MS = 10;

export interface ColdStartCase {
  label: string;
  /** 'node': the bare upstream process; otherwise the gateway with these options. */
  gateway?: Omit<GatewayOptions, 'readyTimeoutMs' | 'port' | 'cpu'>;
  /** Proxied path whose first 200 is timed (gateway only). */
  probePath?: string;
  /** At most this many starts (a large table starts slowly). */
  maxStarts?: number;
  /** The store is empty: the first start creates the schema and applies the file, and is reported apart. */
  fresh?: boolean;
}

export interface ColdStartResult {
  label: string;
  /** Spawn to GET /ready 200 (the gateway) or to the first 200 (bare node), ms, each start. */
  readyMs: number[];
  /** Spawn to the first proxied 200, ms, each start (gateway only). */
  firstProxiedMs: number[];
  medianReadyMs: number;
  medianFirstProxiedMs: number | null;
  /** For a fresh store: spawn to /ready of the first start (left out of the medians). */
  firstStartReadyMs: number | null;
}

/** Polls until `url` answers 200; ms since `t0`, or undefined once the process is gone or time is up. */
async function firstOk(url: string, t0: number, proc: Managed, deadline: number): Promise<number | undefined> {
  while (performance.now() < deadline && proc.isRunning()) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      await res.arrayBuffer();
      if (res.status === 200) return performance.now() - t0;
    } catch {
      /* not listening yet */
    }
    await sleep(POLL_MS);
  }
  return undefined;
}

async function timeOneStart(c: ColdStartCase, cpu: string | undefined, timeoutMs: number): Promise<{ ready: number; proxied?: number }> {
  const port = await freePort();
  let proc: Managed;
  let readyUrl: string;
  if (c.gateway === undefined) {
    const script = fileURLToPath(new URL('./upstream.js', import.meta.url));
    const [cmd, args] = pinned(cpu, process.execPath, [script]);
    proc = startProcess('cold-node', cmd, args, { env: { ...process.env, NODE_ENV: 'production', BENCH_UPSTREAM_PORT: String(port) } });
    readyUrl = `http://127.0.0.1:${port}/hello`;
  } else {
    const { cmd, args, env } = gatewayCommand({ ...c.gateway, cpu, port });
    proc = startProcess('cold-gateway', cmd, args, { cwd: c.gateway.root, env });
    readyUrl = `http://127.0.0.1:${port}/ready`;
  }
  const t0 = performance.now();
  const deadline = t0 + timeoutMs;
  try {
    const ready = await firstOk(readyUrl, t0, proc, deadline);
    if (ready === undefined) throw new Error(`${c.label}: no 200 from ${readyUrl} within ${timeoutMs / 1000}s. Output:\n${proc.tail.join('\n')}`);
    if (c.probePath === undefined) return { ready };
    const proxied = await firstOk(`http://127.0.0.1:${port}${c.probePath}`, t0, proc, deadline);
    if (proxied === undefined) throw new Error(`${c.label}: no 200 from ${c.probePath} within ${timeoutMs / 1000}s`);
    return { ready, proxied };
  } finally {
    await stopProcess(proc, 'SIGTERM', 15_000);
  }
}

/** `starts` starts of each case, interleaved (case by case within a round), medians per case. */
export async function measureColdStarts(
  cases: readonly ColdStartCase[],
  o: { starts: number; cpu?: string; timeoutMs: number; log: (line: string) => void },
): Promise<ColdStartResult[]> {
  const results = cases.map((c) => ({ label: c.label, readyMs: [] as number[], firstProxiedMs: [] as number[] }));
  for (let round = 0; round < o.starts; round++) {
    for (const [i, c] of cases.entries()) {
      if (round >= (c.maxStarts ?? o.starts)) continue;
      const t = await timeOneStart(c, o.cpu, o.timeoutMs);
      results[i]!.readyMs.push(t.ready);
      if (t.proxied !== undefined) results[i]!.firstProxiedMs.push(t.proxied);
      o.log(`bench:   cold start ${round + 1}: ${c.label}: ready ${t.ready.toFixed(0)} ms` + (t.proxied === undefined ? '' : `, first proxied 200 ${t.proxied.toFixed(0)} ms`));
    }
  }
  return results.map((r, i) => {
    const skip = cases[i]!.fresh ? 1 : 0;
    return {
      ...r,
      medianReadyMs: median(r.readyMs.slice(skip)),
      medianFirstProxiedMs: r.firstProxiedMs.length ? median(r.firstProxiedMs.slice(skip)) : null,
      firstStartReadyMs: skip ? (r.readyMs[0] ?? null) : null,
    };
  });
}

/**
 * The cases: bare node; the gateway with one route on the embedded database (and on PostgreSQL
 * when the run has BENCH_DATABASE_URL), each on a fresh store with a small GATEWAY_CONFIG kept set
 * as a deployment would; and the gateway on the large table's store when gateway-10k-routes ran
 * (its file not set: the start reads the table from the database and compiles it).
 */
export async function coldStartCases(o: { root: string; adminKey: string; nodeFlags: string[]; upstreamUrl: string; workDir: string; stores: StoreSet; routeTableSize: number }): Promise<ColdStartCase[]> {
  const file = path.join(o.workDir, 'cold-start.yaml');
  writeFileSync(
    file,
    YAML.stringify({
      services: [{ name: 'cold-upstream', url: o.upstreamUrl }],
      routes: [{ name: 'cold-plain', service: 'cold-upstream', paths: ['/api/v1/cold/*'], methods: ['GET'], strip_prefix: true, auth: { required: false } }],
    }),
  );
  const small = (label: string, store: { dataDir: string; databaseUrl?: string }): ColdStartCase => ({
    label,
    gateway: { root: o.root, adminKey: o.adminKey, nodeFlags: o.nodeFlags, ...store, extraEnv: { GATEWAY_CONFIG: file } },
    probePath: '/api/v1/cold/hello',
    fresh: true,
  });
  const cases: ColdStartCase[] = [{ label: 'node: bare http server (bench/upstream.js)' }];
  cases.push(small('gateway, embedded DB, 1 route', await o.stores.own('cold-embedded', { embedded: true })));
  if (o.stores.databaseUrl !== undefined) cases.push(small('gateway, PostgreSQL, 1 route', await o.stores.own('cold-pg')));
  const large = o.stores.get('routes-10k');
  if (large !== undefined) {
    cases.push({
      label: `gateway, ${large.databaseUrl ? 'PostgreSQL' : 'embedded DB'}, ${o.routeTableSize} routes`,
      gateway: { root: o.root, adminKey: o.adminKey, nodeFlags: o.nodeFlags, ...large },
      probePath: '/api/v1/svc0/items/1',
      maxStarts: 3,
    });
  }
  return cases;
}
