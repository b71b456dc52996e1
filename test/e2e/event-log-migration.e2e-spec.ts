import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../src/infra/database/data-source-options.js';
import { runMigrations } from '../../src/infra/database/migrate.js';
import { migrations } from '../../src/infra/database/migrations/index.js';
import { DAY_MS } from '../../src/retention/partition-plan.js';
import { RetentionJob } from '../../src/retention/retention.job.js';
import { databaseUrl, withAdminClient } from '../support/pg-admin.js';
import { startTestApp, TestApp, TestDatabase } from '../support/test-app.js';

const PARTITIONS_MIGRATION = 1732230900000;
const stampOf = (m: (typeof migrations)[number]) => Number(/(\d{13})$/.exec(m.name)?.[1]);

async function migrate(url: string, list: (typeof migrations)[number][]): Promise<void> {
  const ds = new DataSource(dataSourceOptions(url, { migrations: list, extra: { max: 2 } }));
  await ds.initialize();
  try {
    await runMigrations(ds);
  } finally {
    await ds.destroy();
  }
}

/** Every row of the event log, every column it had before the migration, in id order. */
async function snapshot(pool: pg.Pool): Promise<unknown[]> {
  // key_recorded: added by a later migration (1732231300000); asserted false on every old row below
  const { rows } = await pool.query<{ row: unknown }>(`SELECT to_jsonb(e) - 'key_recorded' AS row FROM webhook_events e ORDER BY id`);
  return rows.map((r) => r.row);
}

describe('moving an unpartitioned event log to partitions (migration 1732230900000, e2e)', () => {
  let db: TestDatabase;
  let pool: pg.Pool;
  let before: unknown[];
  let appId: string;

  beforeAll(async () => {
    const name = `cti_t_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
    await withAdminClient((c) => c.query(`CREATE DATABASE ${name}`));
    db = { name, url: databaseUrl(name), drop: () => withAdminClient((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined) };
    // the schema as it was before the migration
    await migrate(db.url, migrations.filter((m) => stampOf(m) < PARTITIONS_MIGRATION));
    pool = new pg.Pool({ connectionString: db.url, max: 3 });
    // an idle connection cut by the server (a fresh-clone CI run saw 'terminating connection due to administrator
    // command' here) is dropped by the pool and replaced on the next query; unhandled, it failed the suite
    pool.on('error', () => undefined);
    const { rows } = await pool.query<{ id: string }>(`INSERT INTO apps (name, webhook_secret_enc) VALUES ('old install', 'x'), ('other', 'y') RETURNING id`);
    appId = rows[0]!.id;
    // 2,000 events over 60 days, for two apps: processed with their stored message, pending, failed, dead
    await pool.query(
      `INSERT INTO webhook_events (app_id, dialpad_event_id, event_type, dialpad_call_id, payload, received_at,
                                   processed_at, attempts, last_error, dead_at, stream_seq, broadcast)
       SELECT CASE WHEN n % 3 = 0 THEN $2::uuid ELSE $1::uuid END, 'evt-' || n, 'call.ring', (7000000000000000 + n / 4)::text,
              jsonb_build_object('state', 'ringing', 'call_id', 7000000000000000 + n / 4, 'n', n),
              now() - make_interval(mins => (2000 - n) * 43),
              CASE WHEN n % 10 < 7 THEN now() END, n % 10 - 7 + abs(n % 10 - 7), CASE WHEN n % 10 >= 8 THEN 'boom' END,
              CASE WHEN n % 10 = 9 THEN now() END,
              CASE WHEN n % 10 < 7 THEN n END, CASE WHEN n % 10 < 7 THEN jsonb_build_object('seq', n) END
         FROM generate_series(1, 2000) AS n`,
      [appId, rows[1]!.id],
    );
    await pool.query(`INSERT INTO calls (app_id, dialpad_call_id, status) SELECT $1, (7000000000000000 + n)::text, 'ended' FROM generate_series(1, 50) n`, [appId]);
    before = await snapshot(pool);
    expect(before).toHaveLength(2000);

    await migrate(db.url, migrations);
  }, 60_000);
  afterAll(async () => {
    await pool?.end();
    await db?.drop();
  });

  it('keeps every row, every column unchanged, in a partitioned table', async () => {
    expect(await snapshot(pool)).toEqual(before);
    expect((await pool.query(`SELECT count(*)::int AS n FROM webhook_events WHERE key_recorded`)).rows[0].n).toBe(0);
    const { rows } = await pool.query(`SELECT relkind FROM pg_class WHERE relname = 'webhook_events'`);
    expect(rows[0].relkind).toBe('p');
    const parts = await pool.query<{ name: string }>(
      `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'webhook_events'::regclass ORDER BY 1`,
    );
    expect(parts.rows.map((r) => r.name)).toContain('webhook_events_legacy');
    expect(parts.rows.length).toBe(8);
  });

  it('still refuses a redelivered event (its identity seeded into webhook_event_keys) and numbers new events after the old ones', async () => {
    const keys = await pool.query(`SELECT count(*)::int AS n FROM webhook_event_keys`);
    const recent = await pool.query(`SELECT count(*)::int AS n FROM webhook_events WHERE received_at > now() - interval '30 days'`);
    expect(keys.rows[0].n).toBe(recent.rows[0].n);

    const insert = (eventId: string) =>
      pool.query<{ id: string }>(
        `INSERT INTO webhook_events (app_id, dialpad_event_id, event_type, payload) VALUES ($1, $2, 'call.ring', '{}') RETURNING id::text`,
        [appId, eventId],
      );
    // evt-1997 (the first app's): received 129 minutes before the migration, in the legacy partition
    expect((await insert('evt-1997')).rowCount).toBe(0);
    const fresh = await insert('evt-new');
    expect(fresh.rowCount).toBe(1);
    expect(BigInt(fresh.rows[0]!.id)).toBeGreaterThan(2000n);
    expect((await insert('evt-new')).rowCount).toBe(0);
    const { rows } = await pool.query(`SELECT count(*)::int AS n FROM webhook_events`);
    expect(rows[0].n).toBe(2001);
  });

  it('still refuses an UPDATE of the payload (the append-only trigger is on every partition)', async () => {
    await expect(pool.query(`UPDATE webhook_events SET payload = '{}' WHERE dialpad_event_id = 'evt-5'`)).rejects.toThrow(/append-only/);
  });

  describe('the service on the migrated database', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp({ RETENTION_JOB_ENABLED: 'false', EVENT_PROCESSOR_ENABLED: 'false' }, db);
    });
    afterAll(async () => {
      await t?.close();
    });

    it('drops the legacy partition once all of it is past the retention, and keeps every call', async () => {
      const report = await t.app.get(RetentionJob).run(new Date(Date.now() + 31 * DAY_MS));
      expect(report!.errors).toEqual([]);
      expect(report!.dropped.map((d) => d.name)).toContain('webhook_events_legacy');
      const legacy = report!.dropped.find((d) => d.name === 'webhook_events_legacy')!;
      expect(legacy.rows).toBe(2001);
      const { rows } = await pool.query(
        `SELECT (SELECT count(*)::int FROM webhook_events) AS events, (SELECT count(*)::int FROM calls) AS calls`,
      );
      expect(rows[0]).toEqual({ events: 0, calls: 50 });
    });
  });
});
