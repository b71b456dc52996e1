import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Real Dialpad traffic, every state (docs/wire-protocol.md, "Dialpad call states"): the new
 * call statuses, the caller's identity and the position register on `calls`; the `sms_messages`
 * and `agent_statuses` tables.
 */
export class DialpadStates1732230600000 implements MigrationInterface {
  name = 'DialpadStates1732230600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE calls
        ADD COLUMN queued_at timestamptz,
        ADD COLUMN contact_id text,
        ADD COLUMN contact_name text,
        ADD COLUMN contact_email text,
        ADD COLUMN contact_phone text,
        ADD COLUMN contact_type text,
        ADD COLUMN contact_at timestamptz,
        ADD COLUMN position text CHECK (position IN ('connected', 'on_hold', 'parked')),
        ADD COLUMN position_at timestamptz,
        DROP CONSTRAINT calls_status_check,
        ADD CONSTRAINT calls_status_check CHECK (status IN
          ('initiated', 'queued', 'ringing', 'connected', 'on_hold', 'parked', 'ended', 'missed', 'blocked', 'voicemail'))`);
    // the calls in progress (CallsRepository.listActive): the new live statuses too
    await q.query(`DROP INDEX calls_app_active_idx`);
    await q.query(`CREATE INDEX calls_app_active_idx ON calls (app_id, last_event_at DESC)
                   WHERE status IN ('initiated', 'queued', 'ringing', 'connected', 'on_hold', 'parked')`);

    // one row per message and direction (an SMS between two users of the company is sent and received);
    // delivery-status events update it (the newest status by Dialpad's event time wins)
    await q.query(`
      CREATE TABLE sms_messages (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        app_id uuid NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
        dialpad_sms_id text NOT NULL,
        direction text NOT NULL CHECK (direction IN ('inbound', 'outbound')),
        from_number text,
        to_numbers text[] NOT NULL DEFAULT '{}',
        text text,
        mms boolean,
        mms_url text,
        message_status text,
        delivery_result text,
        status_at timestamptz,
        dialpad_user_id text,
        crm_user_id text,
        sender_id text,
        target_id text,
        target_type text,
        target_name text,
        target_phone text,
        contact_id text,
        contact_name text,
        contact_email text,
        contact_phone text,
        contact_type text,
        sent_at timestamptz,
        last_event_at timestamptz,
        raw_payload jsonb,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT sms_messages_app_sms_key UNIQUE (app_id, dialpad_sms_id, direction)
      )`);
    await q.query(`CREATE INDEX sms_messages_app_sent_idx ON sms_messages (app_id, (COALESCE(sent_at, created_at)) DESC, id DESC)`);
    await q.query(`CREATE INDEX sms_messages_app_user_idx ON sms_messages (app_id, dialpad_user_id)`);
    await q.query(`CREATE INDEX sms_messages_app_crm_user_idx ON sms_messages (app_id, crm_user_id)`);

    // the latest status of each agent (the history is the event log)
    await q.query(`
      CREATE TABLE agent_statuses (
        app_id uuid NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
        dialpad_user_id text NOT NULL,
        crm_user_id text,
        agent_name text,
        agent_email text,
        agent_phone text,
        on_duty_status text,
        availability_status text,
        on_duty_status_reason text,
        call_center_ids text[] NOT NULL DEFAULT '{}',
        powerdialer_mode boolean,
        powerdialer_session text,
        status_changed_at timestamptz,
        event_at timestamptz,
        -- the tie-break of two statuses with the same event time (last-writer-wins stays order-free)
        status_key text NOT NULL,
        raw_payload jsonb,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (app_id, dialpad_user_id)
      )`);
    await q.query(`CREATE INDEX agent_statuses_app_crm_user_idx ON agent_statuses (app_id, crm_user_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE agent_statuses`);
    await q.query(`DROP TABLE sms_messages`);
    await q.query(`DROP INDEX calls_app_active_idx`);
    await q.query(`UPDATE calls SET status = CASE status WHEN 'queued' THEN 'initiated' WHEN 'blocked' THEN 'missed'
                     WHEN 'on_hold' THEN 'connected' WHEN 'parked' THEN 'connected' ELSE status END`);
    await q.query(`
      ALTER TABLE calls
        DROP CONSTRAINT calls_status_check,
        ADD CONSTRAINT calls_status_check CHECK (status IN ('initiated', 'ringing', 'connected', 'ended', 'missed', 'voicemail')),
        DROP COLUMN queued_at, DROP COLUMN contact_id, DROP COLUMN contact_name, DROP COLUMN contact_email,
        DROP COLUMN contact_phone, DROP COLUMN contact_type, DROP COLUMN contact_at, DROP COLUMN position, DROP COLUMN position_at`);
    await q.query(`CREATE INDEX calls_app_active_idx ON calls (app_id, last_event_at DESC)
                   WHERE status IN ('initiated', 'ringing', 'connected')`);
  }
}
