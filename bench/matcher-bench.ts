// Micro-benchmark of the compiled route matcher (RouteTable.match, src/routing/table) alone.
// Run as a child process by bench/matcher.ts, one process per table size so that neither size
// inherits the other's JIT state or heap:
//   node dist/bench/matcher-bench.js ROUTES LOOKUPS RUNS
// Prints one JSON line: the time to compile the table and ns per lookup, each run, for lookups
// on one hot path, rotating over a few paths spread over the table, and over every GET route.
import { performance } from 'node:perf_hooks';
import { compileGeneratedTable } from './route-definitions.js';
import { generateRouteTable, type RouteProbe } from './route-table.js';

/** What a 10-route table's GET routes number. */
const FEW_PATHS = 9;

const [routeCount, lookups, runs] = process.argv.slice(2, 5).map(Number) as [number, number, number];
const table = generateRouteTable(routeCount, 'http://127.0.0.1:9');
const compileStart = performance.now();
const compiled = compileGeneratedTable(table);
const compileMs = performance.now() - compileStart;

/** ns per lookup over `lookups` lookups cycling through `probes`; throws if one misses. */
function time(probes: readonly RouteProbe[]): number {
  const hosts = probes.map((p) => p.host ?? '127.0.0.1');
  const paths = probes.map((p) => p.path);
  let misses = 0;
  const start = process.hrtime.bigint();
  for (let i = 0, k = 0; i < lookups; i++, k = k + 1 === paths.length ? 0 : k + 1) {
    if (compiled.match('GET', hosts[k]!, paths[k]!) === null) misses++;
  }
  const ns = Number(process.hrtime.bigint() - start) / lookups;
  if (misses > 0) throw new Error(`${misses} lookups found no route`);
  return ns;
}

/** Probes spread evenly over the table. */
const spread = (count: number) => Array.from({ length: count }, (_, i) => table.probes[Math.floor((i * table.probes.length) / count)]!);
// One path; a few paths (as many as a 10-route table has); every GET route of the table.
const modes = { hotPath: spread(1), fewPaths: spread(Math.min(FEW_PATHS, table.probes.length)), allPaths: table.probes };
// Warm-up: let the JIT settle on every shape before anything is timed.
for (const probes of Object.values(modes)) time(probes);
const ns: Record<keyof typeof modes, number[]> = { hotPath: [], fewPaths: [], allPaths: [] };
for (let r = 0; r < runs; r++) for (const mode of Object.keys(modes) as Array<keyof typeof modes>) ns[mode].push(time(modes[mode]));
process.stdout.write(`${JSON.stringify({ routes: compiled.routeCount, probes: table.probes.length, lookups, compileMs, ns })}\n`);
