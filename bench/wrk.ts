// Running wrk and parsing its report.
import { spawnSync } from 'node:child_process';
import { pinned, startProcess, stopProcess } from './proc.js';

export interface WrkOptions {
  url: string;
  durationS: number;
  connections: number;
  threads: number;
  /** CPU list for taskset (e.g. "1"); undefined = not pinned. */
  cpu?: string;
  /** Extra request headers, e.g. { authorization: 'Bearer ...' }. */
  headers?: Record<string, string>;
  /** Path of a wrk Lua script (-s), for POST bodies and the like. */
  script?: string;
  timeoutS?: number;
}

export interface WrkResult {
  requests: number;
  durationS: number;
  requestsPerSec: number;
  /** Latency percentiles in milliseconds. */
  latencyMs: { avg: number; max: number; p50: number; p75: number; p90: number; p99: number };
  socketErrors: { connect: number; read: number; write: number; timeout: number };
  /** wrk counts responses with status >= 400 here (it calls them "Non-2xx or 3xx"). */
  non2xx: number;
  /** socket errors + non-2xx */
  errors: number;
  errorRate: number;
  raw: string;
}

export class WrkMissingError extends Error {}

export function checkWrk(): string {
  const r = spawnSync('wrk', ['-v'], { encoding: 'utf8' });
  if (r.error !== undefined) {
    throw new WrkMissingError(
      'wrk is not installed (or not on PATH). Install it with `apt-get install wrk` ' +
        '(Debian/Ubuntu) or `brew install wrk` (macOS), then run the benchmark again.',
    );
  }
  return `${r.stdout}${r.stderr}`.split('\n')[0]?.trim() ?? 'wrk';
}

const TIME_UNITS_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/** "1.23ms" -> 1.23, "456.00us" -> 0.456, "1.02s" -> 1020, "2.00m" -> 120000 */
export function parseDurationMs(text: string): number {
  const m = /^([0-9]+(?:\.[0-9]+)?)(ns|us|µs|ms|s|m|h)$/.exec(text.trim());
  if (m === null) throw new Error(`wrk: cannot parse time value "${text}"`);
  return Number(m[1]) * TIME_UNITS_MS[m[2]!]!;
}

/** "60.00s" / "1.00m" as seconds */
function parseSeconds(text: string): number {
  return parseDurationMs(text) / 1000;
}

export function parseWrkOutput(raw: string): WrkResult {
  const num = (re: RegExp, what: string): RegExpExecArray => {
    const m = re.exec(raw);
    if (m === null) throw new Error(`wrk: no ${what} in output:\n${raw}`);
    return m;
  };
  const rps = Number(num(/^Requests\/sec:\s+([0-9.]+)/m, 'Requests/sec')[1]);
  const total = num(/^\s*(\d+) requests in ([0-9.]+[a-zµ]+)/m, 'request count');
  const lat = num(/^\s*Latency\s+(\S+)\s+(\S+)\s+(\S+)\s+/m, 'latency stats');
  const pct = (p: string): number => {
    const m = new RegExp(`^\\s*${p}%\\s+(\\S+)`, 'm').exec(raw);
    if (m === null) throw new Error(`wrk: no ${p}% latency line (was --latency passed?):\n${raw}`);
    return parseDurationMs(m[1]!);
  };
  const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(raw);
  const socketErrors = {
    connect: Number(sock?.[1] ?? 0),
    read: Number(sock?.[2] ?? 0),
    write: Number(sock?.[3] ?? 0),
    timeout: Number(sock?.[4] ?? 0),
  };
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(raw)?.[1] ?? 0);
  const requests = Number(total[1]);
  const errors =
    socketErrors.connect + socketErrors.read + socketErrors.write + socketErrors.timeout + non2xx;
  return {
    requests,
    durationS: parseSeconds(total[2]!),
    requestsPerSec: rps,
    latencyMs: {
      avg: parseDurationMs(lat[1]!),
      max: parseDurationMs(lat[3]!),
      p50: pct('50'),
      p75: pct('75'),
      p90: pct('90'),
      p99: pct('99'),
    },
    socketErrors,
    non2xx,
    errors,
    errorRate: requests > 0 ? errors / requests : errors > 0 ? 1 : 0,
    raw,
  };
}

export async function runWrk(o: WrkOptions): Promise<WrkResult> {
  const args = [
    `-t${o.threads}`,
    `-c${o.connections}`,
    `-d${o.durationS}s`,
    `--timeout`,
    `${o.timeoutS ?? 2}s`,
    '--latency',
  ];
  for (const [k, v] of Object.entries(o.headers ?? {})) args.push('-H', `${k}: ${v}`);
  if (o.script !== undefined) args.push('-s', o.script);
  args.push(o.url);
  const [cmd, fullArgs] = pinned(o.cpu, 'wrk', args);
  const p = startProcess('wrk', cmd, fullArgs, { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  p.onLine((line) => lines.push(line));
  // Bounded: wrk stops itself after durationS; give it generous slack, then kill it.
  const limitMs = (o.durationS + 30) * 1000;
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    void stopProcess(p, 'SIGKILL');
  }, limitMs);
  const code = await p.exited;
  clearTimeout(timer);
  const raw = lines.join('\n');
  if (timedOut) throw new Error(`wrk did not finish within ${limitMs / 1000}s`);
  if (code !== 0) throw new Error(`wrk exited with ${code}:\n${raw}`);
  return parseWrkOutput(raw);
}
