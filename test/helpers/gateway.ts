import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

export const ADMIN_KEY = 'test-admin-key-0123456789abcdef';
const MAIN = fileURLToPath(new URL('../../src/main.js', import.meta.url));
const START_TIMEOUT_MS = 45_000;

// Variables of the gateway that must never leak in from the shell that runs the tests.
const GATEWAY_VARIABLES = [
  'PORT', 'HOST', 'DATABASE_URL', 'DATA_DIR', 'REDIS_URL', 'REDIS_KEY_PREFIX', 'ADMIN_API_KEY', 'LOG_LEVEL', 'LOG_FORMAT', 'PROXY_PREFIXES',
  'GATEWAY_CONFIG', 'SHUTDOWN_GRACE_MS', 'UPSTREAM_MAX_CONNECTIONS', 'AUTH_SECRET', 'JWT_SECRET', 'JWT_PUBLIC_KEY', 'JWT_JWKS_URL', 'JWT_ISSUER',
  'JWT_AUDIENCE', 'JWT_CLOCK_SKEW_SECONDS', 'JWT_MAX_TOKEN_BYTES', 'JWT_JWKS_COOLDOWN_MS', 'AUTH_TOKEN_TTL_SECONDS', 'API_KEY_HEADER',
  'MAX_REQUEST_SIZE', 'MAX_URL_LENGTH', 'MAX_HEADER_SIZE', 'MAX_HEADER_COUNT', 'TRUSTED_PROXIES', 'HSTS_MAX_AGE', 'CORS_ORIGINS', 'CORS_CREDENTIALS',
  'CORS_MAX_AGE',
  'ADMIN_PORT', 'ADMIN_ALLOWED_CIDRS', 'CACHE_MEMORY_MAX_BYTES',
  'OTEL_EXPORTER_OTLP_ENDPOINT', 'OTEL_SERVICE_NAME', 'OTEL_TRACES_SAMPLER_ARG', 'DEPENDENCY_CHECK_INTERVAL_MS',
  'GLOBAL_RATE_LIMIT', 'IP_RATE_LIMIT', 'USER_RATE_LIMIT', 'RATE_LIMIT_FAIL_MODE', 'RATE_LIMIT_REDIS_TIMEOUT_MS', 'AUTH_ENDPOINT_RATE_LIMIT',
];

export interface GatewayOptions {
  databaseUrl?: string;
  dataDir?: string;
  /** Extra or overriding variables; `undefined` removes one. */
  env?: Record<string, string | undefined>;
  /** Wait for /ready too (default true). */
  waitReady?: boolean;
  /** Node.js options before the script (a preload with --import, say). */
  nodeArgs?: string[];
}

export interface Reply<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

/** A real gateway process (the compiled dist/src/main.js) on an ephemeral port. */
export class GatewayProcess {
  output = '';
  port = 0;
  /** The admin listener's port when ADMIN_PORT is set, else 0 (the control plane is on `port`). */
  adminPort = 0;
  private exited: Promise<number | null>;

  private constructor(readonly child: ChildProcess) {
    this.exited = once(child, 'exit').then(([code]) => code as number | null);
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Where the control plane answers: the admin listener when there is one. */
  get adminUrl(): string {
    return `http://127.0.0.1:${this.adminPort || this.port}`;
  }

  get pid(): number {
    return this.child.pid!;
  }

  static async start(options: GatewayOptions = {}): Promise<GatewayProcess> {
    const env: Record<string, string | undefined> = { ...process.env };
    for (const name of GATEWAY_VARIABLES) delete env[name];
    Object.assign(env, {
      PORT: '0',
      HOST: '127.0.0.1',
      ADMIN_API_KEY: ADMIN_KEY,
      LOG_LEVEL: 'info',
      SHUTDOWN_GRACE_MS: '5000',
      DATABASE_URL: options.databaseUrl,
      DATA_DIR: options.dataDir,
      ...options.env,
    });
    for (const [key, value] of Object.entries(env)) if (value === undefined) delete env[key];
    const child = spawn(process.execPath, [...(options.nodeArgs ?? []), MAIN], { env: env as NodeJS.ProcessEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    const gateway = new GatewayProcess(child);
    await gateway.waitListening();
    if (options.waitReady !== false) await gateway.waitFor(async () => (await gateway.get('/ready')).status === 200, 'ready');
    return gateway;
  }

  /** JSON log lines printed so far. */
  logs(): Array<Record<string, any>> {
    return this.output
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .flatMap((line) => {
        try {
          return [JSON.parse(line) as Record<string, any>];
        } catch {
          return [];
        }
      });
  }

  /** The first JSON log line `match` accepts, waiting for it a while (lines are written asynchronously). */
  async logLine(match: (line: Record<string, any>) => boolean, timeoutMs = 3_000): Promise<Record<string, any>> {
    let found: Record<string, any> | undefined;
    await eventually(() => (found = this.logs().find(match)) !== undefined, timeoutMs);
    return found!;
  }

  async fetch(path: string, init: RequestInit & { headers?: Record<string, string> } = {}, base = this.url): Promise<Reply> {
    const response = await fetch(`${base}${path}`, init);
    const text = await response.text();
    let body: unknown = text;
    if (/json/.test(response.headers.get('content-type') ?? '')) {
      try {
        body = JSON.parse(text);
      } catch {
        // left as text
      }
    }
    return { status: response.status, headers: response.headers, body, text };
  }

  get(path: string, headers: Record<string, string> = {}): Promise<Reply> {
    return this.fetch(path, { headers });
  }

  /** An admin call with the admin key and a JSON body, on the admin listener when there is one. */
  admin(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply> {
    return this.fetch(
      path,
      {
        method,
        headers: { 'x-api-key': ADMIN_KEY, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      },
      this.adminUrl,
    );
  }

  /** Creates what a test needs through the admin API, in order; each call must answer 201. */
  async create(calls: Array<[path: string, body: unknown]>): Promise<void> {
    for (const [path, body] of calls) {
      const reply = await this.admin('POST', path, body);
      if (reply.status !== 201) throw new Error(`POST ${path} ${JSON.stringify(body)} answered ${reply.status}: ${reply.text}`);
    }
  }

  async waitFor(check: () => Promise<boolean>, what: string, timeoutMs = START_TIMEOUT_MS): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.child.exitCode !== null) throw new Error(`gateway exited (${this.child.exitCode}) while waiting for ${what}:\n${this.output}`);
      try {
        if (await check()) return;
      } catch {
        // not yet
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`gateway not ${what} within ${timeoutMs} ms:\n${this.output.slice(-4000)}`);
  }

  /** Sends a signal and waits for the process to end; resolves with its exit code. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return this.child.exitCode;
    this.child.kill(signal);
    return this.exited;
  }

  exit(): Promise<number | null> {
    return this.exited;
  }

  private async waitListening(): Promise<void> {
    const collect = (chunk: Buffer) => {
      this.output += chunk.toString('utf8');
    };
    this.child.stdout!.on('data', collect);
    this.child.stderr!.on('data', collect);
    await this.waitFor(async () => {
      const line = this.logs().find((entry) => entry.msg === 'gateway listening');
      if (line) {
        this.port = Number(line.port);
        this.adminPort = Number(line.admin_port ?? 0);
      }
      return this.port > 0;
    }, 'listening');
  }
}

/** Polls until `check` holds or the time is up; returns the time it took in ms. */
export async function eventually(check: () => Promise<boolean> | boolean, timeoutMs: number, intervalMs = 20): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    try {
      if (await check()) return Date.now() - started;
    } catch {
      // keep trying
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  throw new Error(`condition not met within ${timeoutMs} ms`);
}
