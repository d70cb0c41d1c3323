import type { RevocationListener, RevocationStore } from './revocation-store.js';

/** Without Redis: revocations live in this process only (a single instance; lost on restart). */
export class MemoryRevocationStore implements RevocationStore {
  private listener: RevocationListener | undefined;

  async start(listener: RevocationListener): Promise<void> {
    this.listener = listener;
  }

  async revoke(id: string, expiresAtMs: number): Promise<void> {
    this.listener?.(id, expiresAtMs);
  }

  async stop(): Promise<void> {
    this.listener = undefined;
  }
}
