import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import pg from 'pg';
import type { EntityManager } from 'typeorm';
import { GatewayConfig } from '../config/gateway-config.js';
import { DatabaseService } from './database.service.js';

const RECONNECT_DELAY_MS = 1_000;

interface Subscription {
  onMessage: (payload: string) => void;
  /** After every (re)connection: what was sent while nobody listened is lost, so catch up here. */
  onListening?: () => void;
}

/**
 * PostgreSQL LISTEN/NOTIFY between the instances sharing the database, over one connection per
 * instance that comes back by itself when it drops. On the embedded database there is only this
 * instance, so publishing tells the local subscribers directly.
 */
@Injectable()
export class DatabaseNotifications implements OnApplicationShutdown {
  private readonly logger = new Logger(DatabaseNotifications.name);
  private readonly subscriptions = new Map<string, Subscription[]>();
  private client: pg.Client | undefined;
  private connecting: Promise<void> | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly db: DatabaseService,
    private readonly config: GatewayConfig,
  ) {}

  /**
   * Resolves once the channel is listened to (or, with the database unreachable, once a
   * reconnection is scheduled, which will listen to it then).
   */
  async subscribe(channel: string, subscription: Subscription): Promise<void> {
    assertChannelName(channel);
    const list = this.subscriptions.get(channel) ?? [];
    list.push(subscription);
    this.subscriptions.set(channel, list);
    if (this.db.embedded || this.stopped) return;
    if (this.client === undefined && this.reconnectTimer === undefined) {
      this.connecting ??= this.connect().finally(() => (this.connecting = undefined));
      return this.connecting;
    }
    await this.connecting;
    if (this.client !== undefined && list.length === 1) {
      await this.client.query(`LISTEN ${channel}`).catch((error: Error) => this.logger.warn(`could not listen to ${channel}: ${error.message}`));
    }
  }

  /** Call inside a write transaction to send on commit, or without one to send now. */
  async publish(channel: string, payload: string, manager?: EntityManager): Promise<void> {
    if (this.db.embedded) {
      this.deliver(channel, payload);
      return;
    }
    const notify = (m: EntityManager) => m.query('SELECT pg_notify($1, $2)', [channel, payload]);
    await (manager ? notify(manager) : this.db.read(notify));
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.reconnectTimer);
    await this.client?.end().catch(() => undefined);
  }

  private deliver(channel: string, payload: string): void {
    for (const subscription of this.subscriptions.get(channel) ?? []) {
      try {
        subscription.onMessage(payload);
      } catch (error) {
        this.logger.error(`a ${channel} subscriber failed: ${(error as Error).message}`);
      }
    }
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({ connectionString: this.config.databaseUrl, application_name: 'api-gateway-listener', keepAlive: true });
    client.on('notification', (message) => this.deliver(message.channel, message.payload ?? ''));
    client.on('error', (error) => {
      this.logger.warn(`the notification listener lost its connection: ${error.message}`);
      this.scheduleReconnect(client);
    });
    client.on('end', () => this.scheduleReconnect(client));
    this.client = client;
    try {
      await client.connect();
      for (const channel of this.subscriptions.keys()) await client.query(`LISTEN ${channel}`);
    } catch (error) {
      this.logger.warn(`the notification listener could not connect: ${(error as Error).message}`);
      this.scheduleReconnect(client);
      return;
    }
    for (const list of this.subscriptions.values()) for (const subscription of list) subscription.onListening?.();
  }

  private scheduleReconnect(client: pg.Client): void {
    if (this.stopped || this.client !== client || this.reconnectTimer) return;
    this.client = undefined;
    void client.end().catch(() => undefined);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      if (!this.stopped) this.connecting ??= this.connect().finally(() => (this.connecting = undefined));
    }, RECONNECT_DELAY_MS);
    this.reconnectTimer.unref();
  }
}

// Channel names go into LISTEN unquoted (LISTEN takes no parameters): keep them plain identifiers.
function assertChannelName(channel: string): void {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(channel)) throw new Error(`invalid notification channel name: ${channel}`);
}
