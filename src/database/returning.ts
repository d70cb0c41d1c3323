import type { EntityManager } from 'typeorm';

/**
 * The rows of an `UPDATE` or `DELETE ... RETURNING`. TypeORM answers those commands with
 * `[rows, rowCount]` rather than the rows a `SELECT` or `INSERT` gives.
 */
export async function returning<T>(manager: EntityManager, sql: string, params: unknown[] = []): Promise<T[]> {
  const result: unknown = await manager.query(sql, params);
  if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number') return result[0] as T[];
  return result as T[];
}
