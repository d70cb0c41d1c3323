import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AuditLogService } from '../audit/audit-log.service.js';
import { invalidRequest, notFound } from '../common/gateway-error.js';
import { isUuid } from '../common/validators.js';
import { DatabaseService } from '../database/database.service.js';
import { ConfigWriter } from '../routing/config-writer.service.js';
import { RouteEntity } from '../routing/entities/route.entity.js';
import { findByIdOrName, page, type Page } from '../routing/lookup.js';
import type { CreateRateLimitRuleDto, RateLimitListQueryDto, RateLimitRuleView, UpdateRateLimitRuleDto } from './dto/rate-limit-rule.dto.js';
import { limitSettingsOf } from './dto/limit.dto.js';
import { RateLimitRuleEntity } from './entities/rate-limit-rule.entity.js';
import { DEFAULT_ALGORITHM, limitProblems } from './policy/limit-settings.js';
import { ANY, normaliseMatch } from './policy/rule-match.js';

export function toRuleView(rule: RateLimitRuleEntity): RateLimitRuleView {
  return {
    id: rule.id,
    scope: rule.scope,
    match: rule.match,
    limit: rule.limit,
    window_s: rule.windowS,
    burst: rule.burst,
    algorithm: rule.algorithm,
    enabled: rule.enabled,
    tags: rule.tags,
    created_at: rule.createdAt.toISOString(),
    updated_at: rule.updatedAt.toISOString(),
  };
}

/** Rate-limit rules: written through the ConfigWriter, so every instance's policy follows within a second. */
@Injectable()
export class RateLimitRulesService {
  constructor(
    private readonly db: DatabaseService,
    private readonly writer: ConfigWriter,
    private readonly audit: AuditLogService,
  ) {}

  list(query: RateLimitListQueryDto): Promise<Page<RateLimitRuleView>> {
    return this.db.read(async (manager) => {
      const builder = manager.createQueryBuilder(RateLimitRuleEntity, 'e').orderBy('e.created_at', 'ASC').addOrderBy('e.id', 'ASC').skip(query.offset).take(query.limit);
      if (query.tag?.length) builder.andWhere('e.tags @> :tags', { tags: query.tag });
      if (query.scope) builder.andWhere('e.scope = :scope', { scope: query.scope });
      const [rules, total] = await builder.getManyAndCount();
      return page(rules.map(toRuleView), total, query.limit, query.offset);
    });
  }

  get(id: string): Promise<RateLimitRuleView> {
    return this.db.read(async (manager) => toRuleView(await this.require(manager, id)));
  }

  create(body: CreateRateLimitRuleDto): Promise<RateLimitRuleView> {
    const rule = Object.assign(new RateLimitRuleEntity(), { id: randomUUID(), enabled: true, tags: [] });
    this.assign(rule, { match: ANY, ...body });
    return this.writer.change(async (manager) => {
      await this.assertRouteExists(manager, rule);
      await manager.save(rule);
      const saved = (await manager.findOneBy(RateLimitRuleEntity, { id: rule.id }))!;
      const view = toRuleView(saved);
      await this.audit.record(manager, { action: 'create', entityType: 'rate_limit', entityId: rule.id, entityName: `${rule.scope}:${rule.match}`, after: view });
      return view;
    }, () => `a ${rule.scope} rule for "${rule.match}" already exists`);
  }

  /** PATCH: the fields given replace the stored ones; `full` (PUT) puts the defaults in for the rest. */
  update(id: string, body: UpdateRateLimitRuleDto, full = false): Promise<RateLimitRuleView> {
    let label = '';
    return this.writer.change(async (manager) => {
      const rule = await this.require(manager, id);
      const before = toRuleView(rule);
      const given = full ? { match: ANY, burst: null, algorithm: DEFAULT_ALGORITHM, enabled: true, tags: [], ...body } : body;
      this.assign(rule, {
        scope: rule.scope,
        match: rule.match,
        limit: rule.limit,
        window_s: rule.windowS,
        burst: rule.burst,
        algorithm: rule.algorithm,
        ...Object.fromEntries(Object.entries(given).filter(([, value]) => value !== undefined)),
      } as CreateRateLimitRuleDto);
      label = `${rule.scope}:${rule.match}`;
      await this.assertRouteExists(manager, rule);
      rule.updatedAt = new Date();
      await manager.save(rule);
      const view = toRuleView(rule);
      await this.audit.record(manager, { action: 'update', entityType: 'rate_limit', entityId: rule.id, entityName: label, before, after: view });
      return view;
    }, () => `a rule for ${label} already exists`);
  }

  remove(id: string): Promise<void> {
    return this.writer.change(async (manager) => {
      const rule = await this.require(manager, id);
      await manager.delete(RateLimitRuleEntity, { id: rule.id });
      await this.audit.record(manager, { action: 'delete', entityType: 'rate_limit', entityId: rule.id, entityName: `${rule.scope}:${rule.match}`, before: toRuleView(rule) });
    }, () => 'conflicting change');
  }

  /** Validates the whole rule (fields across each other, the match for its scope) and copies it onto the entity. */
  private assign(rule: RateLimitRuleEntity, body: CreateRateLimitRuleDto): void {
    const settings = limitSettingsOf(body);
    const problems = limitProblems(settings);
    const match = normaliseMatch(body.scope, body.match ?? ANY);
    if ('problem' in match) problems.push({ field: 'match', message: `match ${match.problem} (got "${body.match}")` });
    if (problems.length) throw invalidRequest(`invalid field${problems.length === 1 ? '' : 's'}: ${problems.map((p) => p.field).join(', ')}`, problems);
    rule.scope = body.scope;
    rule.match = (match as { value: string }).value;
    rule.limit = settings.limit;
    rule.windowS = settings.window_s;
    rule.burst = settings.burst;
    rule.algorithm = settings.algorithm;
    if (body.enabled !== undefined) rule.enabled = body.enabled;
    if (body.tags !== undefined) rule.tags = body.tags;
  }

  /** A rule naming a route that does not exist is most likely a typo: said at once rather than never matching. */
  private async assertRouteExists(manager: EntityManager, rule: RateLimitRuleEntity): Promise<void> {
    if (rule.scope !== 'route' && rule.scope !== 'route_consumer') return;
    const route = rule.scope === 'route' ? rule.match : rule.match.slice(0, rule.match.indexOf(':'));
    if (route === ANY || (await findByIdOrName(manager, RouteEntity, route))) return;
    throw invalidRequest('invalid field: match', [{ field: 'match', message: `match names route "${route}", which does not exist` }]);
  }

  private async require(manager: EntityManager, id: string): Promise<RateLimitRuleEntity> {
    const rule = isUuid(id) ? await manager.findOneBy(RateLimitRuleEntity, { id: id.toLowerCase() }) : null;
    if (!rule) throw notFound(`no rate-limit rule with id "${id}"`);
    return rule;
  }
}
