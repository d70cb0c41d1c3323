import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Rate-limit rules (/admin/rate-limits) and each route's own overrides. */
export class RateLimits1763900000003 implements MigrationInterface {
  name = 'RateLimits1763900000003';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE rate_limit_rules (
        id uuid PRIMARY KEY,
        scope varchar(32) NOT NULL,
        match varchar(400) NOT NULL,
        "limit" integer NOT NULL CHECK ("limit" > 0),
        window_s double precision NOT NULL CHECK (window_s > 0),
        burst integer CHECK (burst > 0),
        algorithm varchar(32) NOT NULL,
        enabled boolean NOT NULL DEFAULT true,
        tags text[] NOT NULL DEFAULT '{}',
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT rate_limit_rules_scope_match UNIQUE (scope, match)
      )`);
    await queryRunner.query(`ALTER TABLE routes ADD COLUMN rate_limits jsonb NOT NULL DEFAULT '[]'::jsonb`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE routes DROP COLUMN rate_limits`);
    await queryRunner.query(`DROP TABLE rate_limit_rules`);
  }
}
