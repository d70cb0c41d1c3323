import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Where a service publishes its OpenAPI document, for the aggregated docs at <prefix>/docs. */
export class ServiceOpenapiUrl1763900000002 implements MigrationInterface {
  name = 'ServiceOpenapiUrl1763900000002';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE services ADD COLUMN openapi_url varchar(2048)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE services DROP COLUMN openapi_url`);
  }
}
