import type { MigrationInterface, QueryRunner } from 'typeorm';

export class InitialSchema1732320000000 implements MigrationInterface {
  name = 'InitialSchema1732320000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE services (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name varchar(128) NOT NULL,
        connect_timeout_ms integer NOT NULL DEFAULT 5000 CHECK (connect_timeout_ms > 0),
        timeout_ms integer NOT NULL DEFAULT 60000 CHECK (timeout_ms > 0),
        retries integer NOT NULL DEFAULT 2 CHECK (retries >= 0),
        tags text[] NOT NULL DEFAULT '{}',
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT services_name_key UNIQUE (name)
      )`);
    await queryRunner.query(`CREATE INDEX services_tags_idx ON services USING gin (tags)`);
    await queryRunner.query(`
      CREATE TABLE targets (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        service_id uuid NOT NULL REFERENCES services (id) ON DELETE CASCADE,
        url varchar(2048) NOT NULL,
        weight integer NOT NULL DEFAULT 100 CHECK (weight >= 0),
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT targets_service_url_key UNIQUE (service_id, url)
      )`);
    await queryRunner.query(`
      CREATE TABLE routes (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name varchar(128) NOT NULL,
        service_id uuid NOT NULL REFERENCES services (id) ON DELETE RESTRICT,
        paths text[] NOT NULL CHECK (cardinality(paths) > 0),
        methods text[] NOT NULL CHECK (cardinality(methods) > 0),
        hosts text[] NOT NULL DEFAULT '{}',
        strip_prefix boolean NOT NULL DEFAULT false,
        preserve_host boolean NOT NULL DEFAULT false,
        priority integer NOT NULL DEFAULT 0,
        timeout_ms integer CHECK (timeout_ms > 0),
        retries integer CHECK (retries >= 0),
        tags text[] NOT NULL DEFAULT '{}',
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT routes_name_key UNIQUE (name)
      )`);
    await queryRunner.query(`CREATE INDEX routes_service_id_idx ON routes (service_id)`);
    await queryRunner.query(`CREATE INDEX routes_tags_idx ON routes USING gin (tags)`);
    // One row: the configuration version every instance compares against, and the admin key's hash.
    await queryRunner.query(`
      CREATE TABLE gateway_state (
        id smallint PRIMARY KEY CHECK (id = 1),
        config_version bigint NOT NULL DEFAULT 0,
        admin_key_hash varchar(128),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`INSERT INTO gateway_state (id) VALUES (1)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE gateway_state`);
    await queryRunner.query(`DROP TABLE routes`);
    await queryRunner.query(`DROP TABLE targets`);
    await queryRunner.query(`DROP TABLE services`);
  }
}
