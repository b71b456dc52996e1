import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Conversations and voicemail once (docs/wire-protocol.md, "Conversations"): every call names its
 * conversation (the entry-point call, else the master call, else itself), computed by PostgreSQL from
 * the row's own ids so it needs no write of its own and converges under any event order; the
 * `unanswered` status of a leg (or of a conversation's first call) that ended unanswered while the
 * conversation went on elsewhere.
 */
export class Conversations1732230800000 implements MigrationInterface {
  name = 'Conversations1732230800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE calls
        ADD COLUMN conversation_id text GENERATED ALWAYS AS (COALESCE(entry_point_call_id, master_call_id, dialpad_call_id)) STORED,
        DROP CONSTRAINT calls_status_check,
        ADD CONSTRAINT calls_status_check CHECK (status IN
          ('initiated', 'queued', 'ringing', 'connected', 'on_hold', 'parked', 'ended', 'missed', 'unanswered', 'blocked', 'voicemail'))`);
    await q.query(`CREATE INDEX calls_app_conversation_idx ON calls (app_id, conversation_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX calls_app_conversation_idx`);
    await q.query(`UPDATE calls SET status = 'missed' WHERE status = 'unanswered'`);
    await q.query(`
      ALTER TABLE calls
        DROP COLUMN conversation_id,
        DROP CONSTRAINT calls_status_check,
        ADD CONSTRAINT calls_status_check CHECK (status IN
          ('initiated', 'queued', 'ringing', 'connected', 'on_hold', 'parked', 'ended', 'missed', 'blocked', 'voicemail'))`);
  }
}
