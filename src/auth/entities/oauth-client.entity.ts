import { Column, Entity } from 'typeorm';
import { ConsumerCredential } from './consumer-credential.js';

/** OAuth2 client credentials of a consumer (client_credentials grant); the secret is kept as a keyed hash. */
@Entity({ name: 'oauth_clients' })
export class OAuthClientEntity extends ConsumerCredential {
  @Column({ name: 'client_id', type: 'varchar', length: 64, unique: true })
  clientId: string;

  /** Not selected unless asked for: only the credential snapshot reads it. */
  @Column({ name: 'secret_hash', type: 'varchar', length: 64, select: false })
  secretHash: string;
}
