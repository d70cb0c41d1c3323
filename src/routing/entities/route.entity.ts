import type { CorsSettings } from '../../edge/cors-policy.js';
import type { RouteCacheSettings } from '../../cache/route-cache-settings.js';
import type { RouteAuthPolicy } from '../route-auth.js';
import type { RouteRateLimit } from '../../rate-limit/policy/limit-settings.js';
import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

@Entity({ name: 'routes' })
export class RouteEntity {
  @PrimaryColumn('uuid')
  id: string;

  @Column({ type: 'varchar', length: 128, unique: true })
  name: string;

  @Column({ name: 'service_id', type: 'uuid' })
  serviceId: string;

  @Column('text', { array: true })
  paths: string[];

  @Column('text', { array: true })
  methods: string[];

  @Column('text', { array: true, default: () => "'{}'" })
  hosts: string[];

  @Column({ name: 'strip_prefix', type: 'boolean', default: false })
  stripPrefix: boolean;

  @Column({ name: 'preserve_host', type: 'boolean', default: false })
  preserveHost: boolean;

  @Column({ type: 'integer', default: 0 })
  priority: number;

  @Column({ name: 'timeout_ms', type: 'integer', nullable: true })
  timeoutMs: number | null;

  @Column({ name: 'connect_timeout_ms', type: 'integer', nullable: true })
  connectTimeoutMs: number | null;

  @Column({ name: 'headers_timeout_ms', type: 'integer', nullable: true })
  headersTimeoutMs: number | null;

  @Column({ name: 'body_timeout_ms', type: 'integer', nullable: true })
  bodyTimeoutMs: number | null;

  @Column({ type: 'integer', nullable: true })
  retries: number | null;

  /** Lets POST and PATCH be retried too (the upstream must tolerate a repeat). */
  @Column({ name: 'retry_non_idempotent', type: 'boolean', default: false })
  retryNonIdempotent: boolean;

  @Column('text', { array: true, default: () => "'{}'" })
  tags: string[];

  /** null: the CORS_* defaults apply. */
  @Column({ type: 'jsonb', nullable: true })
  cors: CorsSettings | null;

  @Column({ name: 'security_headers', type: 'boolean', default: true })
  securityHeaders: boolean;

  @Column({ type: 'boolean', default: false })
  websocket: boolean;

  @Column({ name: 'api_version', type: 'varchar', length: 64, nullable: true })
  apiVersion: string | null;

  @Column({ name: 'api_version_default', type: 'boolean', default: false })
  apiVersionDefault: boolean;

  /** The response cache policy with its defaults filled in; null when the route does not cache. */
  @Column({ type: 'jsonb', nullable: true })
  cache: RouteCacheSettings | null;

  /** Always stored whole (see mergeAuthPolicy); the column default is the policy of a new route. */
  @Column({ type: 'jsonb' })
  auth: RouteAuthPolicy;

  /** The route's own rate limits, one per scope, defaults filled in (see rate-limit/dto/route-rate-limit.dto.ts). */
  @Column({ name: 'rate_limits', type: 'jsonb', default: () => "'[]'" })
  rateLimits: RouteRateLimit[];

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
