import fs from 'node:fs';
import { PGliteDriver } from 'typeorm-pglite';
import type { DataSourceOptions } from 'typeorm';
import type { GatewayConfig } from '../config/gateway-config.js';
import { migrations } from '../../migrations/index.js';

/** PostgreSQL when DATABASE_URL is set, else the embedded PGlite in DATA_DIR; the same migrations run on both. */
export function dataSourceOptions(config: GatewayConfig, entities: DataSourceOptions['entities']): DataSourceOptions {
  const common = {
    type: 'postgres' as const,
    entities,
    migrations,
    migrationsRun: false,
    migrationsTableName: 'migrations',
    synchronize: false,
    logging: ['error' as const],
  };
  if (config.databaseUrl) {
    return { ...common, url: config.databaseUrl, extra: { max: 10, connectionTimeoutMillis: 5_000 }, applicationName: 'api-gateway' };
  }
  fs.mkdirSync(config.dataDir, { recursive: true });
  return { ...common, driver: new PGliteDriver({ dataDir: `${config.dataDir}/pglite` }).driver };
}
