import { Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { DatabaseNotifications } from './database-notifications.service.js';
import { DatabaseService } from './database.service.js';

const CHANNEL = 'gateway_config';
// A safety net for notifications lost while the listening connection was down.
const POLL_INTERVAL_MS = 5_000;

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
  private pollTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly db: DatabaseService,
    private readonly notifications: DatabaseNotifications,
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
    // The embedded database has no other instance to tell (the writer announces locally itself).
    if (!this.db.embedded) await this.notifications.publish(CHANNEL, String(version), manager);
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
    await this.notifications.subscribe(CHANNEL, {
      onMessage: (payload) => void this.announce(Number(payload)),
      // Whatever changed while nobody listened is picked up now.
      onListening: () => void this.poll(),
    });
  }

  onApplicationShutdown(): void {
    clearInterval(this.pollTimer);
  }

  private async poll(): Promise<void> {
    try {
      await this.announce(await this.current());
    } catch (error) {
      this.logger.warn(`could not read the configuration version: ${(error as Error).message}`);
    }
  }
}
