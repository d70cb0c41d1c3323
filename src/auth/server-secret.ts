import { createHmac, createSecretKey, type KeyObject, randomBytes } from 'node:crypto';
import { Logger } from '@nestjs/common';
import type { GatewayConfig } from '../config/gateway-config.js';
import type { DatabaseService } from '../database/database.service.js';

/**
 * The server secret (AUTH_SECRET): it keys the hashes of API keys and client secrets, so that the
 * stored hashes alone cannot be checked against guesses, and, without JWT_SECRET, it is what the
 * gateway's own tokens are signed with (through a key derived from it).
 */
export class ServerSecret {
  private readonly key: KeyObject;
  /** Names this secret in each stored hash, so that hashes made under another one are recognised. */
  readonly fingerprint: string;
  /** HS256 key for the tokens the gateway issues when JWT_SECRET is not set. */
  readonly derivedSigningKey: Buffer;

  constructor(secret: string, readonly generated: boolean) {
    this.key = createSecretKey(Buffer.from(secret, 'utf8'));
    this.fingerprint = this.hash('gateway secret fingerprint').slice(0, 16);
    this.derivedSigningKey = createHmac('sha256', this.key).update('gateway token signing key').digest();
  }

  /** HMAC-SHA256, hex: what is stored for a key or a client secret, and looked up per request. */
  hash(value: string): string {
    return createHmac('sha256', this.key).update(value).digest('hex');
  }
}

/**
 * AUTH_SECRET when set; otherwise one generated at first start and kept in gateway_state, shared by
 * every instance. Unlike the admin key it has to be kept as it is (a hash cannot key anything), so
 * whoever can read that table can check API keys and, without JWT_SECRET, sign tokens.
 */
export async function loadServerSecret(config: GatewayConfig, db: DatabaseService): Promise<ServerSecret> {
  const logger = new Logger('ServerSecret');
  if (config.authSecret) return new ServerSecret(config.authSecret, false);
  const read = async () =>
    (await db.read((manager) => manager.query('SELECT auth_secret FROM gateway_state WHERE id = 1')) as Array<{ auth_secret: string | null }>)[0]?.auth_secret ?? null;
  let secret = await read();
  if (!secret) {
    // Several instances may start at once: only the first to write keeps its secret.
    await db.write((manager) =>
      manager.query('UPDATE gateway_state SET auth_secret = $1 WHERE id = 1 AND auth_secret IS NULL', [randomBytes(32).toString('base64url')]),
    );
    secret = (await read())!;
  }
  logger.warn(
    'AUTH_SECRET is not set: using the secret generated at first start and stored in the database. ' +
      'Anyone who can read the database can then check API keys and, without JWT_SECRET, sign tokens; set AUTH_SECRET in production.',
  );
  return new ServerSecret(secret, true);
}
