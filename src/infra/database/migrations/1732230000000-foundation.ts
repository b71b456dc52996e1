import { MigrationInterface, QueryRunner } from 'typeorm';

export class Foundation1732230000000 implements MigrationInterface {
  name = 'Foundation1732230000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE EXTENSION IF NOT EXISTS pgcrypto`);
    await q.query(`
      CREATE TABLE apps (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
        is_active boolean NOT NULL DEFAULT true,
        api_key_hash text UNIQUE,
        api_key_prefix text,
        api_key_created_at timestamptz,
        api_key_revoked_at timestamptz,
        previous_api_key_hash text UNIQUE,
        previous_api_key_expires_at timestamptz,
        webhook_secret_enc text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE api_key_audit_log (
        id bigserial PRIMARY KEY,
        app_id uuid NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
        action text NOT NULL CHECK (action IN ('generate', 'rotate', 'revoke')),
        key_prefix text,
        actor text NOT NULL,
        request_ip text,
        user_agent text,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX api_key_audit_log_app_created_idx ON api_key_audit_log (app_id, created_at DESC, id DESC)`);
    await q.query(`
      CREATE TABLE dialpad_connections (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        app_id uuid NOT NULL UNIQUE REFERENCES apps(id) ON DELETE CASCADE,
        dialpad_company_id text UNIQUE,
        status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'connected', 'needs_reconnect', 'disconnected')),
        access_token_enc text,
        refresh_token_enc text,
        token_expires_at timestamptz,
        scopes text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE dialpad_connections`);
    await q.query(`DROP TABLE api_key_audit_log`);
    await q.query(`DROP TABLE apps`);
  }
}
