import { MigrationInterface, QueryRunner } from 'typeorm';

/** Days of daily partitions created ahead by the migration (the retention job keeps the same margin). */
const DAYS_AHEAD = 7;
const DAY_MS = 86_400_000;

/**
 * The event log gets a lifecycle (docs/architecture.md, "The event log's lifecycle"):
 * `webhook_events` becomes a table partitioned by day on `received_at`, so the
 * retention job drops whole days instead of deleting rows.
 *
 * A primary key or unique constraint of a partitioned table must contain the
 * partition key, so `(app_id, dialpad_event_id)` can no longer be unique on the
 * table itself. Deduplication moves to `webhook_event_keys`, a small
 * unpartitioned table (one row per event identity, with its own short retention,
 * `EVENT_DEDUP_HOURS`), filled by a BEFORE INSERT trigger that skips the row
 * when its key is already there: every writer (the ingest path, tests, scripts)
 * keeps the old "stored once" behaviour without knowing about it.
 *
 * The existing table is not copied: it is renamed and attached as one partition,
 * `webhook_events_legacy`, covering everything up to the end of today (UTC), so
 * no row moves and none can be lost (an empty one, a fresh install, is dropped). The retention job drops it once its last
 * day is past the retention, like any other partition. Ids keep coming from the
 * same sequence, so they stay monotone and `?since=` cursors stay valid.
 */
export class EventLogPartitions1732230900000 implements MigrationInterface {
  name = 'EventLogPartitions1732230900000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE webhook_event_keys (
        app_id uuid NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
        dialpad_event_id text NOT NULL,
        event_id bigint NOT NULL,
        received_at timestamptz NOT NULL,
        PRIMARY KEY (app_id, dialpad_event_id)
      )`);
    await q.query(`CREATE INDEX webhook_event_keys_received_idx ON webhook_event_keys (received_at)`);
    // the identities of the last 30 days (the longest dedup window allowed); the job trims them to EVENT_DEDUP_HOURS
    await q.query(`
      INSERT INTO webhook_event_keys (app_id, dialpad_event_id, event_id, received_at)
      SELECT app_id, dialpad_event_id, id, received_at FROM webhook_events
       WHERE received_at > now() - interval '30 days'`);

    // the old table becomes the legacy partition: its triggers, keys and index names make way for the parent's
    await q.query(`DROP TRIGGER webhook_events_immutable ON webhook_events`);
    await q.query(`DROP TRIGGER webhook_events_notify ON webhook_events`);
    await q.query(`ALTER TABLE webhook_events RENAME TO webhook_events_legacy`);
    await q.query(`ALTER TABLE webhook_events_legacy DROP CONSTRAINT webhook_events_pkey, DROP CONSTRAINT webhook_events_app_event_key`);
    await q.query(`DROP INDEX IF EXISTS webhook_events_stream_idx`);
    const indexes = (await q.query(
      `SELECT indexname AS name FROM pg_indexes WHERE schemaname = current_schema() AND tablename = 'webhook_events_legacy'`,
    )) as { name: string }[];
    for (const { name } of indexes) {
      if (name.startsWith('webhook_events_')) await q.query(`ALTER INDEX "${name}" RENAME TO "${`webhook_events_legacy_${name.slice('webhook_events_'.length)}`.slice(0, 63)}"`);
    }
    await q.query(`ALTER TABLE webhook_events_legacy RENAME CONSTRAINT webhook_events_app_id_fkey TO webhook_events_legacy_app_id_fkey`);

    // the parent: the same columns (whatever earlier migrations added), defaults and NOT NULLs
    await q.query(`CREATE TABLE webhook_events (LIKE webhook_events_legacy INCLUDING DEFAULTS) PARTITION BY RANGE (received_at)`);
    await q.query(`ALTER SEQUENCE webhook_events_id_seq OWNED BY webhook_events.id`);
    await q.query(`ALTER TABLE webhook_events_legacy ALTER COLUMN id DROP DEFAULT`);
    await q.query(`ALTER TABLE webhook_events ADD CONSTRAINT webhook_events_pkey PRIMARY KEY (id, received_at)`);
    await q.query(`ALTER TABLE webhook_events ADD CONSTRAINT webhook_events_app_id_fkey FOREIGN KEY (app_id) REFERENCES apps(id) ON DELETE CASCADE`);
    // the same definitions as the legacy table's indexes, so ATTACH adopts them instead of building new ones
    await q.query(`CREATE INDEX webhook_events_due_idx ON webhook_events (received_at, id) WHERE processed_at IS NULL AND dead_at IS NULL`);
    await q.query(`CREATE INDEX webhook_events_app_id_idx ON webhook_events (app_id, id DESC)`);
    await q.query(`CREATE INDEX webhook_events_app_call_idx ON webhook_events (app_id, dialpad_call_id)`);
    // positions are unique per app by construction (allocateStreamSeqs); the index serves resume
    await q.query(`CREATE INDEX webhook_events_stream_idx ON webhook_events (app_id, stream_seq) WHERE stream_seq IS NOT NULL`);

    // a fresh install has nothing to keep: daily partitions from today; otherwise the old table covers up to the end of today
    const [legacy] = (await q.query(
      `SELECT count(*) > 0 AS rows, date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS today,
              (date_trunc('day', greatest(now(), max(received_at)) AT TIME ZONE 'UTC') + interval '1 day') AT TIME ZONE 'UTC' AS upper
         FROM webhook_events_legacy`,
    )) as { rows: boolean; today: Date; upper: Date }[];
    let from = legacy!.today;
    if (legacy!.rows) {
      await q.query(`ALTER TABLE webhook_events ATTACH PARTITION webhook_events_legacy FOR VALUES FROM (MINVALUE) TO ('${legacy!.upper.toISOString()}')`);
      from = legacy!.upper;
    } else {
      await q.query(`DROP TABLE webhook_events_legacy`);
    }
    const until = legacy!.today.getTime() + (DAYS_AHEAD + 1) * DAY_MS;
    for (; from.getTime() < until; from = new Date(from.getTime() + DAY_MS)) {
      const to = new Date(from.getTime() + DAY_MS);
      await q.query(
        `CREATE TABLE webhook_events_p${from.toISOString().slice(0, 10).replaceAll('-', '')} PARTITION OF webhook_events
           FOR VALUES FROM ('${from.toISOString()}') TO ('${to.toISOString()}')`,
      );
    }

    // the triggers, on the parent (row triggers are cloned onto every partition, present and future)
    await q.query(`
      CREATE FUNCTION webhook_events_dedup() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO webhook_event_keys (app_id, dialpad_event_id, event_id, received_at)
        VALUES (NEW.app_id, NEW.dialpad_event_id, NEW.id, NEW.received_at)
        ON CONFLICT DO NOTHING;
        IF FOUND THEN RETURN NEW; END IF;
        RETURN NULL; -- a redelivery inside the dedup window: stored once already
      END $$`);
    await q.query(`CREATE TRIGGER webhook_events_dedup BEFORE INSERT ON webhook_events
                   FOR EACH ROW EXECUTE FUNCTION webhook_events_dedup()`);
    await q.query(`CREATE TRIGGER webhook_events_immutable BEFORE UPDATE ON webhook_events
                   FOR EACH ROW EXECUTE FUNCTION webhook_events_immutable()`);
    await q.query(`CREATE TRIGGER webhook_events_notify AFTER INSERT ON webhook_events
                   FOR EACH STATEMENT EXECUTE FUNCTION webhook_events_notify()`);
  }

  /** Back to one unpartitioned table: every remaining row is copied (partitions already dropped are gone). */
  async down(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE webhook_events_flat (LIKE webhook_events INCLUDING DEFAULTS)`);
    await q.query(`INSERT INTO webhook_events_flat SELECT * FROM webhook_events`);
    await q.query(`ALTER SEQUENCE webhook_events_id_seq OWNED BY webhook_events_flat.id`);
    await q.query(`DROP TABLE webhook_events`);
    await q.query(`DROP FUNCTION webhook_events_dedup()`);
    await q.query(`DROP TABLE webhook_event_keys`);
    await q.query(`ALTER TABLE webhook_events_flat RENAME TO webhook_events`);
    await q.query(`
      ALTER TABLE webhook_events ADD CONSTRAINT webhook_events_pkey PRIMARY KEY (id),
        ADD CONSTRAINT webhook_events_app_event_key UNIQUE (app_id, dialpad_event_id),
        ADD CONSTRAINT webhook_events_app_id_fkey FOREIGN KEY (app_id) REFERENCES apps(id) ON DELETE CASCADE`);
    await q.query(`CREATE INDEX webhook_events_due_idx ON webhook_events (received_at, id) WHERE processed_at IS NULL AND dead_at IS NULL`);
    await q.query(`CREATE INDEX webhook_events_app_id_idx ON webhook_events (app_id, id DESC)`);
    await q.query(`CREATE INDEX webhook_events_app_call_idx ON webhook_events (app_id, dialpad_call_id)`);
    await q.query(`CREATE UNIQUE INDEX webhook_events_stream_idx ON webhook_events (app_id, stream_seq) WHERE stream_seq IS NOT NULL`);
    await q.query(`CREATE TRIGGER webhook_events_immutable BEFORE UPDATE ON webhook_events
                   FOR EACH ROW EXECUTE FUNCTION webhook_events_immutable()`);
    await q.query(`CREATE TRIGGER webhook_events_notify AFTER INSERT ON webhook_events
                   FOR EACH STATEMENT EXECUTE FUNCTION webhook_events_notify()`);
  }
}
