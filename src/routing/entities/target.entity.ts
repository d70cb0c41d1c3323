import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';
import type { TargetSource } from './resilience-settings.js';

/** One upstream address of a service: configured through the admin API or self-registered. */
@Entity({ name: 'targets' })
export class TargetEntity {
  @PrimaryColumn('uuid')
  id: string;

  @Column({ name: 'service_id', type: 'uuid' })
  serviceId: string;

  @Column({ type: 'varchar', length: 2048 })
  url: string;

  @Column({ type: 'integer', default: 100 })
  weight: number;

  @Column({ type: 'varchar', length: 16, default: 'admin' })
  source: TargetSource;

  /** A registration's own health check path (on the target's host and port). */
  @Column({ name: 'check_path', type: 'varchar', length: 512, nullable: true })
  checkPath: string | null;

  @Column({ name: 'check_interval_s', type: 'integer', nullable: true })
  checkIntervalS: number | null;

  /** Without a heartbeat for this long the target leaves rotation; null: no TTL. */
  @Column({ name: 'ttl_seconds', type: 'integer', nullable: true })
  ttlSeconds: number | null;

  @Column({ name: 'last_heartbeat_at', type: 'timestamptz', nullable: true })
  lastHeartbeatAt: Date | null;

  @Column({ type: 'jsonb', default: () => "'{}'::jsonb" })
  metadata: Record<string, unknown>;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
