import { MigrationInterface, QueryRunner } from 'typeorm';

/** Dialpad OAuth connection columns and the dialpad_users table (issue 5). */
export class Dialpad1732230300000 implements MigrationInterface {
  name = 'Dialpad1732230300000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE dialpad_connections
        ADD COLUMN dialpad_user_id text,
        ADD COLUMN last_error text,
        ADD COLUMN connected_at timestamptz,
        ADD COLUMN last_refreshed_at timestamptz,
        ADD COLUMN webhook_id text,
        ADD COLUMN subscription_id text`);

    // the company's Dialpad users, mirrored by POST /internal/apps/:app_id/dialpad/sync-users
    await q.query(`
      CREATE TABLE dialpad_users (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        app_id uuid NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
        dialpad_user_id text NOT NULL,
        first_name text,
        last_name text,
        display_name text,
        emails text[] NOT NULL DEFAULT '{}',
        phone_numbers text[] NOT NULL DEFAULT '{}',
        state text,
        synced_at timestamptz NOT NULL DEFAULT now(),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT dialpad_users_app_user_key UNIQUE (app_id, dialpad_user_id)
      )`);
    // e-mails are stored lower-cased; user mappings are made by e-mail through this index
    await q.query(`CREATE INDEX dialpad_users_emails_idx ON dialpad_users USING gin (emails)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE dialpad_users`);
    await q.query(`
      ALTER TABLE dialpad_connections
        DROP COLUMN subscription_id,
        DROP COLUMN webhook_id,
        DROP COLUMN last_refreshed_at,
        DROP COLUMN connected_at,
        DROP COLUMN last_error,
        DROP COLUMN dialpad_user_id`);
  }
}
