import { readFileSync, writeFileSync } from 'node:fs';

function statusField(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match) throw new Error(`no ${field} for process ${pid}`);
  return Number(match[1]) * 1024;
}

/** Resident memory of another process, and its peak since the last reset (Linux /proc). */
export const residentBytes = (pid: number) => statusField(pid, 'VmRSS');
export const peakResidentBytes = (pid: number) => statusField(pid, 'VmHWM');

/** Resets the peak to the current resident size (`echo 5 > clear_refs`), so the next peak is this transfer's. */
export function resetPeak(pid: number): void {
  writeFileSync(`/proc/${pid}/clear_refs`, '5');
}
