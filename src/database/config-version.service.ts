import { Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import pg from 'pg';
import type { EntityManager } from 'typeorm';
import { GatewayConfig } from '../config/gateway-config.js';
import { DatabaseService } from './database.service.js';

const CHANNEL = 'gateway_config';
// A safety net for notifications lost while the listening connection was down.
const POLL_INTERVAL_MS = 5_000;
const RECONNECT_DELAY_MS = 1_000;

/** Returns a promise when it has work to finish (a rebuild) before the change counts as applied. */
type ChangeListener = (version: number) => void | Promise<void>;

/**
 * The configuration version: every admin write bumps it in its own transaction and announces it
 * with NOTIFY, so every instance sharing the database learns of the change as the write commits.
 */
@Injectable()
export class ConfigVersionService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(ConfigVersionService.name);
  private readonly listeners = new Set<ChangeListener>();
  private client: pg.Client | undefined;
  private pollTimer: NodeJS.Timeout | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly db: DatabaseService,
    private readonly config: GatewayConfig,
  ) {}

  onChange(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Call inside the write transaction; the notification is delivered when it commits. */
  async bump(manager: EntityManager): Promise<number> {
    const rows: Array<{ config_version: string }> = await manager.query(
      'UPDATE gateway_state SET config_version = config_version + 1, updated_at = now() WHERE id = 1 RETURNING config_version',
    );
    const version = Number(rows[0].config_version);
    if (!this.db.embedded) await manager.query('SELECT pg_notify($1, $2)', [CHANNEL, String(version)]);
    return version;
  }

  async current(manager?: EntityManager): Promise<number> {
    const read = (m: EntityManager) => m.query('SELECT config_version FROM gateway_state WHERE id = 1');
    const rows: Array<{ config_version: string }> = manager ? await read(manager) : await this.db.read(read);
    return Number(rows[0].config_version);
  }

  /**
   * Tells local listeners at once, without waiting for the round trip through NOTIFY; resolves
   * when each has applied the change (every in-memory snapshot is rebuilt).
   */
  async announce(version: number): Promise<void> {
    const pending: Array<Promise<void>> = [];
    for (const listener of this.listeners) {
      try {
        const work = listener(version);
        if (work) pending.push(work);
      } catch (error) {
        this.logger.error(`a configuration listener failed: ${(error as Error).message}`);
      }
    }
    // The change is committed either way: a listener's failure is its own to retry, never the writer's.
    await Promise.allSettled(pending);
  }

  async onModuleInit(): Promise<void> {
    this.pollTimer = setInterval(() => void this.poll(), POLL_INTERVAL_MS);
    this.pollTimer.unref();
    if (!this.db.embedded) await this.listen();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearInterval(this.pollTimer);
    clearTimeout(this.reconnectTimer);
    await this.client?.end().catch(() => undefined);
  }

  private async poll(): Promise<void> {
    try {
      await this.announce(await this.current());
    } catch (error) {
      this.logger.warn(`could not read the configuration version: ${(error as Error).message}`);
    }
  }

  private async listen(): Promise<void> {
    const client = new pg.Client({ connectionString: this.config.databaseUrl, application_name: 'api-gateway-listener', keepAlive: true });
    client.on('notification', (message) => {
      if (message.channel === CHANNEL) void this.announce(Number(message.payload));
    });
    client.on('error', (error) => {
      this.logger.warn(`configuration listener lost its connection: ${error.message}`);
      this.scheduleReconnect(client);
    });
    client.on('end', () => this.scheduleReconnect(client));
    this.client = client;
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANNEL}`);
      // Whatever changed while we were not listening is picked up now.
      void this.poll();
    } catch (error) {
      this.logger.warn(`configuration listener could not connect: ${(error as Error).message}`);
      this.scheduleReconnect(client);
    }
  }

  private scheduleReconnect(client: pg.Client): void {
    if (this.stopped || this.client !== client || this.reconnectTimer) return;
    this.client = undefined;
    void client.end().catch(() => undefined);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      if (!this.stopped) void this.listen();
    }, RECONNECT_DELAY_MS);
    this.reconnectTimer.unref();
  }
}
