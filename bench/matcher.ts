// Runs the matcher micro-benchmark (bench/matcher-bench.ts) on a small and a large table and
// summarizes it: median ns per lookup, and how much the large table costs more.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { pinned } from './proc.js';
import type { Check } from './scenarios.js';
import { median } from './stats.js';

export interface MatcherFigures {
  routes: number;
  probes: number;
  compileMs: number;
  /** Median over the runs, ns per lookup: one path every time. */
  hotPathNs: number;
  /** Lookups rotating over 9 paths spread over the table (as many as the 10-route table has). */
  fewPathsNs: number;
  /** Lookups rotating over every GET route of the table: the working set grows with the table. */
  allPathsNs: number;
  runs: Record<'hotPath' | 'fewPaths' | 'allPaths', number[]>;
}

export function runMatcherBench(sizes: readonly number[], o: { cpu?: string; lookups: number; runs: number }): MatcherFigures[] {
  const script = fileURLToPath(new URL('./matcher-bench.js', import.meta.url));
  return sizes.map((size) => {
    const [cmd, args] = pinned(o.cpu, process.execPath, [script, String(size), String(o.lookups), String(o.runs)]);
    const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 300_000 });
    if (r.status !== 0) throw new Error(`matcher benchmark (${size} routes) failed: ${r.error?.message ?? ''}${r.stderr}`);
    const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as { routes: number; probes: number; compileMs: number; ns: MatcherFigures['runs'] };
    return {
      routes: out.routes,
      probes: out.probes,
      compileMs: out.compileMs,
      hotPathNs: median(out.ns.hotPath),
      fewPathsNs: median(out.ns.fewPaths),
      allPathsNs: median(out.ns.allPaths),
      runs: out.ns,
    };
  });
}

/**
 * The large table may cost at most 3x the small one per lookup at the same working set (9 paths):
 * a radix tree's lookup depends on the path, not on the number of routes, while a list scan over
 * 10,000 routes would cost 1,000x. The margin is wide because a shared machine moves single runs
 * of a ~200 ns loop by 2x. Rotating over every route of the large table is reported, not checked:
 * it measures the CPU caches as much as the matcher.
 */
export const MATCHER_TOLERANCE = 3;

export function matcherChecks(figures: MatcherFigures[]): Check[] {
  if (figures.length < 2) return [];
  const [small, large] = [figures[0]!, figures[figures.length - 1]!];
  const ratio = large.fewPathsNs / small.fewPathsNs;
  return [
    {
      name: `route matcher: ${large.routes} vs ${small.routes} routes, same 9 paths, within ${MATCHER_TOLERANCE}x`,
      pass: ratio <= MATCHER_TOLERANCE,
      detail: `${large.fewPathsNs.toFixed(0)} vs ${small.fewPathsNs.toFixed(0)} ns/lookup (${ratio.toFixed(2)}x); rotating over all ${large.probes} GET routes ${large.allPathsNs.toFixed(0)} ns`,
    },
  ];
}
