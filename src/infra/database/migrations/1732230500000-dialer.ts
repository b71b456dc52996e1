import { MigrationInterface, QueryRunner } from 'typeorm';

/** Dialer configuration per app and the durable history of dial attempts (issue 7). */
export class Dialer1732230500000 implements MigrationInterface {
  name = 'Dialer1732230500000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE dialer_configs (
        app_id uuid PRIMARY KEY REFERENCES apps(id) ON DELETE CASCADE,
        router_spreadsheet_id text NOT NULL,
        router_tab text NOT NULL DEFAULT 'Router',
        policy jsonb NOT NULL DEFAULT '{}',
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE dialer_attempts (
        id uuid PRIMARY KEY,
        app_id uuid NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
        session_id uuid NOT NULL,
        agent_email text NOT NULL,
        spreadsheet_id text NOT NULL,
        tab_id text NOT NULL,
        row_id text NOT NULL,
        number_index integer NOT NULL CHECK (number_index BETWEEN 1 AND 10),
        phone text NOT NULL,
        -- the number's status before it was marked IN_PROGRESS (restored if the dial is abandoned)
        previous_status text,
        dialpad_call_id text,
        status text NOT NULL CHECK (status IN ('dialing', 'ringing', 'connected', 'ended', 'dispositioned', 'failed')),
        disposition text,
        notes text,
        dialed_at timestamptz NOT NULL DEFAULT now(),
        connected_at timestamptz,
        ended_at timestamptz,
        dispositioned_at timestamptz,
        error text,
        CONSTRAINT dialer_attempts_app_call_key UNIQUE (app_id, dialpad_call_id)
      )`);
    await q.query(`CREATE INDEX dialer_attempts_session_idx ON dialer_attempts (app_id, session_id, dialed_at DESC)`);
    await q.query(`CREATE INDEX dialer_attempts_open_idx ON dialer_attempts (app_id, spreadsheet_id, tab_id, row_id)
                   WHERE status NOT IN ('dispositioned', 'failed')`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE dialer_attempts`);
    await q.query(`DROP TABLE dialer_configs`);
  }
}
