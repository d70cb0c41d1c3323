// Resident memory of a process (Linux /proc), sampled while a load runs.
import { readFileSync } from 'node:fs';
import { median } from './stats.js';

/** VmRSS of a /proc/<pid>/status text, in bytes; undefined when absent (a kernel thread, a zombie). */
export function parseVmRss(status: string): number | undefined {
  const m = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
  return m === null ? undefined : Number(m[1]) * 1024;
}

export function rssBytes(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    return parseVmRss(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return undefined;
  }
}

/** One process's resident memory around one measured load, in bytes. */
export interface RssSummary {
  pid: number;
  /** Before the warm-up. */
  before: number;
  median: number;
  peak: number;
  /** Half a second after the load. */
  after: number;
  samples: number;
}

/** Samples a process's RSS every `intervalMs` from start() to stop(). */
export class RssSampler {
  private readonly samples: number[] = [];
  private timer: NodeJS.Timeout | undefined;
  private before: number | undefined;

  constructor(
    private readonly pid: number | undefined,
    private readonly intervalMs = 250,
  ) {}

  /** Reads the idle figure (call before the warm-up). */
  markIdle(): void {
    this.before = rssBytes(this.pid);
  }

  start(): void {
    this.timer = setInterval(() => {
      const rss = rssBytes(this.pid);
      if (rss !== undefined) this.samples.push(rss);
    }, this.intervalMs);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  summary(after: number | undefined): RssSummary | undefined {
    if (this.pid === undefined || this.samples.length === 0 || this.before === undefined || after === undefined) return undefined;
    return { pid: this.pid, before: this.before, median: median(this.samples), peak: Math.max(...this.samples), after, samples: this.samples.length };
  }
}
