import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import type { CircuitBreakerSettings, HashOn, HealthCheckSettings, LoadBalancing, PassiveHealthCheckSettings } from './resilience-settings.js';

@Entity({ name: 'services' })
export class ServiceEntity {
  @PrimaryColumn('uuid')
  id: string;

  @Column({ type: 'varchar', length: 128, unique: true })
  name: string;

  @Column({ name: 'connect_timeout_ms', type: 'integer', default: 5000 })
  connectTimeoutMs: number;

  @Column({ name: 'timeout_ms', type: 'integer', default: 60000 })
  timeoutMs: number;

  @Column({ name: 'headers_timeout_ms', type: 'integer', nullable: true })
  headersTimeoutMs: number | null;

  @Column({ name: 'body_timeout_ms', type: 'integer', nullable: true })
  bodyTimeoutMs: number | null;

  @Column({ type: 'integer', default: 2 })
  retries: number;

  @Column({ name: 'retry_buffer_bytes', type: 'integer', default: 65536 })
  retryBufferBytes: number;

  @Column({ name: 'load_balancing', type: 'varchar', length: 32, default: 'weighted' })
  loadBalancing: LoadBalancing;

  @Column({ name: 'hash_on', type: 'varchar', length: 16, default: 'ip' })
  hashOn: HashOn;

  @Column({ name: 'hash_on_header', type: 'varchar', length: 128, nullable: true })
  hashOnHeader: string | null;

  @Column({ name: 'health_check', type: 'jsonb', nullable: true })
  healthCheck: HealthCheckSettings | null;

  @Column({ name: 'passive_health_check', type: 'jsonb', nullable: true })
  passiveHealthCheck: PassiveHealthCheckSettings | null;

  @Column({ name: 'circuit_breaker', type: 'jsonb', nullable: true })
  circuitBreaker: CircuitBreakerSettings | null;

  @Column({ name: 'max_concurrent_requests', type: 'integer', nullable: true })
  maxConcurrentRequests: number | null;

  @Column('text', { array: true, default: () => "'{}'" })
  tags: string[];

  /** The service's OpenAPI document: an absolute URL, or a path under the service's first target. */
  @Column({ name: 'openapi_url', type: 'varchar', length: 2048, nullable: true })
  openapiUrl: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
