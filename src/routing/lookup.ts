import { type EntityManager, type EntityTarget, In, type ObjectLiteral } from 'typeorm';
import type { ListQueryDto } from './dto/list-query.dto.js';
import { isUuid } from '../common/validators.js';

/** Finds an entity by id when given a UUID, else by name (or the column that names it). */
export function findByIdOrName<T extends ObjectLiteral>(manager: EntityManager, entity: EntityTarget<T>, idOrName: string, nameColumn = 'name'): Promise<T | null> {
  const where = isUuid(idOrName) ? { id: idOrName.toLowerCase() } : { [nameColumn]: idOrName };
  return manager.findOne(entity, { where: where as never });
}

/** Bounds the parameters of one `IN (...)` list. */
const IN_LIST_CHUNK = 1_000;

async function findAllIn<T extends ObjectLiteral>(manager: EntityManager, entity: EntityTarget<T>, column: string, values: string[]): Promise<T[]> {
  const found: T[] = [];
  for (let start = 0; start < values.length; start += IN_LIST_CHUNK) {
    found.push(...(await manager.find(entity, { where: { [column]: In(values.slice(start, start + IN_LIST_CHUNK)) } as never })));
  }
  return found;
}

/** The entities of these names that exist (any order). */
export function findAllByName<T extends ObjectLiteral>(manager: EntityManager, entity: EntityTarget<T>, names: string[]): Promise<T[]> {
  return findAllIn(manager, entity, 'name', names);
}

/** The entities of these ids that exist, by id. */
export async function findAllById<T extends ObjectLiteral & { id: string }>(manager: EntityManager, entity: EntityTarget<T>, ids: string[]): Promise<Map<string, T>> {
  return new Map((await findAllIn(manager, entity, 'id', ids)).map((e) => [e.id, e]));
}

export interface Page<T> {
  data: T[];
  total: number;
  limit: number;
  offset: number;
  next_offset: number | null;
}

export function page<T>(data: T[], total: number, limit: number, offset: number): Page<T> {
  return { data, total, limit, offset, next_offset: offset + data.length < total ? offset + data.length : null };
}

/** One page of a tagged entity, oldest first (ties by id), with the total; filtered by every tag asked for. */
export async function findPage<T extends ObjectLiteral>(manager: EntityManager, entity: EntityTarget<T>, query: ListQueryDto): Promise<[T[], number]> {
  const builder = manager.createQueryBuilder(entity, 'e').orderBy('e.created_at', 'ASC').addOrderBy('e.id', 'ASC').skip(query.offset).take(query.limit);
  if (query.tag?.length) builder.where('e.tags @> :tags', { tags: query.tag });
  return builder.getManyAndCount();
}
