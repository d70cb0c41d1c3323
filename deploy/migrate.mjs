// Applies the gateway's pending migrations to DATABASE_URL, then exits: the command of the
// migration Job (k8s/migration-job.yaml), run from the image's /app.
//   node deploy/migrate.mjs        exit 0: schema up to date; 78: bad configuration; 1: failed
// The gateway has no migrate-only mode of its own, so this runs the compiled pieces it uses at
// start: the same environment validation, data source options and advisory-locked runner, so a
// Job and starting pods may run at once and take turns.
import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { ConfigurationError, validateEnvironment } from '../dist/src/config/environment.js';
import { GatewayConfig } from '../dist/src/config/gateway-config.js';
import { dataSourceOptions } from '../dist/src/database/data-source-options.js';
import { runMigrations } from '../dist/src/database/migrate.js';

const EX_CONFIG = 78;

function log(level, msg, fields = {}) {
  process.stdout.write(`${JSON.stringify({ level, time: Date.now(), msg, ...fields })}\n`);
}

let config;
try {
  config = new GatewayConfig(validateEnvironment(process.env));
} catch (error) {
  if (!(error instanceof ConfigurationError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exit(EX_CONFIG);
}
if (!config.databaseUrl) {
  // The embedded database lives in one pod's DATA_DIR: nothing a Job could migrate for others.
  process.stderr.write('DATABASE_URL is not set: the migration Job needs the shared PostgreSQL\n');
  process.exit(EX_CONFIG);
}

try {
  const dataSource = await new DataSource(dataSourceOptions(config, [])).initialize();
  try {
    const applied = await runMigrations(dataSource, true);
    log('info', 'migrations done', { applied });
  } finally {
    await dataSource.destroy();
  }
} catch (error) {
  log('error', 'migrations failed', { err: error instanceof Error ? error.message : String(error) });
  process.exit(1);
}
