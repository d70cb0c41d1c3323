import type { Identity } from '../../proxy/request-context.js';
import { buildIdentity } from '../identity.js';

export interface CompiledConsumer {
  readonly id: string;
  readonly username: string;
  readonly customId: string | null;
  readonly scopes: readonly string[];
  /** What an API key of this consumer authenticates as. */
  readonly keyIdentity: Identity;
}

export interface CompiledApiKey {
  readonly id: string;
  readonly consumer: CompiledConsumer;
  /** Epoch ms; null: never expires. */
  readonly expiresAtMs: number | null;
  readonly revoked: boolean;
}

export interface CompiledClient {
  readonly id: string;
  readonly clientId: string;
  readonly consumer: CompiledConsumer;
  readonly secretHash: string;
}

export interface ConsumerRow {
  id: string;
  username: string;
  customId: string | null;
  scopes: string[];
}

export interface ApiKeyRow {
  id: string;
  consumerId: string;
  keyHash: string;
  secretFingerprint: string;
  expiresAt: Date | null;
  revokedAt: Date | null;
}

export interface ClientRow {
  id: string;
  consumerId: string;
  clientId: string;
  secretHash: string;
  secretFingerprint: string;
}

// Presented keys remembered per table (see keyFor); past this many the memo starts afresh.
const KEY_MEMO_MAX = 10_000;

/**
 * The credentials of one configuration version, as the data plane looks them up: API keys by the
 * keyed hash of the key, OAuth clients by client_id, consumers by id. Immutable; swapped whole.
 */
export class CredentialTable {
  /**
   * Keys presented before, straight to their record, so that a client's key is hashed once per
   * table rather than on every request (as Kong caches credentials by key). Only hits are kept, so
   * made-up keys cannot fill it; a new table (any revocation) starts with an empty memo.
   */
  private readonly keyMemo = new Map<string, CompiledApiKey>();

  private constructor(
    readonly version: number,
    readonly consumers: ReadonlyMap<string, CompiledConsumer>,
    readonly apiKeys: ReadonlyMap<string, CompiledApiKey>,
    readonly clients: ReadonlyMap<string, CompiledClient>,
    /** Keys and client secrets hashed under another server secret: they can no longer match. */
    readonly foreignHashes: number,
  ) {}

  /** The key record of a presented key; `hash` (the keyed hash) is called only for a key not seen before. */
  keyFor(presented: string, hash: (key: string) => string): CompiledApiKey | undefined {
    const known = this.keyMemo.get(presented);
    if (known !== undefined) return known;
    const key = this.apiKeys.get(hash(presented));
    if (key !== undefined) {
      if (this.keyMemo.size >= KEY_MEMO_MAX) this.keyMemo.clear();
      this.keyMemo.set(presented, key);
    }
    return key;
  }

  static empty(): CredentialTable {
    return new CredentialTable(-1, new Map(), new Map(), new Map(), 0);
  }

  static compile(version: number, fingerprint: string, consumerRows: ConsumerRow[], keyRows: ApiKeyRow[], clientRows: ClientRow[]): CredentialTable {
    const consumers = new Map<string, CompiledConsumer>();
    for (const row of consumerRows) {
      consumers.set(row.id, {
        id: row.id,
        username: row.username,
        customId: row.customId,
        scopes: Object.freeze([...row.scopes]),
        keyIdentity: buildIdentity('api_key', row.id, row.customId ?? row.id, row.scopes),
      });
    }
    let foreignHashes = 0;
    const apiKeys = new Map<string, CompiledApiKey>();
    for (const row of keyRows) {
      const consumer = consumers.get(row.consumerId);
      if (!consumer) continue;
      if (row.secretFingerprint !== fingerprint) foreignHashes++;
      apiKeys.set(row.keyHash, { id: row.id, consumer, expiresAtMs: row.expiresAt?.getTime() ?? null, revoked: row.revokedAt !== null });
    }
    const clients = new Map<string, CompiledClient>();
    for (const row of clientRows) {
      const consumer = consumers.get(row.consumerId);
      if (!consumer) continue;
      if (row.secretFingerprint !== fingerprint) foreignHashes++;
      clients.set(row.clientId, { id: row.id, clientId: row.clientId, consumer, secretHash: row.secretHash });
    }
    return new CredentialTable(version, consumers, apiKeys, clients, foreignHashes);
  }
}
