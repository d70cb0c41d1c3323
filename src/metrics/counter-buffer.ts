import { Injectable } from '@nestjs/common';

/**
 * Per-request counter increments, held as plain numbers and handed to prom-client when it is
 * scraped: prom-client's `inc()` hashes the label values on every call, which cost about 1 µs a
 * request for the three counters each request touches. Histograms are still observed directly.
 * The counters' `collect()` calls `flush()` before each scrape, so /metrics is always current.
 */
@Injectable()
export class CounterBuffer {
  private readonly flushers: Array<() => void> = [];

  onFlush(flusher: () => void): void {
    this.flushers.push(flusher);
  }

  flush(): void {
    for (const flusher of this.flushers) flusher();
  }
}
