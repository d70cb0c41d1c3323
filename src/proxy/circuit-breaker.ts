import type { CircuitBreakerConfig } from '../routing/table/compiled-route.js';
import { SlidingWindow } from './sliding-window.js';

export type CircuitState = 'CLOSED' | 'OPEN' | 'HALF_OPEN';

/** How a request admitted by the breaker ended. */
export const enum Outcome {
  Success = 0,
  Failure = 1,
  /** Neither: the client went away, the bulkhead refused it, no target was left. */
  Neutral = 2,
}

/** Returned by `admit` when the request must be refused. */
export const REFUSED = -1;

export interface CircuitSnapshot {
  state: CircuitState;
  requestsInWindow: number;
  failuresInWindow: number;
  /** `now`-clock ms of the last opening; null when it never opened. */
  openedAt: number | null;
  /** While OPEN: ms until trial requests are let through. */
  retryInMs: number | null;
  /** Trials let through since HALF_OPEN began (a trial that ended neutrally gives its place back). */
  halfOpenAdmitted: number;
  halfOpenSuccesses: number;
}

/**
 * One service's circuit breaker on this instance, fitted to its settings:
 *
 *   CLOSED     requests pass; once `failureThreshold` failures sit in the last `failureWindowMs`
 *              among at least `minThroughput` requests, → OPEN
 *   OPEN       every request is refused at once; after `recoveryTimeoutMs`, → HALF_OPEN
 *   HALF_OPEN  `halfOpenMaxRequests` trial requests are let through (the rest refused); one
 *              failure → OPEN again, all of them successful → CLOSED (window cleared)
 *
 * Time comes from the caller (`now` in ms on any monotonic clock), so the state machine is
 * tested without waiting. A request is admitted with a ticket (the breaker's epoch, bumped on
 * every transition): an outcome from an earlier state is ignored, so that a slow request
 * admitted while CLOSED cannot close a circuit that has since opened.
 */
export class CircuitBreaker {
  private stateValue: CircuitState = 'CLOSED';
  private epoch = 0;
  private window: SlidingWindow;
  private openedAt: number | null = null;
  private halfOpenAdmitted = 0;
  private halfOpenSuccesses = 0;

  constructor(
    private config: CircuitBreakerConfig,
    private readonly onTransition: (from: CircuitState, to: CircuitState) => void = () => undefined,
  ) {
    this.window = new SlidingWindow(config.failureWindowMs);
  }

  get state(): CircuitState {
    return this.stateValue;
  }

  get settings(): CircuitBreakerConfig {
    return this.config;
  }

  /** A ticket for `record`, or REFUSED. */
  admit(now: number): number {
    if (this.stateValue === 'CLOSED') return this.epoch;
    this.settle(now);
    if (this.stateValue === 'OPEN' || this.halfOpenAdmitted >= this.config.halfOpenMaxRequests) return REFUSED;
    this.halfOpenAdmitted++;
    return this.epoch;
  }

  record(ticket: number, outcome: Outcome, now: number): void {
    if (ticket !== this.epoch) return;
    if (this.stateValue === 'CLOSED') {
      if (outcome === Outcome.Neutral) return;
      this.window.add(now, outcome === Outcome.Failure);
      // Checked on successes too: the one that brings the window up to min_throughput may be a success.
      if (this.window.failures(now) >= this.config.failureThreshold && this.window.total(now) >= this.config.minThroughput) this.open(now);
      return;
    }
    if (this.stateValue !== 'HALF_OPEN') return;
    if (outcome === Outcome.Failure) {
      this.open(now);
    } else if (outcome === Outcome.Neutral) {
      this.halfOpenAdmitted--;
    } else if (++this.halfOpenSuccesses >= this.config.halfOpenMaxRequests) {
      this.transition('CLOSED');
    }
  }

  /** OPEN → HALF_OPEN once the recovery timeout is over (also called by a timer, for the views and events). */
  settle(now: number): void {
    if (this.stateValue === 'OPEN' && now - this.openedAt! >= this.config.recoveryTimeoutMs) this.transition('HALF_OPEN');
  }

  /** Whole seconds a refused client should wait (at least 1). */
  retryAfterSeconds(now: number): number {
    if (this.stateValue !== 'OPEN') return 1;
    return Math.max(1, Math.ceil((this.openedAt! + this.config.recoveryTimeoutMs - now) / 1_000));
  }

  /** Back to CLOSED with an empty window (the admin reset). */
  reset(): void {
    if (this.stateValue === 'CLOSED') {
      this.window.clear();
      return;
    }
    this.transition('CLOSED');
  }

  /** New settings; the state stays, the window restarts when its length changed. */
  reconfigure(config: CircuitBreakerConfig): void {
    if (config.failureWindowMs !== this.config.failureWindowMs) this.window = new SlidingWindow(config.failureWindowMs);
    this.config = config;
  }

  snapshot(now: number): CircuitSnapshot {
    this.settle(now);
    return {
      state: this.stateValue,
      requestsInWindow: this.stateValue === 'CLOSED' ? this.window.total(now) : 0,
      failuresInWindow: this.stateValue === 'CLOSED' ? this.window.failures(now) : 0,
      openedAt: this.openedAt,
      retryInMs: this.stateValue === 'OPEN' ? Math.max(0, this.openedAt! + this.config.recoveryTimeoutMs - now) : null,
      halfOpenAdmitted: this.halfOpenAdmitted,
      halfOpenSuccesses: this.halfOpenSuccesses,
    };
  }

  private open(now: number): void {
    this.openedAt = now;
    this.transition('OPEN');
  }

  private transition(to: CircuitState): void {
    const from = this.stateValue;
    this.stateValue = to;
    this.epoch++;
    this.halfOpenAdmitted = 0;
    this.halfOpenSuccesses = 0;
    this.window.clear();
    this.onTransition(from, to);
  }
}
