import { Injectable } from '@nestjs/common';

/**
 * Per-request counts held as plain numbers and handed to prom-client when it is scraped:
 * prom-client's `inc()` and `observe()` validate and hash the label values on every call, which
 * cost a few µs a request for the three counters and two histograms each request touches (see
 * request-metrics.ts and histogram-buffer.ts). The buffered metrics' `collect()` calls `flush()`
 * before each scrape, so /metrics always shows every request recorded before it.
 */
@Injectable()
export class PendingMetrics {
  private readonly flushers: Array<() => void> = [];

  onFlush(flusher: () => void): void {
    this.flushers.push(flusher);
  }

  flush(): void {
    for (const flusher of this.flushers) flusher();
  }
}
