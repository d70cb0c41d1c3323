import { waitMs } from './limit-decision.js';
import type { LimitState } from './rate-limit-store.js';

/**
 * An exact sliding window: the log of admission times (ms, oldest first). An entry counts while
 * `now - time < windowMs`, so no span of `windowMs` ever holds more than `limit` admissions.
 * The same arithmetic runs in Redis (limit-script.ts); keep the two in step.
 */

/** Index of the first entry still inside the window. */
function firstInWindow(log: readonly number[], windowMs: number, nowMs: number): number {
  const since = nowMs - windowMs;
  let index = 0;
  while (index < log.length && log[index] <= since) index++;
  return index;
}

/**
 * The counter's answer at `nowMs`. With `take`, an admitted request is counted in the answer
 * (the caller then calls `recordAdmission`); without it the answer is a peek.
 */
export function slidingLogState(log: readonly number[], limit: number, windowMs: number, nowMs: number, take: boolean): LimitState {
  const first = firstInWindow(log, windowMs, nowMs);
  const count = log.length - first;
  const allowed = count < limit;
  if (allowed && take) return { allowed, remaining: limit - count - 1, resetMs: windowMs, retryAfterMs: 0 };
  const newest = count > 0 ? log[log.length - 1] : undefined;
  const resetMs = newest === undefined ? 0 : waitMs(newest + windowMs - nowMs);
  if (allowed) return { allowed, remaining: limit - count, resetMs, retryAfterMs: 0 };
  // Room for one comes when all but limit-1 entries have left: the (count-limit+1)th oldest, not
  // simply the oldest, when the limit was lowered below what the log holds.
  const leaving = log[first + Math.max(0, count - limit)];
  const retryAfterMs = leaving === undefined ? windowMs : waitMs(leaving + windowMs - nowMs);
  return { allowed, remaining: 0, resetMs, retryAfterMs };
}

/** Drops the entries that have left the window and appends `nowMs` (kept in order if the clock stepped back). */
export function recordAdmission(log: number[], windowMs: number, nowMs: number): void {
  log.splice(0, firstInWindow(log, windowMs, nowMs));
  log.push(Math.max(nowMs, log.at(-1) ?? nowMs));
}
