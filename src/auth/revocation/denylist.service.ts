import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { REVOCATION_STORE, type RevocationStore } from './revocation-store.js';

const SWEEP_INTERVAL_MS = 60_000;

/**
 * The revoked token ids this instance refuses, each until its token would have expired anyway.
 * Held in memory and fed by the revocation store, so checking a token costs one map lookup.
 */
@Injectable()
export class Denylist implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Revocations');
  private readonly entries = new Map<string, number>();
  private sweepTimer: NodeJS.Timeout | undefined;

  constructor(@Inject(REVOCATION_STORE) private readonly store: RevocationStore) {}

  async onModuleInit(): Promise<void> {
    await this.store.start((id, expiresAtMs) => this.add(id, expiresAtMs));
    this.sweepTimer = setInterval(() => this.sweep(), SWEEP_INTERVAL_MS);
    this.sweepTimer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.sweepTimer);
    await this.store.stop();
  }

  has(id: string): boolean {
    return this.entries.size !== 0 && this.entries.has(id);
  }

  get size(): number {
    return this.entries.size;
  }

  /** Refused here at once; rejects when the other instances could not be told (the store failed). */
  async revoke(id: string, expiresAtMs: number): Promise<void> {
    this.add(id, expiresAtMs);
    try {
      await this.store.revoke(id, expiresAtMs);
    } catch (error) {
      this.logger.warn(`a revocation could not be shared: ${(error as Error).message}`);
      throw error;
    }
  }

  private add(id: string, expiresAtMs: number): void {
    if (expiresAtMs <= Date.now()) return;
    const known = this.entries.get(id);
    if (known === undefined || known < expiresAtMs) this.entries.set(id, expiresAtMs);
  }

  private sweep(): void {
    const now = Date.now();
    for (const [id, expiresAtMs] of this.entries) if (expiresAtMs <= now) this.entries.delete(id);
  }
}
