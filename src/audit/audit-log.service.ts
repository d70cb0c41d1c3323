import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { DatabaseService } from '../database/database.service.js';
import { page, type Page } from '../routing/lookup.js';
import { currentActor, currentRequestId } from './audit-context.js';
import type { AuditEntryView, AuditQueryDto } from './audit.dto.js';

export type AuditAction = 'create' | 'update' | 'delete' | 'purge' | 'reload';

export interface AuditChange {
  action: AuditAction;
  entityType: string;
  entityId?: string | null;
  entityName?: string | null;
  before?: unknown;
  after?: unknown;
}

interface AuditRow {
  id: string;
  at: Date;
  actor: string;
  action: string;
  entity_type: string;
  entity_id: string | null;
  entity_name: string | null;
  before: unknown;
  after: unknown;
  request_id: string | null;
}

/** The audit log of admin changes. `record` runs inside the change's own transaction, so both commit or neither. */
@Injectable()
export class AuditLogService {
  constructor(private readonly db: DatabaseService) {}

  async record(manager: EntityManager, change: AuditChange): Promise<void> {
    await manager.query(
      'INSERT INTO audit_log (actor, action, entity_type, entity_id, entity_name, before, after, request_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)',
      [
        currentActor(),
        change.action,
        change.entityType,
        change.entityId ?? null,
        change.entityName ?? null,
        change.before === undefined ? null : JSON.stringify(change.before),
        change.after === undefined ? null : JSON.stringify(change.after),
        currentRequestId(),
      ],
    );
  }

  /** Newest first. */
  list(query: AuditQueryDto): Promise<Page<AuditEntryView>> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (clause: string, value: unknown) => {
      params.push(value);
      where.push(clause.replaceAll('?', `$${params.length}`));
    };
    if (query.entity_type) add('entity_type = ?', query.entity_type);
    if (query.entity) add('(entity_name = ? OR entity_id = ?)', query.entity);
    if (query.action) add('action = ?', query.action);
    if (query.actor) add('actor = ?', query.actor);
    if (query.since) add('at >= ?', query.since);
    if (query.until) add('at < ?', query.until);
    const filter = where.length ? `WHERE ${where.join(' AND ')}` : '';
    return this.db.read(async (manager) => {
      const [{ count }] = (await manager.query(`SELECT count(*)::int AS count FROM audit_log ${filter}`, params)) as Array<{ count: number }>;
      const rows = (await manager.query(`SELECT * FROM audit_log ${filter} ORDER BY at DESC, id DESC LIMIT $${params.length + 1} OFFSET $${params.length + 2}`, [
        ...params,
        query.limit,
        query.offset,
      ])) as AuditRow[];
      return page(rows.map(toView), count, query.limit, query.offset);
    });
  }
}

function toView(row: AuditRow): AuditEntryView {
  return {
    id: Number(row.id),
    at: new Date(row.at).toISOString(),
    actor: row.actor,
    action: row.action,
    entity_type: row.entity_type,
    entity_id: row.entity_id,
    entity_name: row.entity_name,
    before: row.before ?? null,
    after: row.after ?? null,
    request_id: row.request_id,
  };
}
