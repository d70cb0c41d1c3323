import { Global, Logger, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { GatewayConfig } from '../config/gateway-config.js';
import { ConfigVersionService } from './config-version.service.js';
import { DatabaseNotifications } from './database-notifications.service.js';
import { dataSourceOptions } from './data-source-options.js';
import { DatabaseService } from './database.service.js';
import { lockDataDir } from './embedded-lock.js';
import { runMigrations } from './migrate.js';
import { MigrationState } from './migration-state.js';

// Built before Nest's container can hand it out, because the data source factory below fills it.
const migrationState = new MigrationState();

@Global()
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [GatewayConfig],
      useFactory: (config: GatewayConfig) => {
        if (!config.databaseUrl) {
          const release = lockDataDir(config.dataDir);
          process.once('exit', release);
        }
        return {
        ...dataSourceOptions(config, []),
        autoLoadEntities: true,
        retryAttempts: config.databaseUrl ? 10 : 0,
        retryDelay: 1_000,
        };
      },
      dataSourceFactory: async (options) => {
        const shared = !('driver' in options!);
        const dataSource = await new DataSource(options!).initialize();
        const applied = await runMigrations(dataSource, shared);
        if (applied.length > 0) new Logger('Database').log(`applied migrations: ${applied.join(', ')}`);
        migrationState.markDone();
        return dataSource;
      },
    }),
  ],
  providers: [
    DatabaseService,
    ConfigVersionService,
    DatabaseNotifications,
    { provide: MigrationState, useValue: migrationState },
  ],
  exports: [DatabaseService, ConfigVersionService, DatabaseNotifications, MigrationState],
})
export class DatabaseModule {}
