import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Settings changed at run time through the admin API, and the audit log of every admin change. */
export class AdminOperations1763900000001 implements MigrationInterface {
  name = 'AdminOperations1763900000001';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE runtime_settings (
        name varchar(64) PRIMARY KEY,
        value jsonb NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`
      CREATE TABLE audit_log (
        id bigserial PRIMARY KEY,
        at timestamptz NOT NULL DEFAULT now(),
        actor varchar(128) NOT NULL,
        action varchar(32) NOT NULL,
        entity_type varchar(32) NOT NULL,
        entity_id varchar(128),
        entity_name varchar(128),
        before jsonb,
        after jsonb,
        request_id varchar(128)
      )`);
    await queryRunner.query(`CREATE INDEX audit_log_at_idx ON audit_log (at DESC, id DESC)`);
    await queryRunner.query(`CREATE INDEX audit_log_entity_idx ON audit_log (entity_type, entity_name)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE audit_log`);
    await queryRunner.query(`DROP TABLE runtime_settings`);
  }
}
