/**
 * A service's cap on requests in flight on this instance. No queue: a request beyond the cap is
 * refused at once, so a slow service cannot tie up the gateway's memory and sockets.
 */
export class Bulkhead {
  private active = 0;

  /** `limit` null: no cap. */
  constructor(public limit: number | null) {}

  get inFlight(): number {
    return this.active;
  }

  tryAcquire(): boolean {
    if (this.limit !== null && this.active >= this.limit) return false;
    this.active++;
    return true;
  }

  release(): void {
    this.active--;
  }
}
