import { Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { ConfigVersionService } from '../../database/config-version.service.js';
import { DatabaseService } from '../../database/database.service.js';
import { SnapshotLoader } from '../../database/snapshot-loader.js';
import { ApiKeyEntity } from '../entities/api-key.entity.js';
import { ConsumerEntity } from '../entities/consumer.entity.js';
import { OAuthClientEntity } from '../entities/oauth-client.entity.js';
import { ServerSecret } from '../server-secret.js';
import { CredentialTable } from './credential-table.js';

/**
 * Holds the consumers, API key hashes and OAuth clients in memory, rebuilt on the same
 * configuration version as the route table: a key created or revoked on any instance is honoured
 * by every instance within a second, and no request reads the database.
 */
@Injectable()
export class CredentialTableService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Credentials');
  private table = CredentialTable.empty();
  private loaded = false;
  private warnedForeign = -1;
  private readonly loader: SnapshotLoader<CredentialTable>;

  constructor(
    db: DatabaseService,
    versions: ConfigVersionService,
    private readonly secret: ServerSecret,
  ) {
    this.loader = new SnapshotLoader('credential table', db, versions, {
      loadedVersion: () => (this.loaded ? this.table.version : undefined),
      read: (manager, version) => this.build(manager, version),
      compile: (table) => table,
      apply: (next, _version, ms) => this.apply(next, ms),
    }, this.logger);
  }

  get current(): CredentialTable {
    return this.table;
  }

  get isLoaded(): boolean {
    return this.loaded;
  }

  onModuleInit(): Promise<void> {
    return this.loader.start();
  }

  onApplicationShutdown(): void {
    this.loader.stop();
  }

  private async build(manager: EntityManager, version: number): Promise<CredentialTable> {
    // One after the other: the statements share the snapshot's single connection anyway.
    const consumers = await manager.find(ConsumerEntity, { select: { id: true, username: true, customId: true, scopes: true } });
    const keys = await manager.find(ApiKeyEntity, { select: { id: true, consumerId: true, keyHash: true, secretFingerprint: true, expiresAt: true, revokedAt: true } });
    const clients = await manager.find(OAuthClientEntity, { select: { id: true, consumerId: true, clientId: true, secretHash: true, secretFingerprint: true } });
    return CredentialTable.compile(version, this.secret.fingerprint, consumers, keys, clients);
  }

  private apply(next: CredentialTable, ms: number): void {
    this.table = next;
    this.loaded = true;
    if (next.foreignHashes > 0 && next.foreignHashes !== this.warnedForeign) {
      this.logger.warn(
        `${next.foreignHashes} API key(s) or client secret(s) were issued under another AUTH_SECRET and cannot be accepted; ` +
          'restore that secret or issue new ones',
      );
    }
    this.warnedForeign = next.foreignHashes;
    this.logger.log({ version: next.version, consumers: next.consumers.size, api_keys: next.apiKeys.size, clients: next.clients.size, ms }, 'credential table built');
  }
}
