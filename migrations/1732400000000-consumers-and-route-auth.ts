import type { MigrationInterface, QueryRunner } from 'typeorm';

// What routes did before this migration: the gateway looks at no credential and forwards Authorization.
const AS_BEFORE = '{"required": false, "methods": [], "scopes": [], "scope_match": "all", "forward_authorization": true}';
const CLOSED = '{"required": true, "methods": ["jwt", "api_key"], "scopes": [], "scope_match": "all", "forward_authorization": false}';

export class ConsumersAndRouteAuth1732400000000 implements MigrationInterface {
  name = 'ConsumersAndRouteAuth1732400000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE consumers (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        username varchar(128) NOT NULL,
        custom_id varchar(256),
        scopes text[] NOT NULL DEFAULT '{}',
        tags text[] NOT NULL DEFAULT '{}',
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT consumers_username_key UNIQUE (username),
        CONSTRAINT consumers_custom_id_key UNIQUE (custom_id)
      )`);
    await queryRunner.query(`CREATE INDEX consumers_tags_idx ON consumers USING gin (tags)`);
    // Only a keyed hash of each key and secret is kept; the fingerprint names the server secret
    // that keyed it, so that a changed AUTH_SECRET is reported instead of failing silently.
    await queryRunner.query(`
      CREATE TABLE api_keys (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        consumer_id uuid NOT NULL REFERENCES consumers (id) ON DELETE CASCADE,
        name varchar(128),
        key_hash varchar(64) NOT NULL,
        key_prefix varchar(16) NOT NULL,
        secret_fingerprint varchar(16) NOT NULL,
        expires_at timestamptz,
        revoked_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT api_keys_key_hash_key UNIQUE (key_hash)
      )`);
    await queryRunner.query(`CREATE INDEX api_keys_consumer_id_idx ON api_keys (consumer_id)`);
    await queryRunner.query(`
      CREATE TABLE oauth_clients (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        consumer_id uuid NOT NULL REFERENCES consumers (id) ON DELETE CASCADE,
        name varchar(128),
        client_id varchar(64) NOT NULL,
        secret_hash varchar(64) NOT NULL,
        secret_fingerprint varchar(16) NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT oauth_clients_client_id_key UNIQUE (client_id)
      )`);
    await queryRunner.query(`CREATE INDEX oauth_clients_consumer_id_idx ON oauth_clients (consumer_id)`);
    // Routes that existed before authentication keep serving as they did; new ones require it.
    await queryRunner.query(`ALTER TABLE routes ADD COLUMN auth jsonb NOT NULL DEFAULT '${AS_BEFORE}'`);
    await queryRunner.query(`ALTER TABLE routes ALTER COLUMN auth SET DEFAULT '${CLOSED}'`);
    // Generated when AUTH_SECRET is not set; readable by whoever can read this database.
    await queryRunner.query(`ALTER TABLE gateway_state ADD COLUMN auth_secret varchar(128)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE gateway_state DROP COLUMN auth_secret`);
    await queryRunner.query(`ALTER TABLE routes DROP COLUMN auth`);
    await queryRunner.query(`DROP TABLE oauth_clients`);
    await queryRunner.query(`DROP TABLE api_keys`);
    await queryRunner.query(`DROP TABLE consumers`);
  }
}
