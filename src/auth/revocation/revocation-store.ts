/** Receives each revocation, those made before the store started included. */
export type RevocationListener = (id: string, expiresAtMs: number) => void;

/**
 * Where revoked token ids are kept so that every instance honours them: Redis (REDIS_URL) for a
 * fleet, or this process alone. Chosen by the factory in auth.module.ts, as @nestjs/throttler
 * chooses its storage.
 */
export interface RevocationStore {
  /** Starts delivering revocations to `listener`: first those already stored, then new ones. */
  start(listener: RevocationListener): Promise<void>;
  /** Keeps `id` revoked until `expiresAtMs` for every instance; rejects if that could not be made sure of. */
  revoke(id: string, expiresAtMs: number): Promise<void>;
  stop(): Promise<void>;
}

export const REVOCATION_STORE = Symbol('REVOCATION_STORE');
