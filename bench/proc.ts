// Child-process bookkeeping for the benchmark: every process we start is tracked and killed on
// normal exit, on error and on SIGINT/SIGTERM. Processes are only ever killed by their own pid.
import { spawn, spawnSync, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';

export interface Managed {
  name: string;
  child: ChildProcess;
  /** Last lines of stdout+stderr, for error messages. */
  tail: string[];
  /** Resolves with the exit code (or signal name) when the process ends. */
  exited: Promise<number | string>;
  isRunning(): boolean;
  /** Listeners called with every stdout line. */
  onLine(cb: (line: string, stream: 'stdout' | 'stderr') => void): void;
}

const TAIL_LINES = 40;
const children = new Set<Managed>();

let taskSetAvailable: boolean | undefined;
export function hasTaskset(): boolean {
  if (taskSetAvailable === undefined) {
    const r = spawnSync('taskset', ['-V'], { stdio: 'ignore' });
    taskSetAvailable = r.error === undefined && r.status === 0;
  }
  return taskSetAvailable;
}

/** Prefixes a command with `taskset -c CPU` when taskset exists and cpu is given. */
export function pinned(cpu: string | undefined, cmd: string, args: string[]): [string, string[]] {
  if (cpu === undefined || cpu === '' || !hasTaskset()) return [cmd, args];
  // taskset execs the command, so the pid we get is the pid of the command itself.
  return ['taskset', ['-c', cpu, cmd, ...args]];
}

export function startProcess(
  name: string,
  cmd: string,
  args: string[],
  opts: SpawnOptions = {},
): Managed {
  const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'], ...opts });
  const tail: string[] = [];
  const listeners: Array<(line: string, stream: 'stdout' | 'stderr') => void> = [];
  let running = true;
  const exited = new Promise<number | string>((resolve) => {
    child.on('exit', (code, signal) => {
      running = false;
      children.delete(managed);
      resolve(code ?? signal ?? 'unknown');
    });
    child.on('error', (err) => {
      running = false;
      children.delete(managed);
      tail.push(`[spawn error] ${err.message}`);
      resolve(`spawn error: ${err.message}`);
    });
  });
  const watch = (stream: NodeJS.ReadableStream | null, kind: 'stdout' | 'stderr'): void => {
    if (stream === null) return;
    const rl = createInterface({ input: stream });
    rl.on('line', (line) => {
      tail.push(`[${kind}] ${line}`);
      if (tail.length > TAIL_LINES) tail.shift();
      for (const l of listeners) l(line, kind);
    });
  };
  watch(child.stdout, 'stdout');
  watch(child.stderr, 'stderr');
  const managed: Managed = {
    name,
    child,
    tail,
    exited,
    isRunning: () => running,
    onLine: (cb) => listeners.push(cb),
  };
  children.add(managed);
  return managed;
}

/** SIGTERM, then SIGKILL after graceMs. Resolves when the process has exited. */
export async function stopProcess(
  p: Managed,
  signal: NodeJS.Signals = 'SIGTERM',
  graceMs = 5_000,
): Promise<number | string> {
  if (!p.isRunning()) return p.exited;
  p.child.kill(signal);
  const timer = setTimeout(() => {
    if (p.isRunning()) p.child.kill('SIGKILL');
  }, graceMs);
  try {
    return await p.exited;
  } finally {
    clearTimeout(timer);
  }
}

export async function stopAll(): Promise<void> {
  await Promise.all([...children].map((p) => stopProcess(p, 'SIGTERM', 3_000)));
}

/** Synchronous last resort (process 'exit' handler): SIGKILL whatever is still running. */
export function killAllSync(): void {
  for (const p of children) {
    try {
      p.child.kill('SIGKILL');
    } catch {
      /* already gone */
    }
  }
  children.clear();
}

let handlersInstalled = false;
export function installCleanupHandlers(onCleanup: () => void = () => {}): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on('exit', () => {
    killAllSync();
    onCleanup();
  });
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(sig, () => {
      process.stderr.write(`\nbench: ${sig} received, stopping child processes\n`);
      void stopAll().finally(() => process.exit(130));
      setTimeout(() => process.exit(130), 4_000).unref();
    });
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

const CLOCK_TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** CPU time (user + system) a process has used so far, in seconds (Linux /proc). */
export function cpuSeconds(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start after the last ")".
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}
