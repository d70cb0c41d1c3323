import { Column, Entity } from 'typeorm';
import { ConsumerCredential } from './consumer-credential.js';

/** A consumer's API key. The key itself is shown once at creation; only its keyed hash is kept. */
@Entity({ name: 'api_keys' })
export class ApiKeyEntity extends ConsumerCredential {
  /** Not selected unless asked for: only the credential snapshot reads it. */
  @Column({ name: 'key_hash', type: 'varchar', length: 64, select: false })
  keyHash: string;

  /** The first characters of the key, so that people can tell their keys apart. */
  @Column({ name: 'key_prefix', type: 'varchar', length: 16 })
  keyPrefix: string;

  @Column({ name: 'expires_at', type: 'timestamptz', nullable: true })
  expiresAt: Date | null;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt: Date | null;
}
