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
  // One client, ended (and waited for) before the drop: a pool's end() resolves before its
  // connections have closed, and the forced drop would then kill one under it.
  let client: Promise<pg.Client> | undefined;
  const connected = () =>
    (client ??= (async () => {
      const c = new pg.Client({ connectionString: url });
      c.on('error', () => undefined);
      await c.connect();
      return c;
    })());
  return {
    url,
    name,
    async query<T>(sql: string, params?: unknown[]) {
      return (await (await connected()).query(sql, params)).rows as T[];
    },
    async drop() {
      if (client) await (await client).end();
      const admin = new pg.Client({ connectionString: BASE_DATABASE_URL });
      await admin.connect();
      try {
        await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await admin.end();
      }
    },
  };
}
