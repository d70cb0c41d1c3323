import type { Histogram } from 'prom-client';

/**
 * prom-client 15.1's state of one label set of a histogram (the values of `Histogram#hashMap` in
 * lib/histogram.js). Not public API: prom-client is pinned in package.json, and
 * histogram-buffer.spec.ts compares what a flush exposes with what `observe()` would have.
 */
interface LabelSetValues {
  labels: object;
  bucketValues: Record<number, number>;
  sum: number;
  count: number;
}

const labelSetsOf = (histogram: Histogram) => (histogram as unknown as { hashMap: Record<string, LabelSetValues> }).hashMap;

/**
 * The observations of one label set of a histogram, counted here per bucket and added to
 * prom-client's histogram when it is scraped (the histogram's `collect` calls `flush()` first).
 * prom-client's `observe()` validates and hashes the label values and looks its bucket up by a
 * float-keyed property on every call: about 0.6 µs, twice per proxied request. Here an observation
 * is a bucket search over a few numbers.
 */
export class HistogramBuffer {
  /** Observations since the last flush per bucket, by upper bound; the last slot is above every bound (+Inf only). */
  private readonly pending: Float64Array;
  private pendingSum = 0;
  private pendingCount = 0;
  private values: LabelSetValues | undefined;
  private key = '';

  constructor(
    private readonly histogram: Histogram,
    private readonly labels: Record<string, string>,
    private readonly bounds: readonly number[],
  ) {
    this.pending = new Float64Array(bounds.length + 1);
  }

  observe(value: number): void {
    const bounds = this.bounds;
    let bucket = 0;
    while (bucket < bounds.length && value > bounds[bucket]) bucket++;
    this.pending[bucket]++;
    this.pendingSum += value;
    this.pendingCount++;
  }

  flush(): void {
    if (this.pendingCount === 0) return;
    const values = this.labelSetValues();
    const { bounds, pending } = this;
    for (let bucket = 0; bucket < bounds.length; bucket++) {
      if (pending[bucket] === 0) continue;
      values.bucketValues[bounds[bucket]] += pending[bucket];
      pending[bucket] = 0;
    }
    // Above the last bound, prom-client counts an observation only in `count` (the +Inf bucket).
    pending[bounds.length] = 0;
    values.sum += this.pendingSum;
    values.count += this.pendingCount;
    this.pendingSum = 0;
    this.pendingCount = 0;
  }

  /** This label set's values in the histogram, made through the public `zero()` the first time and after a `reset()`. */
  private labelSetValues(): LabelSetValues {
    const known = this.values;
    if (known !== undefined && labelSetsOf(this.histogram)[this.key] === known) return known;
    // zero() keeps the labels object it is given, which tells this label set apart from the others.
    this.histogram.zero(this.labels);
    const labelSets = labelSetsOf(this.histogram);
    for (const key in labelSets) {
      if (labelSets[key].labels !== this.labels) continue;
      this.key = key;
      return (this.values = labelSets[key]);
    }
    throw new Error(`histogram ${(this.histogram as unknown as { name: string }).name}: zero() made no label set (prom-client changed?)`);
  }
}
