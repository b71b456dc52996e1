import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What a call center needs before it may dial: the do-not-call list, pause
 * reasons with their times, and the campaign on every attempt (history and
 * reports group by it).
 */
export class Compliance1732230700000 implements MigrationInterface {
  name = 'Compliance1732230700000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE dnc_numbers (
        app_id uuid NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
        -- E.164
        phone text NOT NULL CHECK (phone ~ '^\\+[1-9][0-9]{6,14}$'),
        reason text,
        added_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (app_id, phone)
      )`);
    await q.query(`CREATE INDEX dnc_numbers_created_idx ON dnc_numbers (app_id, created_at DESC, phone)`);
    await q.query(`
      CREATE TABLE dialer_pauses (
        id bigserial PRIMARY KEY,
        app_id uuid NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
        session_id uuid NOT NULL,
        agent_email text NOT NULL,
        campaign_name text NOT NULL,
        reason text NOT NULL,
        started_at timestamptz NOT NULL DEFAULT now(),
        ended_at timestamptz
      )`);
    await q.query(`CREATE INDEX dialer_pauses_session_idx ON dialer_pauses (app_id, session_id, started_at)`);
    await q.query(`CREATE INDEX dialer_pauses_time_idx ON dialer_pauses (app_id, started_at)`);
    await q.query(`
      CREATE TABLE dialer_callbacks (
        id uuid PRIMARY KEY,
        app_id uuid NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
        spreadsheet_id text NOT NULL,
        tab_id text NOT NULL,
        campaign_name text NOT NULL,
        row_id text NOT NULL,
        lead_name text NOT NULL,
        number_index integer NOT NULL CHECK (number_index BETWEEN 1 AND 10),
        phone text NOT NULL,
        -- who scheduled it; only_me: only that agent dials it, else anyone on the campaign's tab
        agent_email text NOT NULL,
        only_me boolean NOT NULL DEFAULT false,
        due_at timestamptz NOT NULL,
        -- the lead's zone when scheduled: the time is shown in it
        time_zone text,
        notes text,
        status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done', 'cancelled')),
        scheduled_by_attempt uuid,
        dialed_attempt uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX dialer_callbacks_due_idx ON dialer_callbacks (app_id, spreadsheet_id, tab_id, due_at) WHERE status = 'pending'`);
    await q.query(`ALTER TABLE dialer_attempts ADD COLUMN campaign_name text`);
    // the app's pause reasons (null: the defaults, DEFAULT_PAUSE_REASONS)
    await q.query(`ALTER TABLE dialer_configs ADD COLUMN pause_reasons text[]`);
    await q.query(`CREATE INDEX dialer_attempts_history_idx ON dialer_attempts (app_id, dialed_at DESC, id)`);
    await q.query(`CREATE INDEX dialer_attempts_phone_idx ON dialer_attempts (app_id, phone, dialed_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX dialer_attempts_phone_idx`);
    await q.query(`DROP INDEX dialer_attempts_history_idx`);
    await q.query(`ALTER TABLE dialer_configs DROP COLUMN pause_reasons`);
    await q.query(`ALTER TABLE dialer_attempts DROP COLUMN campaign_name`);
    await q.query(`DROP TABLE dialer_callbacks`);
    await q.query(`DROP TABLE dialer_pauses`);
    await q.query(`DROP TABLE dnc_numbers`);
  }
}
