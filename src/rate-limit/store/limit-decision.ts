import type { LimitDecision, LimitState } from './rate-limit-store.js';

/** The decision for a call whose counters answered `states` (in the order of the checks). */
export function decisionOf(states: readonly LimitState[], store: LimitDecision['store']): LimitDecision {
  const refusedIndex = states.findIndex((state) => !state.allowed);
  return { allowed: refusedIndex === -1, states, refusedIndex, store };
}

/** Milliseconds rounded up, never negative: a client told to wait this long finds room. */
export const waitMs = (ms: number): number => (ms > 0 ? Math.ceil(ms) : 0);
