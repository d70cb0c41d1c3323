import type { DataSource } from 'typeorm';

// Any constant works; it only has to be the same for every instance of this gateway.
const MIGRATION_LOCK_KEY = 7_345_001;

/**
 * Runs pending migrations. On a shared PostgreSQL several instances may start at once, so a
 * session advisory lock makes them take turns; the later ones find nothing left to run.
 */
export async function runMigrations(dataSource: DataSource, shared: boolean): Promise<string[]> {
  if (!shared) return (await dataSource.runMigrations({ transaction: 'each' })).map((m) => m.name);
  const lockRunner = dataSource.createQueryRunner();
  await lockRunner.connect();
  try {
    await lockRunner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    return (await dataSource.runMigrations({ transaction: 'each' })).map((m) => m.name);
  } finally {
    await lockRunner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    await lockRunner.release();
  }
}
