import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { conflict, notFound } from '../common/gateway-error.js';
import { isUuid } from '../common/validators.js';
import { DatabaseService } from '../database/database.service.js';
import { ConfigWriter } from '../routing/config-writer.service.js';
import type { ListQueryDto } from '../routing/dto/list-query.dto.js';
import { findByIdOrName, findPage, page, type Page } from '../routing/lookup.js';
import type { ConsumerView, CreateConsumerDto, ReplaceConsumerDto, UpdateConsumerDto } from './dto/consumer.dto.js';
import { ConsumerEntity } from './entities/consumer.entity.js';

export function toConsumerView(consumer: ConsumerEntity): ConsumerView {
  return {
    id: consumer.id,
    username: consumer.username,
    custom_id: consumer.customId,
    scopes: consumer.scopes,
    tags: consumer.tags,
    created_at: consumer.createdAt.toISOString(),
    updated_at: consumer.updatedAt.toISOString(),
  };
}

/** Consumers: written through the ConfigWriter, so every instance's credential table follows. */
@Injectable()
export class ConsumersService {
  constructor(
    private readonly db: DatabaseService,
    private readonly writer: ConfigWriter,
  ) {}

  list(query: ListQueryDto): Promise<Page<ConsumerView>> {
    return this.db.read(async (manager) => {
      const [consumers, total] = await findPage(manager, ConsumerEntity, query);
      return page(consumers.map(toConsumerView), total, query.limit, query.offset);
    });
  }

  get(idOrUsername: string): Promise<ConsumerView> {
    return this.db.read(async (manager) => toConsumerView(await this.require(manager, idOrUsername)));
  }

  create(body: CreateConsumerDto): Promise<ConsumerView> {
    return this.writer.change(async (manager) => {
      await this.assertFree(manager, body.username, body.custom_id ?? null);
      const consumer = manager.create(ConsumerEntity, {
        id: randomUUID(),
        username: body.username,
        customId: body.custom_id ?? null,
        scopes: body.scopes ?? [],
        tags: body.tags ?? [],
      });
      await manager.save(consumer);
      return toConsumerView(consumer);
    }, () => `a consumer named "${body.username}" or with custom_id "${body.custom_id}" already exists`);
  }

  update(idOrUsername: string, body: UpdateConsumerDto): Promise<ConsumerView> {
    return this.writer.change(async (manager) => {
      const consumer = await this.require(manager, idOrUsername);
      await this.assertFree(
        manager,
        body.username !== undefined && body.username !== consumer.username ? body.username : null,
        body.custom_id !== undefined && body.custom_id !== consumer.customId ? body.custom_id : null,
      );
      if (body.username !== undefined) consumer.username = body.username;
      if (body.custom_id !== undefined) consumer.customId = body.custom_id;
      if (body.scopes !== undefined) consumer.scopes = body.scopes;
      if (body.tags !== undefined) consumer.tags = body.tags;
      consumer.updatedAt = new Date();
      await manager.save(consumer);
      return toConsumerView(consumer);
    }, () => `a consumer named "${body.username}" or with custom_id "${body.custom_id}" already exists`);
  }

  /** PUT: replaces the whole consumer; a username that does not exist yet is created. */
  async replace(idOrUsername: string, body: ReplaceConsumerDto): Promise<{ view: ConsumerView; created: boolean }> {
    const username = body.username ?? (isUuid(idOrUsername) ? undefined : idOrUsername);
    const existing = await this.db.read((manager) => findByIdOrName(manager, ConsumerEntity, idOrUsername, 'username'));
    if (!existing) {
      if (isUuid(idOrUsername) || !username) throw notFound(`no consumer with id ${idOrUsername}`);
      if (username !== idOrUsername) throw conflict(`the body names "${username}" but the path names "${idOrUsername}"`);
      return { view: await this.create({ ...body, username }), created: true };
    }
    const full: UpdateConsumerDto = { username: username ?? existing.username, custom_id: body.custom_id ?? null, scopes: body.scopes ?? [], tags: body.tags ?? [] };
    return { view: await this.update(existing.id, full), created: false };
  }

  /** Its API keys and clients go with it, and the tokens issued to it stop working. */
  remove(idOrUsername: string): Promise<void> {
    return this.writer.change(async (manager) => {
      const consumer = await this.require(manager, idOrUsername);
      await manager.delete(ConsumerEntity, { id: consumer.id });
    }, () => 'conflicting change');
  }

  async require(manager: EntityManager, idOrUsername: string): Promise<ConsumerEntity> {
    const consumer = await findByIdOrName(manager, ConsumerEntity, idOrUsername, 'username');
    if (!consumer) throw notFound(`no consumer with ${isUuid(idOrUsername) ? 'id' : 'username'} "${idOrUsername}"`);
    return consumer;
  }

  private async assertFree(manager: EntityManager, username: string | null, customId: string | null): Promise<void> {
    if (username !== null && (await manager.exists(ConsumerEntity, { where: { username } }))) throw conflict(`a consumer named "${username}" already exists`);
    if (customId !== null && (await manager.exists(ConsumerEntity, { where: { customId } }))) throw conflict(`a consumer with custom_id "${customId}" already exists`);
  }
}
