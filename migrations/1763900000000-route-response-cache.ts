import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Per-route response caching: the route's cache policy, null when the route does not cache. */
export class RouteResponseCache1763900000000 implements MigrationInterface {
  name = 'RouteResponseCache1763900000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE routes ADD COLUMN cache jsonb`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE routes DROP COLUMN cache`);
  }
}
