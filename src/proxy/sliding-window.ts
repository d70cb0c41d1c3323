const BUCKETS = 10;

/**
 * Counts of requests and failures over the last `windowMs`, in ten buckets: O(1) per request,
 * no allocation, accurate to a tenth of the window.
 */
export class SlidingWindow {
  private readonly totals = new Uint32Array(BUCKETS);
  private readonly failed = new Uint32Array(BUCKETS);
  private readonly bucketMs: number;
  /** Absolute number of the newest bucket (time / bucketMs). */
  private head = -1;
  private totalSum = 0;
  private failedSum = 0;

  constructor(readonly windowMs: number) {
    this.bucketMs = windowMs / BUCKETS;
  }

  add(now: number, failure: boolean): void {
    this.advance(now);
    const slot = this.head % BUCKETS;
    this.totals[slot]++;
    this.totalSum++;
    if (failure) {
      this.failed[slot]++;
      this.failedSum++;
    }
  }

  total(now: number): number {
    this.advance(now);
    return this.totalSum;
  }

  failures(now: number): number {
    this.advance(now);
    return this.failedSum;
  }

  clear(): void {
    this.totals.fill(0);
    this.failed.fill(0);
    this.totalSum = 0;
    this.failedSum = 0;
  }

  /** Drops the buckets that fell out of the window. */
  private advance(now: number): void {
    const bucket = Math.floor(now / this.bucketMs);
    if (bucket <= this.head) return; // same bucket, or a clock that stepped back
    if (this.head === -1 || bucket - this.head >= BUCKETS) {
      this.clear();
    } else {
      for (let b = this.head + 1; b <= bucket; b++) {
        const slot = b % BUCKETS;
        this.totalSum -= this.totals[slot];
        this.failedSum -= this.failed[slot];
        this.totals[slot] = 0;
        this.failed[slot] = 0;
      }
    }
    this.head = bucket;
  }
}
