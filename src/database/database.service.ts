import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { GatewayConfig } from '../config/gateway-config.js';
import { SerialQueue } from './serial-queue.js';

/**
 * The one door to the database. On the embedded PGlite every statement shares a single
 * connection, so reads and transactions take turns there; on PostgreSQL they use the pool.
 */
@Injectable()
export class DatabaseService {
  readonly embedded: boolean;
  private readonly embeddedQueue = new SerialQueue();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    config: GatewayConfig,
  ) {
    this.embedded = !config.databaseUrl;
  }

  read<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.embedded ? this.embeddedQueue.run(() => work(this.dataSource.manager)) : work(this.dataSource.manager);
  }

  write<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    const transaction = () => this.dataSource.transaction(work);
    return this.embedded ? this.embeddedQueue.run(transaction) : transaction();
  }

  /** A consistent view across several queries (the route table is loaded this way). */
  snapshot<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    const transaction = () => this.dataSource.transaction('REPEATABLE READ', work);
    return this.embedded ? this.embeddedQueue.run(transaction) : transaction();
  }

  async ping(): Promise<void> {
    await this.read((manager) => manager.query('SELECT 1'));
  }
}
