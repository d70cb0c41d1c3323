import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** Where the test PostgreSQL is; .ci/run points this at the run's own database. */
export const BASE_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface TestDatabase {
  url: string;
  name: string;
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  drop(): Promise<void>;
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

/**
 * A fresh, empty database for one test file, so that files running side by side never see each
 * other's rows. The gateway under test applies the real migrations to it when it starts.
 */
export async function createTestDatabase(label: string): Promise<TestDatabase> {
  // Named after the run's database, so a run can drop exactly its own leftovers.
  const runDatabase = new URL(BASE_DATABASE_URL).pathname.slice(1);
  const name = `${runDatabase}_${label.replace(/\W/g, '_').slice(0, 16)}_${randomBytes(4).toString('hex')}`.toLowerCase();
  const admin = new pg.Client({ connectionString: BASE_DATABASE_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = withDatabase(BASE_DATABASE_URL, name);
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  // DROP ... WITH (FORCE) may reach a backend whose client the pool is still closing: the server's
  // farewell ("terminating connection due to administrator command") must not crash the test file.
  pool.on('error', () => undefined);
  return {
    url,
    name,
    async query<T>(sql: string, params?: unknown[]) {
      return (await pool.query(sql, params)).rows as T[];
    },
    async drop() {
      await pool.end();
      const client = new pg.Client({ connectionString: BASE_DATABASE_URL });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}
