import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The Sheets write outbox (issue 6): a disposition write that cannot reach
 * Google now is kept here and retried by the outbox worker, never dropped.
 * Entries of one spreadsheet are applied in id order.
 */
export class Sheets1732230400000 implements MigrationInterface {
  name = 'Sheets1732230400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE sheets_outbox (
        id bigserial PRIMARY KEY,
        app_id uuid NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
        spreadsheet_id text NOT NULL,
        tab text NOT NULL,
        row_id text NOT NULL,
        row_index_hint integer,
        changes jsonb NOT NULL,
        attempts integer NOT NULL DEFAULT 0,
        last_error text,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        locked_until timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        done_at timestamptz,
        dead_at timestamptz
      )
    `);
    await q.query(`CREATE INDEX sheets_outbox_pending_idx ON sheets_outbox (spreadsheet_id, id) WHERE done_at IS NULL AND dead_at IS NULL`);
    await q.query(`CREATE INDEX sheets_outbox_due_idx ON sheets_outbox (next_attempt_at) WHERE done_at IS NULL AND dead_at IS NULL`);
    await q.query(`CREATE INDEX sheets_outbox_app_idx ON sheets_outbox (app_id, id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE sheets_outbox`);
  }
}
