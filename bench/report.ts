// The printed tables of a benchmark run.
import type { ColdStartResult } from './cold-start.js';
import type { MatcherFigures } from './matcher.js';
import type { ScenarioResult } from './scenarios.js';
import { mib } from './stats.js';

export function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const line = (r: string[]): string =>
    r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(rows[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)]
    .map((l) => `  ${l}`)
    .join('\n');
}

const fixed = (n: number | undefined | null, digits = 0): string => (n === undefined || n === null || Number.isNaN(n) ? '-' : n.toFixed(digits));

/** One row per scenario: throughput, latency, CPU per request, and the ratio to its direct baseline. */
export function scenarioTable(results: Map<string, ScenarioResult>, rounds: Map<string, ScenarioResult[]>, roundCount: number): string {
  const rows = [['scenario', 'req/s', 'vs direct', 'MiB/s', 'p50 ms', 'p99 ms', 'max ms', 'requests', 'errors', 'gateway CPU µs/req', 'upstream CPU µs/req']];
  if (roundCount > 1) rows[0]!.push('req/s of each round');
  for (const r of results.values()) {
    const direct = results.get(r.baseline);
    const spread = roundCount > 1 ? [(rounds.get(r.name) ?? []).map((x) => x.requestsPerSec.toFixed(0)).join(' ')] : [];
    rows.push([
      r.name,
      r.requestsPerSec.toFixed(0),
      r.target === 'gateway' && direct !== undefined ? (r.requestsPerSec / direct.requestsPerSec).toFixed(3) : '-',
      fixed(r.mibPerSec),
      r.latencyMs.p50.toFixed(2),
      r.latencyMs.p99.toFixed(2),
      r.latencyMs.max.toFixed(2),
      String(r.requests),
      String(r.errors),
      fixed(r.cpuUsPerRequest.gateway, 1),
      fixed(r.cpuUsPerRequest.upstream, 1),
      ...spread,
    ]);
  }
  return table(rows);
}

/** Resident memory in MiB around each scenario's measured load (its median round). */
export function rssTable(results: Map<string, ScenarioResult>): string {
  const rows = [['scenario', 'gateway pid', 'gw RSS idle', 'gw median', 'gw peak', 'gw after', 'upstream median', 'upstream peak']];
  for (const r of results.values()) {
    const g = r.rss.gateway;
    const u = r.rss.upstream;
    rows.push([r.name, g ? String(g.pid) : '-', fixed(g && mib(g.before)), fixed(g && mib(g.median)), fixed(g && mib(g.peak)), fixed(g && mib(g.after)), fixed(u && mib(u.median)), fixed(u && mib(u.peak))]);
  }
  return table(rows);
}

export function matcherTable(figures: MatcherFigures[]): string {
  const rows = [['routes', 'compile ms', 'ns/lookup: 1 path', '9 paths spread', 'every GET route', 'GET routes']];
  for (const f of figures) rows.push([String(f.routes), f.compileMs.toFixed(0), f.hotPathNs.toFixed(0), f.fewPathsNs.toFixed(0), f.allPathsNs.toFixed(0), String(f.probes)]);
  return table(rows);
}

export function coldStartTable(results: ColdStartResult[]): string {
  const rows = [['start', 'starts', 'ready ms (median)', 'first proxied 200 ms', 'first start ms (empty store)', 'ready ms of each start']];
  for (const r of results) {
    rows.push([r.label, String(r.readyMs.length), r.medianReadyMs.toFixed(0), fixed(r.medianFirstProxiedMs), fixed(r.firstStartReadyMs), r.readyMs.map((x) => x.toFixed(0)).join(' ')]);
  }
  return table(rows);
}
