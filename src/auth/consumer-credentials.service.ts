import { randomBytes, randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';
import { notFound } from '../common/gateway-error.js';
import { isUuid } from '../common/validators.js';
import { DatabaseService } from '../database/database.service.js';
import { ConfigWriter } from '../routing/config-writer.service.js';
import type { ListQueryDto } from '../routing/dto/list-query.dto.js';
import { page, type Page } from '../routing/lookup.js';
import { ConsumersService } from './consumers.service.js';
import type { ApiKeyView, CreateApiKeyDto, CreatedApiKeyView } from './dto/api-key.dto.js';
import type { CreatedOAuthClientView, CreateOAuthClientDto, OAuthClientView } from './dto/oauth-client.dto.js';
import { ApiKeyEntity } from './entities/api-key.entity.js';
import { OAuthClientEntity } from './entities/oauth-client.entity.js';
import { ServerSecret } from './server-secret.js';

const KEY_PREFIX_LENGTH = 12; // "gwk_" and 8 characters of the key

/** 256 random bits behind a prefix that says what the string is (as secret scanners like). */
const secretToken = (prefix: string, bytes = 32) => `${prefix}${randomBytes(bytes).toString('base64url')}`;

export function toApiKeyView(key: ApiKeyEntity): ApiKeyView {
  const status = key.revokedAt ? 'revoked' : key.expiresAt && key.expiresAt.getTime() <= Date.now() ? 'expired' : 'active';
  return {
    id: key.id,
    consumer_id: key.consumerId,
    name: key.name,
    prefix: key.keyPrefix,
    status,
    expires_at: key.expiresAt?.toISOString() ?? null,
    revoked_at: key.revokedAt?.toISOString() ?? null,
    created_at: key.createdAt.toISOString(),
  };
}

export function toClientView(client: OAuthClientEntity): OAuthClientView {
  return { id: client.id, consumer_id: client.consumerId, client_id: client.clientId, name: client.name, created_at: client.createdAt.toISOString() };
}

/**
 * A consumer's API keys and OAuth clients. The key or secret is made here, returned once, and only
 * its keyed hash is stored; writes go through the ConfigWriter so every instance's table follows.
 */
@Injectable()
export class ConsumerCredentialsService {
  constructor(
    private readonly db: DatabaseService,
    private readonly writer: ConfigWriter,
    private readonly consumers: ConsumersService,
    private readonly secret: ServerSecret,
  ) {}

  createKey(consumerRef: string, body: CreateApiKeyDto): Promise<CreatedApiKeyView> {
    const key = secretToken('gwk_');
    const expiresAt = body.expires_at ? new Date(body.expires_at) : body.ttl_seconds ? new Date(Date.now() + body.ttl_seconds * 1000) : null;
    return this.writer.change(async (manager) => {
      const consumer = await this.consumers.require(manager, consumerRef);
      const entity = manager.create(ApiKeyEntity, {
        id: randomUUID(),
        consumerId: consumer.id,
        name: body.name ?? null,
        keyHash: this.secret.hash(key),
        keyPrefix: key.slice(0, KEY_PREFIX_LENGTH),
        secretFingerprint: this.secret.fingerprint,
        expiresAt,
        revokedAt: null,
      });
      await manager.save(entity);
      return { ...toApiKeyView(entity), key };
    }, () => 'a key collision; try again');
  }

  listKeys(consumerRef: string, query: ListQueryDto): Promise<Page<ApiKeyView>> {
    return this.listOf(consumerRef, query, ApiKeyEntity, toApiKeyView);
  }

  getKey(consumerRef: string, keyId: string): Promise<ApiKeyView> {
    return this.db.read(async (manager) => toApiKeyView(await this.requireOwn(manager, consumerRef, ApiKeyEntity, keyId, 'API key')));
  }

  /** Idempotent: revoking a revoked key keeps its first revocation time. */
  revokeKey(consumerRef: string, keyId: string): Promise<ApiKeyView> {
    return this.writer.change(async (manager) => {
      const key = await this.requireOwn(manager, consumerRef, ApiKeyEntity, keyId, 'API key');
      if (!key.revokedAt) {
        key.revokedAt = new Date();
        await manager.update(ApiKeyEntity, { id: key.id }, { revokedAt: key.revokedAt });
      }
      return toApiKeyView(key);
    }, () => 'conflicting change');
  }

  removeKey(consumerRef: string, keyId: string): Promise<void> {
    return this.removeOwn(consumerRef, ApiKeyEntity, keyId, 'API key');
  }

  createClient(consumerRef: string, body: CreateOAuthClientDto): Promise<CreatedOAuthClientView> {
    const clientId = secretToken('gwc_', 12);
    const clientSecret = secretToken('gws_');
    return this.writer.change(async (manager) => {
      const consumer = await this.consumers.require(manager, consumerRef);
      const entity = manager.create(OAuthClientEntity, {
        id: randomUUID(),
        consumerId: consumer.id,
        name: body.name ?? null,
        clientId,
        secretHash: this.secret.hash(clientSecret),
        secretFingerprint: this.secret.fingerprint,
      });
      await manager.save(entity);
      return { ...toClientView(entity), client_secret: clientSecret };
    }, () => 'a client_id collision; try again');
  }

  listClients(consumerRef: string, query: ListQueryDto): Promise<Page<OAuthClientView>> {
    return this.listOf(consumerRef, query, OAuthClientEntity, toClientView);
  }

  /** The client's tokens stop working with it. */
  removeClient(consumerRef: string, id: string): Promise<void> {
    return this.removeOwn(consumerRef, OAuthClientEntity, id, 'client');
  }

  private listOf<E extends ObjectLiteral & { consumerId: string }, V>(consumerRef: string, query: ListQueryDto, entity: EntityTarget<E>, view: (e: E) => V): Promise<Page<V>> {
    return this.db.read(async (manager) => {
      const consumer = await this.consumers.require(manager, consumerRef);
      const [rows, total] = await manager.findAndCount(entity, {
        where: { consumerId: consumer.id } as never,
        order: { createdAt: 'ASC', id: 'ASC' } as never,
        skip: query.offset,
        take: query.limit,
      });
      return page(rows.map(view), total, query.limit, query.offset);
    });
  }

  private removeOwn<E extends ObjectLiteral & { id: string; consumerId: string }>(consumerRef: string, entity: EntityTarget<E>, id: string, what: string): Promise<void> {
    return this.writer.change(async (manager) => {
      const row = await this.requireOwn(manager, consumerRef, entity, id, what);
      await manager.delete(entity, { id: row.id } as never);
    }, () => 'conflicting change');
  }

  /** The credential `id` of that consumer; 404 for an unknown consumer, an unknown id, or another consumer's. */
  private async requireOwn<E extends ObjectLiteral & { consumerId: string }>(manager: EntityManager, consumerRef: string, entity: EntityTarget<E>, id: string, what: string): Promise<E> {
    const consumer = await this.consumers.require(manager, consumerRef);
    const row = isUuid(id) ? await manager.findOne(entity, { where: { id: id.toLowerCase(), consumerId: consumer.id } as never }) : null;
    if (!row) throw notFound(`consumer "${consumer.username}" has no ${what} with id "${id}"`);
    return row;
  }
}
