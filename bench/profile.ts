// Reading a V8 .cpuprofile (written by `node --cpu-prof`) and ranking functions by self time.
//
// Can also be used on its own:  node dist/bench/profile.js FILE.cpuprofile [TOP]
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number; // 0-based
  columnNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  hitCount?: number;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number; // µs, V8 monotonic clock
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

export interface ProfileEntry {
  function: string;
  location: string;
  selfMs: number;
  selfPct: number;
  samples: number;
}

export interface ProfileSummary {
  file: string;
  intervalUs: number;
  /** Samples counted (those inside the window, if one was given and it matched). */
  samples: number;
  windowed: boolean;
  totalMs: number;
  top: ProfileEntry[];
  /** Self time grouped by package (node_modules/<pkg>), node internals, the gateway's own code. */
  byPackage: Array<{ package: string; selfMs: number; selfPct: number }>;
}

function shortUrl(url: string, root: string | undefined): string {
  let u = url.startsWith('file://') ? url.slice('file://'.length) : url;
  if (root !== undefined && u.startsWith(root + '/')) u = u.slice(root.length + 1);
  return u;
}

function packageOf(url: string, root: string | undefined): string {
  if (url === '') return '(native/vm)';
  if (url.startsWith('node:')) return 'node:internal';
  const u = shortUrl(url, root);
  const i = u.lastIndexOf('node_modules/');
  if (i >= 0) {
    const rest = u.slice(i + 'node_modules/'.length).split('/');
    return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  if (u.startsWith('dist/src/') || u.startsWith('src/')) return '(gateway src)';
  return u.split('/').slice(0, 2).join('/');
}

/**
 * @param window Optional [start, end] in µs of the monotonic clock (process.hrtime.bigint()/1000
 *   in any process on the same Linux machine matches V8's profile clock). Only samples inside it
 *   are counted, so start-up and shut-down do not drown the load phase.
 */
export function summarizeProfile(
  file: string,
  opts: { top?: number; intervalUs?: number; window?: [number, number]; root?: string } = {},
): ProfileSummary {
  const prof = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map<number, ProfileNode>();
  for (const n of prof.nodes) byId.set(n.id, n);

  // hits per node: from the sample list (can be restricted to a time window), else hitCount.
  const hits = new Map<number, number>();
  let windowed = false;
  const samples = prof.samples ?? [];
  const deltas = prof.timeDeltas ?? [];
  if (samples.length > 0 && deltas.length === samples.length) {
    let t = prof.startTime;
    let inWindow = 0;
    for (let i = 0; i < samples.length; i++) {
      t += deltas[i]!;
      if (opts.window !== undefined && (t < opts.window[0] || t > opts.window[1])) continue;
      inWindow++;
      hits.set(samples[i]!, (hits.get(samples[i]!) ?? 0) + 1);
    }
    windowed = opts.window !== undefined && inWindow > 0;
    if (opts.window !== undefined && inWindow === 0) {
      // clocks did not line up (non-Linux?): fall back to the whole profile
      hits.clear();
      for (const id of samples) hits.set(id, (hits.get(id) ?? 0) + 1);
    }
  } else {
    for (const n of prof.nodes) if ((n.hitCount ?? 0) > 0) hits.set(n.id, n.hitCount!);
  }

  const totalSamples = [...hits.values()].reduce((a, b) => a + b, 0);
  const intervalUs =
    opts.intervalUs ??
    (samples.length > 0 ? (prof.endTime - prof.startTime) / samples.length : 1000);
  const totalMs = (totalSamples * intervalUs) / 1000;

  const agg = new Map<string, ProfileEntry>();
  const pkgs = new Map<string, number>();
  for (const [id, count] of hits) {
    const cf = byId.get(id)!.callFrame;
    const fn = cf.functionName === '' ? '(anonymous)' : cf.functionName;
    const loc = cf.url === '' ? '' : `${shortUrl(cf.url, opts.root)}:${cf.lineNumber + 1}`;
    const key = `${fn}\u0000${loc}`;
    const e = agg.get(key) ?? { function: fn, location: loc, selfMs: 0, selfPct: 0, samples: 0 };
    e.samples += count;
    agg.set(key, e);
    const pkg = cf.url === '' && fn.startsWith('(') ? fn : packageOf(cf.url, opts.root);
    pkgs.set(pkg, (pkgs.get(pkg) ?? 0) + count);
  }
  const pct = (n: number): number => (totalSamples > 0 ? (100 * n) / totalSamples : 0);
  const top = [...agg.values()]
    .sort((a, b) => b.samples - a.samples)
    .slice(0, opts.top ?? 15)
    .map((e) => ({ ...e, selfMs: (e.samples * intervalUs) / 1000, selfPct: pct(e.samples) }));
  const byPackage = [...pkgs.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 12)
    .map(([pkg, n]) => ({ package: pkg, selfMs: (n * intervalUs) / 1000, selfPct: pct(n) }));
  return { file, intervalUs, samples: totalSamples, windowed, totalMs, top, byPackage };
}

export function formatProfile(s: ProfileSummary): string {
  const out: string[] = [];
  out.push(
    `CPU profile ${s.file}: ${s.samples} samples x ${s.intervalUs.toFixed(0)} us = ` +
      `${s.totalMs.toFixed(0)} ms${s.windowed ? ' (load phase only)' : ' (whole process lifetime)'}`,
  );
  out.push('');
  out.push(`  ${'self ms'.padStart(9)} ${'self %'.padStart(7)}  function  (location)`);
  for (const e of s.top) {
    out.push(
      `  ${e.selfMs.toFixed(1).padStart(9)} ${e.selfPct.toFixed(1).padStart(6)}%  ${e.function}` +
        (e.location !== '' ? `  (${e.location})` : ''),
    );
  }
  out.push('');
  out.push('  self time by package:');
  for (const p of s.byPackage) {
    out.push(`  ${p.selfMs.toFixed(1).padStart(9)} ${p.selfPct.toFixed(1).padStart(6)}%  ${p.package}`);
  }
  return out.join('\n');
}

// CLI use
if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const file = process.argv[2];
  if (file === undefined) {
    process.stderr.write('usage: node dist/bench/profile.js FILE.cpuprofile [TOP]\n');
    process.exit(2);
  }
  const top = Number(process.argv[3] ?? 15);
  process.stdout.write(formatProfile(summarizeProfile(file, { top, root: process.cwd() })) + '\n');
}
