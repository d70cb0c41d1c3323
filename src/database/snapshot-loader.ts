import type { Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { ConfigVersionService } from './config-version.service.js';
import type { DatabaseService } from './database.service.js';

const RETRY_DELAY_MS = 1_000;

/** What one in-memory snapshot of the configuration is built from, and where it goes. */
export interface SnapshotSource<T, R = T> {
  /** The configuration version in place, or undefined before the first build. */
  loadedVersion(): number | undefined;
  /** Reads what the snapshot of `version` is made of, in one consistent read. */
  read(manager: EntityManager, version: number): Promise<R>;
  /**
   * Makes the snapshot from what was read, once the read's transaction has ended: a long compile
   * (the route table's, over several turns of the event loop) holds no connection.
   */
  compile(read: R, version: number): T | Promise<T>;
  /** Puts the new snapshot in place (swaps a reference) and reports it. */
  apply(next: T, version: number, ms: number): void;
}

/**
 * Keeps an in-memory snapshot in step with the configuration version: built at start, rebuilt
 * whenever the version moves (an admin write here, NOTIFY or the poll from elsewhere). A rebuild
 * reads one REPEATABLE READ snapshot and swaps the result in whole. Rebuilds never overlap;
 * changes that arrive during one are folded into the next; a failed one is retried.
 */
export class SnapshotLoader<T, R = T> {
  private rebuilding: Promise<void> | undefined;
  private pending = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly what: string,
    private readonly db: DatabaseService,
    private readonly versions: ConfigVersionService,
    private readonly source: SnapshotSource<T, R>,
    private readonly logger: Logger,
  ) {}

  /** Subscribes to version changes and builds the first snapshot. */
  start(): Promise<void> {
    this.unsubscribe = this.versions.onChange((version) => (version !== this.source.loadedVersion() ? this.refresh() : undefined));
    return this.refresh();
  }

  stop(): void {
    this.unsubscribe?.();
    clearTimeout(this.retryTimer);
  }

  /** Rebuilds from the database; resolves once a snapshot at least as new as the call is in place. */
  refresh(): Promise<void> {
    if (this.rebuilding) {
      this.pending = true;
      return this.rebuilding;
    }
    this.rebuilding = (async () => {
      try {
        do {
          this.pending = false;
          await this.rebuild();
        } while (this.pending);
      } finally {
        this.rebuilding = undefined;
      }
    })();
    return this.rebuilding;
  }

  private async rebuild(): Promise<void> {
    try {
      const started = performance.now();
      const read = await this.db.snapshot(async (manager) => {
        const version = await this.versions.current(manager);
        if (version === this.source.loadedVersion()) return undefined;
        return { version, data: await this.source.read(manager, version) };
      });
      if (!read) return;
      const next = await this.source.compile(read.data, read.version);
      this.source.apply(next, read.version, Math.round(performance.now() - started));
    } catch (error) {
      this.logger.error(`could not build the ${this.what}: ${(error as Error).message}; retrying`);
      clearTimeout(this.retryTimer);
      this.retryTimer = setTimeout(() => void this.refresh(), RETRY_DELAY_MS);
      this.retryTimer.unref();
    }
  }
}
