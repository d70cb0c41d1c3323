import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Service discovery and resilience: registered targets (TTL and heartbeats, their own health
 * check, metadata), per-service balancing, health checks, circuit breaker, bulkhead, split
 * timeouts and the retry buffer, and per-route timeout and retry overrides.
 */
export class Resilience1732900000000 implements MigrationInterface {
  name = 'Resilience1732900000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE targets
        ADD COLUMN source varchar(16) NOT NULL DEFAULT 'admin' CHECK (source IN ('admin', 'registration')),
        ADD COLUMN check_path varchar(512),
        ADD COLUMN check_interval_s integer CHECK (check_interval_s > 0),
        ADD COLUMN ttl_seconds integer CHECK (ttl_seconds > 0),
        ADD COLUMN last_heartbeat_at timestamptz,
        ADD COLUMN metadata jsonb NOT NULL DEFAULT '{}'::jsonb`);
    // Read once a second by every instance (heartbeat liveness) and by the reaper.
    await queryRunner.query(`CREATE INDEX targets_ttl_idx ON targets (id) WHERE ttl_seconds IS NOT NULL`);
    await queryRunner.query(`
      ALTER TABLE services
        ADD COLUMN load_balancing varchar(32) NOT NULL DEFAULT 'weighted'
          CHECK (load_balancing IN ('round_robin', 'weighted', 'least_connections', 'consistent_hash')),
        ADD COLUMN hash_on varchar(16) NOT NULL DEFAULT 'ip' CHECK (hash_on IN ('ip', 'header')),
        ADD COLUMN hash_on_header varchar(128),
        ADD COLUMN health_check jsonb,
        ADD COLUMN passive_health_check jsonb,
        ADD COLUMN circuit_breaker jsonb,
        ADD COLUMN max_concurrent_requests integer CHECK (max_concurrent_requests > 0),
        ADD COLUMN headers_timeout_ms integer CHECK (headers_timeout_ms > 0),
        ADD COLUMN body_timeout_ms integer CHECK (body_timeout_ms > 0),
        ADD COLUMN retry_buffer_bytes integer NOT NULL DEFAULT 65536 CHECK (retry_buffer_bytes >= 0)`);
    await queryRunner.query(`
      ALTER TABLE routes
        ADD COLUMN connect_timeout_ms integer CHECK (connect_timeout_ms > 0),
        ADD COLUMN headers_timeout_ms integer CHECK (headers_timeout_ms > 0),
        ADD COLUMN body_timeout_ms integer CHECK (body_timeout_ms > 0),
        ADD COLUMN retry_non_idempotent boolean NOT NULL DEFAULT false`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE routes
        DROP COLUMN connect_timeout_ms, DROP COLUMN headers_timeout_ms, DROP COLUMN body_timeout_ms, DROP COLUMN retry_non_idempotent`);
    await queryRunner.query(`
      ALTER TABLE services
        DROP COLUMN load_balancing, DROP COLUMN hash_on, DROP COLUMN hash_on_header, DROP COLUMN health_check,
        DROP COLUMN passive_health_check, DROP COLUMN circuit_breaker, DROP COLUMN max_concurrent_requests,
        DROP COLUMN headers_timeout_ms, DROP COLUMN body_timeout_ms, DROP COLUMN retry_buffer_bytes`);
    await queryRunner.query(`DROP INDEX targets_ttl_idx`);
    await queryRunner.query(`
      ALTER TABLE targets
        DROP COLUMN source, DROP COLUMN check_path, DROP COLUMN check_interval_s, DROP COLUMN ttl_seconds,
        DROP COLUMN last_heartbeat_at, DROP COLUMN metadata`);
  }
}
