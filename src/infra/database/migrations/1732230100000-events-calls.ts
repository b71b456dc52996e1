import { MigrationInterface, QueryRunner } from 'typeorm';

export class EventsCalls1732230100000 implements MigrationInterface {
  name = 'EventsCalls1732230100000';

  async up(q: QueryRunner): Promise<void> {
    // the append-only event log: only the processing columns ever change
    await q.query(`
      CREATE TABLE webhook_events (
        id bigserial PRIMARY KEY,
        app_id uuid NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
        dialpad_event_id text NOT NULL,
        event_type text NOT NULL,
        dialpad_call_id text,
        payload jsonb NOT NULL,
        received_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        processed_at timestamptz,
        attempts integer NOT NULL DEFAULT 0,
        last_error text,
        next_attempt_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        dead_at timestamptz,
        CONSTRAINT webhook_events_app_event_key UNIQUE (app_id, dialpad_event_id)
      )`);
    await q.query(`CREATE INDEX webhook_events_due_idx ON webhook_events (received_at, id)
                   WHERE processed_at IS NULL AND dead_at IS NULL`);
    await q.query(`CREATE INDEX webhook_events_app_id_idx ON webhook_events (app_id, id DESC)`);
    await q.query(`CREATE INDEX webhook_events_app_call_idx ON webhook_events (app_id, dialpad_call_id)`);
    await q.query(`
      CREATE FUNCTION webhook_events_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.payload IS DISTINCT FROM OLD.payload OR NEW.app_id <> OLD.app_id
           OR NEW.dialpad_event_id <> OLD.dialpad_event_id OR NEW.event_type <> OLD.event_type
           OR NEW.received_at <> OLD.received_at OR NEW.id <> OLD.id
           OR NEW.dialpad_call_id IS DISTINCT FROM OLD.dialpad_call_id THEN
          RAISE EXCEPTION 'webhook_events is append-only: only processing columns may change';
        END IF;
        RETURN NEW;
      END $$`);
    await q.query(`CREATE TRIGGER webhook_events_immutable BEFORE UPDATE ON webhook_events
                   FOR EACH ROW EXECUTE FUNCTION webhook_events_immutable()`);
    // one NOTIFY per INSERT statement (a micro-batch of many rows wakes the processors once)
    await q.query(`
      CREATE FUNCTION webhook_events_notify() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('webhook_events', '');
        RETURN NULL;
      END $$`);
    await q.query(`CREATE TRIGGER webhook_events_notify AFTER INSERT ON webhook_events
                   FOR EACH STATEMENT EXECUTE FUNCTION webhook_events_notify()`);

    await q.query(`
      CREATE TABLE calls (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        app_id uuid NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
        dialpad_call_id text NOT NULL,
        master_call_id text,
        entry_point_call_id text,
        direction text CHECK (direction IN ('inbound', 'outbound')),
        from_number text,
        to_number text,
        status text NOT NULL CHECK (status IN ('initiated', 'ringing', 'connected', 'ended', 'missed', 'voicemail')),
        dialpad_user_id text,
        crm_user_id text,
        started_at timestamptz,
        ringing_at timestamptz,
        connected_at timestamptz,
        ended_at timestamptz,
        duration_ms bigint,
        recording_url text,
        custom_data text,
        raw_payload jsonb,
        last_event_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT calls_app_call_key UNIQUE (app_id, dialpad_call_id)
      )`);
    await q.query(`CREATE INDEX calls_app_started_idx ON calls (app_id, (COALESCE(started_at, created_at)) DESC, id DESC)`);
    await q.query(`CREATE INDEX calls_app_active_idx ON calls (app_id, last_event_at DESC)
                   WHERE status IN ('initiated', 'ringing', 'connected')`);
    await q.query(`CREATE INDEX calls_app_user_idx ON calls (app_id, dialpad_user_id)`);
    await q.query(`CREATE INDEX calls_app_crm_user_idx ON calls (app_id, crm_user_id)`);
    await q.query(`CREATE INDEX calls_app_custom_data_idx ON calls (app_id, custom_data) WHERE custom_data IS NOT NULL`);

    await q.query(`
      CREATE TABLE voicemails (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        app_id uuid NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
        dialpad_call_id text NOT NULL,
        dialpad_user_id text,
        crm_user_id text,
        from_number text,
        to_number text,
        voicemail_url text,
        recording_id text,
        transcription text,
        duration_ms bigint,
        received_at timestamptz,
        raw_payload jsonb,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT voicemails_app_call_key UNIQUE (app_id, dialpad_call_id)
      )`);
    await q.query(`CREATE INDEX voicemails_app_received_idx ON voicemails (app_id, received_at DESC, id DESC)`);

    // Dialpad user → CRM user, read by the processor to fill calls.crm_user_id
    await q.query(`
      CREATE TABLE dialpad_user_mappings (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        app_id uuid NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
        dialpad_user_id text NOT NULL,
        crm_user_id text NOT NULL,
        display_name text,
        email text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT dialpad_user_mappings_app_user_key UNIQUE (app_id, dialpad_user_id)
      )`);
    await q.query(`CREATE INDEX dialpad_user_mappings_app_crm_idx ON dialpad_user_mappings (app_id, crm_user_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE dialpad_user_mappings`);
    await q.query(`DROP TABLE voicemails`);
    await q.query(`DROP TABLE calls`);
    await q.query(`DROP TABLE webhook_events`);
    await q.query(`DROP FUNCTION webhook_events_notify()`);
    await q.query(`DROP FUNCTION webhook_events_immutable()`);
  }
}
