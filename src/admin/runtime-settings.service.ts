import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { Logger as PinoLogger } from 'pino';
import type { EntityManager } from 'typeorm';
import { AuditLogService } from '../audit/audit-log.service.js';
import { GatewayEvents } from '../common/gateway-events.js';
import { ROOT_LOGGER } from '../common/logger.js';
import type { RuntimeSettingsValues } from '../common/runtime-settings-values.js';
import { GatewayConfig } from '../config/gateway-config.js';
import { ConfigVersionService } from '../database/config-version.service.js';
import { DatabaseService } from '../database/database.service.js';
import { ConfigWriter } from '../routing/config-writer.service.js';
import type { UpdateRuntimeSettingsDto } from './runtime-settings.dto.js';

/**
 * Settings changeable at run time. Stored in `runtime_settings` (a row per changed setting, over
 * the environment's value); a change bumps the configuration version, so every instance re-reads
 * them when it hears of it (NOTIFY, or the version poll).
 */
@Injectable()
export class RuntimeSettingsService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('RuntimeSettings');
  private readonly defaults: RuntimeSettingsValues;
  private values: RuntimeSettingsValues;
  private unsubscribe: (() => void) | undefined;
  private seenVersion = -1;

  constructor(
    private readonly db: DatabaseService,
    private readonly writer: ConfigWriter,
    private readonly versions: ConfigVersionService,
    private readonly audit: AuditLogService,
    private readonly events: GatewayEvents,
    @Inject(ROOT_LOGGER) private readonly rootLogger: PinoLogger,
    config: GatewayConfig,
  ) {
    this.defaults = { log_level: config.logLevel, response_cache_enabled: true };
    this.values = this.defaults;
  }

  get current(): RuntimeSettingsValues {
    return { ...this.values };
  }

  async onModuleInit(): Promise<void> {
    this.unsubscribe = this.versions.onChange((version) => {
      if (version !== this.seenVersion) void this.reload(version);
    });
    await this.reload(await this.versions.current());
  }

  onApplicationShutdown(): void {
    this.unsubscribe?.();
  }

  async update(body: UpdateRuntimeSettingsDto): Promise<RuntimeSettingsValues> {
    const changed = Object.entries(body).filter(([, value]) => value !== undefined) as Array<[keyof RuntimeSettingsValues, unknown]>;
    const next = await this.writer.change(async (manager) => {
      const before = await this.read(manager);
      for (const [name, value] of changed) {
        await manager.query(
          'INSERT INTO runtime_settings (name, value) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value, updated_at = now()',
          [name, JSON.stringify(value)],
        );
      }
      const after = await this.read(manager);
      await this.audit.record(manager, { action: 'update', entityType: 'settings', entityName: 'runtime', before, after });
      return after;
    }, () => 'conflicting change');
    this.apply(next);
    return this.current;
  }

  private async reload(version: number): Promise<void> {
    try {
      const values = await this.db.read((manager) => this.read(manager));
      this.seenVersion = version;
      this.apply(values);
    } catch (error) {
      this.logger.warn(`could not read the run-time settings: ${(error as Error).message}`);
    }
  }

  private async read(manager: EntityManager): Promise<RuntimeSettingsValues> {
    const rows = (await manager.query('SELECT name, value FROM runtime_settings')) as Array<{ name: string; value: unknown }>;
    const stored = Object.fromEntries(rows.map((row) => [row.name, row.value]));
    return {
      log_level: typeof stored.log_level === 'string' ? stored.log_level : this.defaults.log_level,
      response_cache_enabled: typeof stored.response_cache_enabled === 'boolean' ? stored.response_cache_enabled : this.defaults.response_cache_enabled,
    };
  }

  private apply(values: RuntimeSettingsValues): void {
    const previous = this.values;
    this.values = values;
    if (this.rootLogger.level !== values.log_level) this.rootLogger.level = values.log_level;
    if (previous.log_level !== values.log_level || previous.response_cache_enabled !== values.response_cache_enabled) {
      this.logger.log({ ...values }, 'run-time settings applied');
    }
    this.events.emit('settings.applied', { ...values });
  }
}
