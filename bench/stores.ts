// Where the benchmark's gateways keep their configuration: the run's shared store, and stores of
// their own for variants whose configuration must stay out of the others (the large route table)
// and for the cold-start cases. Each store is a temp data directory (the embedded database) and,
// when the run is on PostgreSQL, a sibling database of BENCH_DATABASE_URL's.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createSiblingDatabase, type SiblingDatabase } from './databases.js';

export interface Store {
  dataDir: string;
  databaseUrl?: string;
}

export class StoreSet {
  private readonly owned = new Map<string, Store>();
  private readonly dirs: string[] = [];
  private readonly databases: SiblingDatabase[] = [];

  constructor(readonly databaseUrl: string | undefined) {}

  /** The named store, made empty on first use and kept for the run. `embedded` ignores BENCH_DATABASE_URL. */
  async own(name: string, o: { embedded?: boolean } = {}): Promise<Store> {
    const existing = this.owned.get(name);
    if (existing !== undefined) return existing;
    const dataDir = mkdtempSync(path.join(os.tmpdir(), `gateway-bench-${name}-`));
    this.dirs.push(dataDir);
    let databaseUrl: string | undefined;
    if (this.databaseUrl !== undefined && !o.embedded) {
      const db = await createSiblingDatabase(this.databaseUrl, name.replace(/-/g, '_'));
      this.databases.push(db);
      databaseUrl = db.url;
    }
    const store = { dataDir, databaseUrl };
    this.owned.set(name, store);
    return store;
  }

  get(name: string): Store | undefined {
    return this.owned.get(name);
  }

  removeDirsSync(): void {
    for (const dir of this.dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  }

  async removeAll(): Promise<void> {
    this.removeDirsSync();
    for (const db of this.databases.splice(0)) await db.drop().catch(() => undefined);
  }
}
