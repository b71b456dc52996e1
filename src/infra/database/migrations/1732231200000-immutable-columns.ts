import { MigrationInterface, QueryRunner } from 'typeorm';

/** The columns of webhook_events that never change once stored (what webhook_events_immutable() compares). */
const STORED_COLUMNS = 'id, app_id, dialpad_event_id, event_type, dialpad_call_id, payload, received_at';

/**
 * The append-only guard of `webhook_events` fires only for an UPDATE that names a stored column (`BEFORE UPDATE OF
 * …`), not for every processed event: marking a batch processed ran the PL/pgSQL function once per row, comparing
 * each payload with itself. An UPDATE can change a column only by naming it in its SET list (or through a BEFORE
 * trigger that sets it, which also fires a column trigger), so what it refuses is the same.
 */
export class ImmutableColumns1732231200000 implements MigrationInterface {
  name = 'ImmutableColumns1732231200000';

  async up(q: QueryRunner): Promise<void> {
    // on the partitioned table: dropped from, and created on, every partition
    await q.query(`DROP TRIGGER webhook_events_immutable ON webhook_events`);
    await q.query(`CREATE TRIGGER webhook_events_immutable BEFORE UPDATE OF ${STORED_COLUMNS} ON webhook_events
                   FOR EACH ROW EXECUTE FUNCTION webhook_events_immutable()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER webhook_events_immutable ON webhook_events`);
    await q.query(`CREATE TRIGGER webhook_events_immutable BEFORE UPDATE ON webhook_events
                   FOR EACH ROW EXECUTE FUNCTION webhook_events_immutable()`);
  }
}
