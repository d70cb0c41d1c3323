import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Per-route CORS, security headers, WebSocket upgrades and API version matching (issue 7). */
export class RouteEdgeSettings1733000000000 implements MigrationInterface {
  name = 'RouteEdgeSettings1733000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE routes
        ADD COLUMN cors jsonb,
        ADD COLUMN security_headers boolean NOT NULL DEFAULT true,
        ADD COLUMN websocket boolean NOT NULL DEFAULT false,
        ADD COLUMN api_version varchar(64),
        ADD COLUMN api_version_default boolean NOT NULL DEFAULT false,
        ADD CONSTRAINT routes_api_version_default_check CHECK (NOT api_version_default OR api_version IS NOT NULL)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE routes
        DROP CONSTRAINT routes_api_version_default_check,
        DROP COLUMN api_version_default,
        DROP COLUMN api_version,
        DROP COLUMN websocket,
        DROP COLUMN security_headers,
        DROP COLUMN cors`);
  }
}
