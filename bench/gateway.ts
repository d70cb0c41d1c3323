// Starting the upstream and the gateway as child processes, waiting for readiness, and a small
// admin-API client.
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { pinned, sleep, startProcess, stopProcess, type Managed } from './proc.js';

export interface HttpResult {
  status: number;
  body: string;
}

/** One bounded HTTP request with fetch (Node's built-in undici). Never throws on HTTP status. */
export async function http(
  method: string,
  url: string,
  opts: { body?: unknown; headers?: Record<string, string>; timeoutMs?: number } = {},
): Promise<HttpResult> {
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  let body: string | undefined;
  if (opts.body !== undefined) {
    body = typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
    headers['content-type'] ??= 'application/json';
  }
  const res = await fetch(url, {
    method,
    headers,
    body,
    signal: AbortSignal.timeout(opts.timeoutMs ?? 5_000),
  });
  return { status: res.status, body: await res.text() };
}

/** Polls url until it answers with `status`, at most timeoutMs. Returns the last outcome. */
export async function waitForStatus(
  url: string,
  timeoutMs: number,
  opts: { status?: number; alive?: () => boolean; intervalMs?: number; headers?: Record<string, string> } = {},
): Promise<{ ok: boolean; last: string; elapsedMs: number }> {
  const want = opts.status ?? 200;
  const start = Date.now();
  let last = 'no attempt';
  // bounded by time; also by count so a very fast failure cannot spin
  for (let i = 0; i < 10_000 && Date.now() - start < timeoutMs; i++) {
    if (opts.alive !== undefined && !opts.alive()) {
      return { ok: false, last: `${last} (process exited)`, elapsedMs: Date.now() - start };
    }
    try {
      const r = await http('GET', url, { timeoutMs: 2_000, headers: opts.headers });
      last = `HTTP ${r.status} ${r.body.slice(0, 300)}`;
      if (r.status === want) return { ok: true, last, elapsedMs: Date.now() - start };
    } catch (e) {
      last = `error: ${(e as Error).cause instanceof Error ? ((e as Error).cause as Error).message : (e as Error).message}`;
    }
    await sleep(opts.intervalMs ?? 100);
  }
  return { ok: false, last, elapsedMs: Date.now() - start };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/** Waits for a stdout line that is JSON and satisfies `pick`, returning pick's value. */
function waitForJsonLine<T>(
  p: Managed,
  pick: (obj: Record<string, unknown>) => T | undefined,
): { promise: Promise<T>; cancel: () => void } {
  let cancel = (): void => {};
  const promise = new Promise<T>((resolve, reject) => {
    let done = false;
    cancel = () => {
      done = true;
      reject(new Error('cancelled'));
    };
    p.onLine((line, stream) => {
      if (done || stream !== 'stdout') return;
      const start = line.indexOf('{');
      if (start < 0) return;
      try {
        const obj = JSON.parse(line.slice(start)) as Record<string, unknown>;
        const v = pick(obj);
        if (v !== undefined) {
          done = true;
          resolve(v);
        }
      } catch {
        /* not JSON */
      }
    });
  });
  promise.catch(() => {});
  return { promise, cancel };
}

export interface Upstream {
  proc: Managed;
  port: number;
  url: string;
  /** The same server on other ports: more origins for multi-target scenarios. */
  extraUrls: string[];
}

/** Extra ports the upstream listens on (scenarios with several targets use them). */
const UPSTREAM_EXTRA_PORTS = 2;

/** Starts a helper script compiled beside this file and waits (10 s at most) for the JSON line `pick` accepts. */
async function startAnnounced<T>(name: string, file: string, cpu: string | undefined, env: NodeJS.ProcessEnv, pick: (o: Record<string, unknown>) => T | undefined): Promise<{ proc: Managed; value: T }> {
  const script = fileURLToPath(new URL(file, import.meta.url));
  const [cmd, args] = pinned(cpu, process.execPath, [script]);
  const proc = startProcess(name, cmd, args, { env: { ...process.env, NODE_ENV: 'production', ...env } });
  const line = waitForJsonLine(proc, pick);
  let timer: NodeJS.Timeout | undefined;
  const value = await Promise.race([
    line.promise,
    proc.exited.then((c) => {
      throw new Error(`${name} exited (${c}) before listening:\n${proc.tail.join('\n')}`);
    }),
    new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`${name} did not start within 10s:\n${proc.tail.join('\n')}`)),
        10_000,
      );
    }),
  ]).finally(() => {
    clearTimeout(timer);
    line.cancel();
  });
  return { proc, value };
}

export async function startUpstream(cpu: string | undefined): Promise<Upstream> {
  const { proc, value } = await startAnnounced(
    'upstream',
    './upstream.js',
    cpu,
    { BENCH_UPSTREAM_PORT: '0', BENCH_UPSTREAM_EXTRA_PORTS: String(UPSTREAM_EXTRA_PORTS) },
    (o) => (o.msg === 'upstream listening' && typeof o.port === 'number' && Array.isArray(o.extraPorts) ? { port: o.port, extraPorts: o.extraPorts as number[] } : undefined),
  );
  const { port, extraPorts } = value;
  const url = `http://127.0.0.1:${port}`;
  const extraUrls = extraPorts.map((p) => `http://127.0.0.1:${p}`);
  for (const u of [url, ...extraUrls]) {
    const ok = await waitForStatus(`${u}/hello`, 5_000);
    if (!ok.ok) throw new Error(`upstream not answering on ${u}: ${ok.last}`);
  }
  return { proc, port, url, extraUrls };
}

export interface OtlpSink {
  proc: Managed;
  url: string;
}

/** The OTLP/HTTP sink the traced scenarios export their spans to (bench/otlp-sink.ts). */
export async function startOtlpSink(cpu: string | undefined): Promise<OtlpSink> {
  const { proc, value: port } = await startAnnounced('otlp-sink', './otlp-sink.js', cpu, {}, (o) =>
    o.msg === 'otlp sink listening' && typeof o.port === 'number' ? o.port : undefined,
  );
  return { proc, url: `http://127.0.0.1:${port}` };
}

export interface GatewayOptions {
  root: string;
  cpu: string | undefined;
  dataDir: string;
  databaseUrl?: string;
  adminKey: string;
  /** Fixed port; undefined = PORT=0 and parse the log line. */
  port?: number;
  readyTimeoutMs: number;
  /** Node flags before the script, e.g. --cpu-prof. */
  nodeFlags?: string[];
  extraEnv?: Record<string, string>;
}

export interface Gateway {
  proc: Managed;
  port: number;
  url: string;
  readyMs: number;
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<number | string>;
}

/**
 * The Node.js options of the production command, `npm run start:prod` (the image's CMD runs the
 * same; test/deploy checks that): what the gateway is measured with unless
 * BENCH_GATEWAY_NODE_FLAGS says otherwise.
 */
export function productionNodeFlags(root: string): string[] {
  const scripts = (JSON.parse(readFileSync(`${root}/package.json`, 'utf8')) as { scripts?: Record<string, string> }).scripts ?? {};
  const words = (scripts['start:prod'] ?? '').split(/\s+/).filter((word) => word !== '');
  const main = words.indexOf('dist/src/main.js');
  if (words[0] !== 'node' || main === -1) throw new Error(`package.json: start:prod is not "node [options] dist/src/main.js": ${scripts['start:prod']}`);
  return words.slice(1, main);
}

/** The command line and environment of the production build with these options. */
export function gatewayCommand(o: Omit<GatewayOptions, 'readyTimeoutMs'>): { cmd: string; args: string[]; env: NodeJS.ProcessEnv } {
  const main = `${o.root}/dist/src/main.js`;
  if (!existsSync(main)) {
    throw new Error(`${main} does not exist: build the gateway first (npm run build)`);
  }
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.DATABASE_URL;
  delete env.NODE_OPTIONS; // keep the caller's tooling flags out of the measured process
  Object.assign(env, {
    NODE_ENV: 'production',
    PORT: String(o.port ?? 0),
    HOST: '127.0.0.1',
    DATA_DIR: o.dataDir,
    ADMIN_API_KEY: o.adminKey,
    // Access lines are off by default so the figure is the proxy's; BENCH_LOG_LEVEL=info measures them too.
    LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn',
    ...(o.databaseUrl !== undefined ? { DATABASE_URL: o.databaseUrl } : {}),
    ...(o.extraEnv ?? {}),
  });
  const [cmd, args] = pinned(o.cpu, process.execPath, [...(o.nodeFlags ?? []), main]);
  return { cmd, args, env };
}

export async function startGateway(o: GatewayOptions): Promise<Gateway> {
  const { cmd, args, env } = gatewayCommand(o);
  const t0 = Date.now();
  const proc = startProcess('gateway', cmd, args, { cwd: o.root, env });
  const line = waitForJsonLine(proc, (obj) => {
    if (obj.msg !== 'gateway listening') return undefined;
    const p = Number(obj.port);
    return Number.isInteger(p) && p > 0 ? p : undefined;
  });

  // The gateway logs "gateway listening" with its port at any LOG_LEVEL.
  let port: number | undefined = o.port;
  if (port === undefined) {
    // Cleared once the race is decided: left pending, the 15-minute limit of the large table kept
    // the benchmark alive that long after its results.
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<undefined>((resolve) => (timer = setTimeout(resolve, o.readyTimeoutMs, undefined)));
    port = await Promise.race([line.promise.catch(() => undefined), proc.exited.then(() => undefined), timeout]);
    clearTimeout(timer);
  }
  line.cancel();
  if (port === undefined) {
    const why = proc.isRunning() ? 'no "gateway listening" log line' : 'process exited';
    await stopProcess(proc);
    throw new Error(`gateway did not report a port within ${o.readyTimeoutMs / 1000}s (${why}). Output:\n${proc.tail.join('\n')}`);
  }
  const url = `http://127.0.0.1:${port}`;
  const ready = await waitForStatus(`${url}/ready`, Math.max(1_000, t0 + o.readyTimeoutMs - Date.now()), {
    alive: () => proc.isRunning(),
    intervalMs: 100,
  });
  if (!ready.ok) {
    await stopProcess(proc);
    throw new Error(
      `gateway not ready within ${o.readyTimeoutMs / 1000}s (GET /ready: ${ready.last}). ` +
        `Output:\n${proc.tail.join('\n')}`,
    );
  }
  return {
    proc,
    port,
    url,
    readyMs: Date.now() - t0,
    stop: (signal = 'SIGTERM', graceMs = 10_000) => stopProcess(proc, signal, graceMs),
  };
}

export class AdminClient {
  constructor(
    private readonly baseUrl: string,
    private readonly apiKey: string,
  ) {}

  async request(method: string, path: string, body?: unknown): Promise<HttpResult> {
    return http(method, `${this.baseUrl}${path}`, {
      body,
      headers: { 'x-api-key': this.apiKey },
      timeoutMs: 10_000,
    });
  }

  /** POST that must succeed; 409 (already exists) is accepted so setups can be re-run. */
  async create(path: string, body: unknown): Promise<HttpResult> {
    const r = await this.request('POST', path, body);
    if (r.status >= 200 && r.status < 300) return r;
    if (r.status === 409) return r;
    throw new Error(
      `admin POST ${path} ${JSON.stringify(body)} -> HTTP ${r.status}: ${r.body.slice(0, 1000)}`,
    );
  }
}
