import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/** OAuth2 client credentials of a consumer (client_credentials grant); the secret is kept as a keyed hash. */
@Entity({ name: 'oauth_clients' })
export class OAuthClientEntity {
  @PrimaryColumn('uuid')
  id: string;

  @Column({ name: 'consumer_id', type: 'uuid' })
  consumerId: string;

  @Column({ type: 'varchar', length: 128, nullable: true })
  name: string | null;

  @Column({ name: 'client_id', type: 'varchar', length: 64, unique: true })
  clientId: string;

  @Column({ name: 'secret_hash', type: 'varchar', length: 64, select: false })
  secretHash: string;

  @Column({ name: 'secret_fingerprint', type: 'varchar', length: 16 })
  secretFingerprint: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
