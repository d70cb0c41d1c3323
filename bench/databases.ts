// PostgreSQL databases of the benchmark's own: a gateway variant whose configuration must not
// leak into the others (the 10,000-route table) gets a sibling of BENCH_DATABASE_URL's database.
import pg from 'pg';

export interface SiblingDatabase {
  url: string;
  drop(): Promise<void>;
}

async function onServer<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** A fresh, empty database `<name>_<suffix>` on the server of `url` (dropped first if a run left one). */
export async function createSiblingDatabase(url: string, suffix: string): Promise<SiblingDatabase> {
  const base = new URL(url);
  const name = `${base.pathname.slice(1) || 'postgres'}_${suffix}`.replace(/[^A-Za-z0-9_]/g, '_').slice(0, 63);
  const ident = `"${name}"`;
  await onServer(url, async (c) => {
    await c.query(`DROP DATABASE IF EXISTS ${ident} WITH (FORCE)`);
    await c.query(`CREATE DATABASE ${ident}`);
  });
  const sibling = new URL(url);
  sibling.pathname = `/${name}`;
  return { url: sibling.toString(), drop: () => onServer(url, (c) => c.query(`DROP DATABASE IF EXISTS ${ident} WITH (FORCE)`)).then(() => undefined) };
}
