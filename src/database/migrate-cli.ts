// Applies the gateway's pending migrations to DATABASE_URL, then exits: `npm run migrate`, and
// the command of the migration Job (k8s/migration-job.yaml) in the image.
//   exit 0: schema up to date; 78 (EX_CONFIG): bad configuration; 1: the migration failed
// It validates the environment and builds the data source exactly as the gateway does at start,
// and takes the same advisory lock, so a Job and starting pods may run at once and take turns.
import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { createRootLogger } from '../common/logger.js';
import { ConfigurationError, validateEnvironment } from '../config/environment.js';
import { GatewayConfig } from '../config/gateway-config.js';
import { dataSourceOptions } from './data-source-options.js';
import { runMigrations } from './migrate.js';

const EX_CONFIG = 78;

function configOrExit(): GatewayConfig {
  try {
    const config = new GatewayConfig(validateEnvironment(process.env));
    if (!config.databaseUrl) {
      // The embedded database lives in one instance's DATA_DIR: nothing a Job could migrate for others.
      process.stderr.write('DATABASE_URL is not set: migrating needs the shared PostgreSQL\n');
      process.exit(EX_CONFIG);
    }
    return config;
  } catch (error) {
    if (!(error instanceof ConfigurationError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(EX_CONFIG);
  }
}

async function migrate(config: GatewayConfig): Promise<string[]> {
  const dataSource = await new DataSource(dataSourceOptions(config, [])).initialize();
  try {
    return await runMigrations(dataSource, true);
  } finally {
    await dataSource.destroy();
  }
}

const config = configOrExit();
// The gateway's own logger; the outcome is said at any LOG_LEVEL, as the gateway's start is.
const logger = createRootLogger(config).child({}, { level: 'info' });
migrate(config).then(
  (applied) => logger.info({ applied }, 'migrations done'),
  (error: unknown) => {
    logger.error({ err: error instanceof Error ? error.message : String(error) }, 'migrations failed');
    process.exitCode = 1;
  },
);
