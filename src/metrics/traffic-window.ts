import { ABORTED, CLIENT_ERROR, SERVER_ERROR, STATUS_CLASSES } from './request-labels.js';

/**
 * The last minute of one route's (or the whole gateway's) traffic, for the JSON views: twelve
 * 5-second slots in a ring, each with counts, sums and two latency histograms (request, upstream)
 * of log-spaced buckets. Recording is a few array writes and one logarithm; no allocation. Slots
 * are recycled by number, so a quiet route costs nothing until its next request.
 *
 * Percentiles come from the buckets: each is reported as its bucket's geometric middle, within
 * about ±10% of the true value (buckets grow by 20%).
 */
export const SLOT_MS = 5_000;
export const SLOTS = 12;
export const WINDOW_MS = SLOT_MS * SLOTS;

const MIN_MS = 0.05;
const GROWTH = 1.2;
const LOG_GROWTH = Math.log(GROWTH);
/** Bucket 0 is [0, 0.05 ms]; bucket i is (0.05·1.2^(i-1), 0.05·1.2^i] ms; the last one also holds everything above ~74 s. */
export const BUCKETS = 80;

const F_REQUESTS = 0;
const F_SERVER_ERRORS = 1;
const F_CLIENT_ERRORS = 2;
const F_ABORTED = 3;
const F_DURATION_SUM = 4;
const F_UPSTREAM_COUNT = 5;
const F_UPSTREAM_SUM = 6;
const FIELDS = 7;

export function bucketOf(ms: number): number {
  if (!(ms > MIN_MS)) return 0;
  const index = Math.ceil(Math.log(ms / MIN_MS) / LOG_GROWTH);
  return index < BUCKETS ? index : BUCKETS - 1;
}

/** The value a bucket stands for: the geometric middle of its bounds. */
export function bucketValue(index: number): number {
  return index === 0 ? MIN_MS : MIN_MS * GROWTH ** (index - 0.5);
}

export interface LatencySummary {
  avg_ms: number | null;
  p50_ms: number | null;
  p95_ms: number | null;
  p99_ms: number | null;
}

export interface WindowSummary {
  requests: number;
  /** Seconds the figures cover: up to 60, less just after start or a reset. */
  window_seconds: number;
  requests_per_second: number;
  server_errors: number;
  client_errors: number;
  aborted: number;
  /** Share of requests answered without a 5xx and not aborted; null without traffic. */
  success_rate: number | null;
  latency: LatencySummary;
  upstream_latency: LatencySummary;
}

export class TrafficWindow {
  // -Infinity: no slot yet (a number such as -1 could pass for a recent slot near the clock's zero).
  private readonly slotIds = new Float64Array(SLOTS).fill(-Infinity);
  private readonly scalars = new Float64Array(SLOTS * FIELDS);
  private readonly latency = new Uint32Array(SLOTS * BUCKETS);
  private readonly upstream = new Uint32Array(SLOTS * BUCKETS);

  /** `upstreamMs` < 0: no upstream call was made. */
  record(nowMs: number, statusClass: number, durationMs: number, upstreamMs: number): void {
    const slot = this.slot(nowMs);
    const base = slot * FIELDS;
    const s = this.scalars;
    s[base + F_REQUESTS]++;
    if (statusClass === SERVER_ERROR) s[base + F_SERVER_ERRORS]++;
    else if (statusClass === CLIENT_ERROR) s[base + F_CLIENT_ERRORS]++;
    else if (statusClass === ABORTED) s[base + F_ABORTED]++;
    s[base + F_DURATION_SUM] += durationMs;
    this.latency[slot * BUCKETS + bucketOf(durationMs)]++;
    if (upstreamMs >= 0) {
      s[base + F_UPSTREAM_COUNT]++;
      s[base + F_UPSTREAM_SUM] += upstreamMs;
      this.upstream[slot * BUCKETS + bucketOf(upstreamMs)]++;
    }
  }

  /** The slots of the last minute, as of `nowMs`; `sinceMs` (start or last reset) shortens the window. */
  summary(nowMs: number, sinceMs: number): WindowSummary {
    const current = Math.floor(nowMs / SLOT_MS);
    const totals = new Float64Array(FIELDS);
    const latency = new Uint32Array(BUCKETS);
    const upstream = new Uint32Array(BUCKETS);
    for (let slot = 0; slot < SLOTS; slot++) {
      const id = this.slotIds[slot];
      if (id <= current - SLOTS || id > current) continue;
      for (let f = 0; f < FIELDS; f++) totals[f] += this.scalars[slot * FIELDS + f];
      for (let b = 0; b < BUCKETS; b++) {
        latency[b] += this.latency[slot * BUCKETS + b];
        upstream[b] += this.upstream[slot * BUCKETS + b];
      }
    }
    const windowStart = Math.max(sinceMs, (current - SLOTS + 1) * SLOT_MS);
    const seconds = Math.max(1, (nowMs - windowStart) / 1000);
    const requests = totals[F_REQUESTS];
    const failed = totals[F_SERVER_ERRORS] + totals[F_ABORTED];
    return {
      requests,
      window_seconds: round(seconds, 1),
      requests_per_second: round(requests / seconds, 2),
      server_errors: totals[F_SERVER_ERRORS],
      client_errors: totals[F_CLIENT_ERRORS],
      aborted: totals[F_ABORTED],
      success_rate: requests > 0 ? round((requests - failed) / requests, 4) : null,
      latency: latencySummary(latency, requests, totals[F_DURATION_SUM]),
      upstream_latency: latencySummary(upstream, totals[F_UPSTREAM_COUNT], totals[F_UPSTREAM_SUM]),
    };
  }

  reset(): void {
    this.slotIds.fill(-Infinity);
  }

  private slot(nowMs: number): number {
    const id = Math.floor(nowMs / SLOT_MS);
    const slot = id % SLOTS;
    if (this.slotIds[slot] !== id) {
      this.slotIds[slot] = id;
      this.scalars.fill(0, slot * FIELDS, (slot + 1) * FIELDS);
      this.latency.fill(0, slot * BUCKETS, (slot + 1) * BUCKETS);
      this.upstream.fill(0, slot * BUCKETS, (slot + 1) * BUCKETS);
    }
    return slot;
  }
}

/** The value at quantile `q` of a bucketed distribution of `count` values. */
export function quantile(buckets: ArrayLike<number>, count: number, q: number): number | null {
  if (count <= 0) return null;
  const rank = Math.max(1, Math.ceil(q * count));
  let seen = 0;
  for (let b = 0; b < buckets.length; b++) {
    seen += buckets[b];
    if (seen >= rank) return bucketValue(b);
  }
  return bucketValue(buckets.length - 1);
}

function latencySummary(buckets: Uint32Array, count: number, sum: number): LatencySummary {
  const at = (q: number) => {
    const value = quantile(buckets, count, q);
    return value === null ? null : round(value, 3);
  };
  return { avg_ms: count > 0 ? round(sum / count, 3) : null, p50_ms: at(0.5), p95_ms: at(0.95), p99_ms: at(0.99) };
}

export function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

/** Counts since start or the last reset; kept beside the window for the "totals" of the JSON views. */
export class TrafficTotals {
  requests = 0;
  readonly byStatusClass = new Float64Array(STATUS_CLASSES.length);
  durationSumMs = 0;
  upstreamCalls = 0;
  upstreamSumMs = 0;
  retries = 0;

  record(statusClass: number, durationMs: number, upstreamMs: number, retries: number): void {
    this.requests++;
    this.byStatusClass[statusClass]++;
    this.durationSumMs += durationMs;
    if (upstreamMs >= 0) {
      this.upstreamCalls++;
      this.upstreamSumMs += upstreamMs;
    }
    this.retries += retries;
  }

  reset(): void {
    this.requests = 0;
    this.byStatusClass.fill(0);
    this.durationSumMs = 0;
    this.upstreamCalls = 0;
    this.upstreamSumMs = 0;
    this.retries = 0;
  }
}
