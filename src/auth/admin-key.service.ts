import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { GatewayConfig } from '../config/gateway-config.js';
import { DatabaseService } from '../database/database.service.js';

const sha256 = (value: string) => createHash('sha256').update(value).digest();

/**
 * The admin API key: ADMIN_API_KEY when set; otherwise one generated at first start, printed once
 * and kept only as a hash in the database, shared by every instance.
 */
@Injectable()
export class AdminKeyService implements OnModuleInit {
  private readonly logger = new Logger('AdminKey');
  private keyHash: Buffer | undefined;

  constructor(
    private readonly config: GatewayConfig,
    private readonly db: DatabaseService,
  ) {}

  async onModuleInit(): Promise<void> {
    if (this.config.adminApiKey) {
      this.keyHash = sha256(this.config.adminApiKey);
      return;
    }
    const stored = await this.storedHash();
    if (stored) {
      this.keyHash = Buffer.from(stored, 'hex');
      this.logger.log('using the admin key generated at first start (set ADMIN_API_KEY to choose your own)');
      return;
    }
    const key = `gwadm_${randomBytes(32).toString('base64url')}`;
    // Several instances may start at once: only the first to write keeps its key.
    const won: unknown[] = await this.db.write((manager) =>
      manager.query('UPDATE gateway_state SET admin_key_hash = $1 WHERE id = 1 AND admin_key_hash IS NULL RETURNING id', [sha256(key).toString('hex')]),
    );
    if (won.length === 0) {
      this.keyHash = Buffer.from((await this.storedHash())!, 'hex');
      return;
    }
    this.keyHash = sha256(key);
    // Printed straight to stderr, once, outside the structured log.
    process.stderr.write(
      `\n  No ADMIN_API_KEY was set, so an admin key was generated. It is shown only this once:\n\n    ${key}\n\n` +
        '  Send it as "X-API-Key" to /admin. Only its hash is stored; set ADMIN_API_KEY to replace it.\n\n',
    );
  }

  verify(presented: string | undefined): boolean {
    if (!presented || !this.keyHash) return false;
    return timingSafeEqual(sha256(presented), this.keyHash);
  }

  private async storedHash(): Promise<string | null> {
    const rows: Array<{ admin_key_hash: string | null }> = await this.db.read((manager) =>
      manager.query('SELECT admin_key_hash FROM gateway_state WHERE id = 1'),
    );
    return rows[0]?.admin_key_hash ?? null;
  }
}
