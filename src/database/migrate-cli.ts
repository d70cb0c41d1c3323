// Applies the gateway's pending migrations to DATABASE_URL, then exits: `npm run migrate`, and
// the command of the migration Job (k8s/migration-job.yaml) in the image.
//   exit 0: schema up to date; 78 (EX_CONFIG): bad configuration; 1: the migration failed
// It validates the environment and builds the data source exactly as the gateway does at start,
// and takes the same advisory lock, so a Job and starting pods may run at once and take turns.
import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { ConfigurationError, validateEnvironment } from '../config/environment.js';
import { GatewayConfig } from '../config/gateway-config.js';
import { dataSourceOptions } from './data-source-options.js';
import { runMigrations } from './migrate.js';

const EX_CONFIG = 78;

function logLine(level: 'info' | 'error', msg: string, fields: Record<string, unknown> = {}): void {
  process.stdout.write(`${JSON.stringify({ level, time: Date.now(), msg, ...fields })}\n`);
}

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

async function migrate(config: GatewayConfig): Promise<void> {
  const dataSource = await new DataSource(dataSourceOptions(config, [])).initialize();
  try {
    const applied = await runMigrations(dataSource, true);
    logLine('info', 'migrations done', { applied });
  } finally {
    await dataSource.destroy();
  }
}

migrate(configOrExit()).catch((error: unknown) => {
  logLine('error', 'migrations failed', { err: error instanceof Error ? error.message : String(error) });
  process.exit(1);
});
