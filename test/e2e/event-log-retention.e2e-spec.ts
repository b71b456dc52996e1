import pg from 'pg';
import request from 'supertest';
import { DAY_MS, dayStartUtc, partitionName } from '../../src/retention/partition-plan.js';
import { PARTITION_DAYS_AHEAD, RETENTION_LOCK_KEY, RetentionJob } from '../../src/retention/retention.job.js';
import { RawEvent, realEvent } from '../support/event-rows.js';
import { startTestApp, TestApp } from '../support/test-app.js';
import { CreatedApp, createApp, postJwt, waitFor } from '../support/webhooks.js';

/** Creates the day's partition of webhook_events (the job only creates days ahead; these are days gone by). */
async function createPastPartition(pool: pg.Pool, day: Date): Promise<void> {
  const to = new Date(day.getTime() + DAY_MS);
  await pool.query(
    `CREATE TABLE ${partitionName('webhook_events', day)} PARTITION OF webhook_events
       FOR VALUES FROM ('${day.toISOString()}') TO ('${to.toISOString()}')`,
  );
}

/** Stores an event as if it had arrived at `at` (the insert trigger records its identity as of then). */
async function insertAt(pool: pg.Pool, appId: string, e: RawEvent, at: Date): Promise<string> {
  const { rows } = await pool.query<{ id: string }>(
    `INSERT INTO webhook_events (app_id, dialpad_event_id, event_type, dialpad_call_id, payload, received_at)
     VALUES ($1, $2, $3, $4, $5, $6) RETURNING id::text`,
    [appId, e.dialpadEventId, e.eventType, e.dialpadCallId, e.json, at],
  );
  return rows[0]!.id;
}

const partitionsOf = async (pool: pg.Pool) =>
  (
    await pool.query<{ name: string }>(
      `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
        WHERE i.inhparent = 'webhook_events'::regclass ORDER BY 1`,
    )
  ).rows.map((r) => r.name);

describe('the event log lifecycle: partitions, retention, dedup window (e2e)', () => {
  let t: TestApp;
  let pool: pg.Pool;
  let tenant: CreatedApp;
  const today = dayStartUtc(new Date());
  const daysAgo = (n: number) => new Date(Date.now() - n * DAY_MS);

  beforeAll(async () => {
    // the job is run by hand here (it would otherwise also run once at start)
    t = await startTestApp({ RETENTION_JOB_ENABLED: 'false', EVENT_POLL_INTERVAL_MS: '100' });
    pool = new pg.Pool({ connectionString: t.db.url, max: 3 });
    tenant = await createApp(t, 'retention');
  });
  afterAll(async () => {
    await pool?.end();
    await t?.close();
  });

  it('starts with daily partitions from today to the days ahead', async () => {
    const names = await partitionsOf(pool);
    const expected = Array.from({ length: PARTITION_DAYS_AHEAD + 1 }, (_, i) => partitionName('webhook_events', new Date(today.getTime() + i * DAY_MS)));
    expect(names).toEqual(expected);
  });

  describe('after a run with events of 40, 10 and 2 days ago and of today', () => {
    const old = realEvent('inbound-ringing.json', '8600000000000040');
    const tenDays = realEvent('inbound-ringing.json', '8600000000000010');
    const twoDays = realEvent('inbound-ringing.json', '8600000000000002');
    const fresh = realEvent('inbound-ringing.json', '8600000000000000');
    const ids: Record<string, string> = {};

    beforeAll(async () => {
      for (const n of [40, 10, 2]) await createPastPartition(pool, dayStartUtc(daysAgo(n)));
      ids.old = await insertAt(pool, tenant.id, old, daysAgo(40));
      ids.tenDays = await insertAt(pool, tenant.id, tenDays, daysAgo(10));
      ids.twoDays = await insertAt(pool, tenant.id, twoDays, daysAgo(2));
      const res = await postJwt(t, tenant, fresh.json);
      expect(res.body).toMatchObject({ received: true, duplicate: false });
      ids.fresh = String(res.body.event_id);
      // every event becomes a call (processed now, whatever its age)
      await waitFor(async () => {
        const { rows } = await pool.query(`SELECT count(*)::int AS n FROM calls WHERE app_id = $1`, [tenant.id]);
        return rows[0].n === 4;
      }, 10_000);
      // a call not touched for 40 days: its retention (CALL_RETENTION_DAYS) is off by default
      await pool.query(`UPDATE calls SET updated_at = now() - interval '40 days' WHERE dialpad_call_id = '8600000000000040'`);

      const report = await t.app.get(RetentionJob).run();
      expect(report).not.toBeNull();
      expect(report!.errors).toEqual([]);
      expect(report!.dropped).toEqual([{ name: partitionName('webhook_events', dayStartUtc(daysAgo(40))), rows: 1, unprocessed: 0 }]);
      expect(report!.records).toEqual({});
    });

    it('drops the events older than EVENT_RETENTION_DAYS (30) and keeps the newer ones', async () => {
      const { rows } = await pool.query<{ id: string }>(`SELECT id::text FROM webhook_events WHERE app_id = $1 ORDER BY id`, [tenant.id]);
      expect(rows.map((r) => r.id)).toEqual([ids.tenDays, ids.twoDays, ids.fresh]);
      expect(await partitionsOf(pool)).not.toContain(partitionName('webhook_events', dayStartUtc(daysAgo(40))));
      expect(await partitionsOf(pool)).toContain(partitionName('webhook_events', dayStartUtc(daysAgo(10))));
    });

    it('keeps every call, those of dropped events included', async () => {
      const { rows } = await pool.query<{ id: string }>(`SELECT dialpad_call_id AS id FROM calls WHERE app_id = $1 ORDER BY 1`, [tenant.id]);
      expect(rows.map((r) => r.id)).toEqual(['8600000000000000', '8600000000000002', '8600000000000010', '8600000000000040']);
    });

    it('answers a redelivery inside the dedup window (72 h) as a duplicate, across partitions', async () => {
      for (const [e, id] of [
        [twoDays, ids.twoDays],
        [fresh, ids.fresh],
      ] as const) {
        const res = await postJwt(t, tenant, e.json);
        expect(res.status).toBe(200);
        expect(res.body).toMatchObject({ received: true, event_id: id, duplicate: true });
      }
      const { rows } = await pool.query(`SELECT count(*)::int AS n FROM webhook_events WHERE app_id = $1 AND dialpad_event_id = $2`, [
        tenant.id,
        twoDays.dialpadEventId,
      ]);
      expect(rows[0].n).toBe(1);
    });

    it('forgets identities past the window: a replay of a 10-day-old event is stored again', async () => {
      const { rows } = await pool.query(`SELECT count(*)::int AS n FROM webhook_event_keys WHERE app_id = $1`, [tenant.id]);
      expect(rows[0].n).toBe(2);
      const res = await postJwt(t, tenant, tenDays.json);
      expect(res.body).toMatchObject({ received: true, duplicate: false });
      expect(BigInt(res.body.event_id as string)).toBeGreaterThan(BigInt(ids.fresh!));
    });

    it('exports the job on /metrics', async () => {
      const res = await request(t.baseUrl).get('/metrics');
      expect(res.text).toMatch(/cti_retention_runs_total\{result="ran",service="turbo-cti"\} 1/);
      expect(res.text).toMatch(/cti_retention_partitions_dropped_total\{table="webhook_events",service="turbo-cti"\} 1/);
      expect(res.text).toMatch(/cti_retention_rows_dropped_total\{table="webhook_events",service="turbo-cti"\} 1/);
      expect(res.text).toMatch(/cti_retention_rows_dropped_total\{table="webhook_event_keys",service="turbo-cti"\} 2/);
      expect(res.text).toMatch(/cti_event_log_partitions\{service="turbo-cti"\} 10/);
      const ahead = Number(/cti_event_log_partitions_ahead_seconds\{service="turbo-cti"\} ([\d.]+)/.exec(res.text)?.[1]);
      expect(ahead).toBeGreaterThan(PARTITION_DAYS_AHEAD * 86_400);
    });
  });

  describe('one node at a time', () => {
    let second: TestApp;
    beforeAll(async () => {
      second = await startTestApp({ RETENTION_JOB_ENABLED: 'false' }, t.db);
    });
    afterAll(async () => {
      await second?.close();
    });

    it('skips the run on every node while another holds the lock', async () => {
      const holder = new pg.Client({ connectionString: t.db.url });
      await holder.connect();
      try {
        await holder.query('SELECT pg_advisory_lock($1)', [RETENTION_LOCK_KEY]);
        expect(await t.app.get(RetentionJob).run()).toBeNull();
        expect(await second.app.get(RetentionJob).run()).toBeNull();
      } finally {
        await holder.end();
      }
      expect(await second.app.get(RetentionJob).run()).not.toBeNull();
    });

    it('runs on one of two nodes started together; the days ahead are created once', async () => {
      // ten days on: today and the days ahead are created (the two days between are past by then: nothing can arrive in them)
      const later = new Date(Date.now() + 10 * DAY_MS);
      const before = await partitionsOf(pool);
      const reports = await Promise.all([t.app.get(RetentionJob).run(later), second.app.get(RetentionJob).run(later)]);
      for (const r of reports) expect(r?.errors ?? []).toEqual([]);
      const created = reports.flatMap((r) => r?.created ?? []);
      const after = await partitionsOf(pool);
      expect(created.sort()).toEqual(after.filter((n) => !before.includes(n)).sort());
      expect(created).toHaveLength(PARTITION_DAYS_AHEAD + 1);
      // the other node either found the lock taken or, coming second, nothing left to do
      expect(reports.filter((r) => r !== null && r.created.length > 0)).toHaveLength(1);
    });
  });
});

describe('calls, voicemails and SMS retention, when chosen (e2e)', () => {
  let t: TestApp;
  let pool: pg.Pool;

  beforeAll(async () => {
    t = await startTestApp({ RETENTION_JOB_ENABLED: 'false', CALL_RETENTION_DAYS: '5' });
    pool = new pg.Pool({ connectionString: t.db.url, max: 2 });
  });
  afterAll(async () => {
    await pool?.end();
    await t?.close();
  });

  it('deletes the records not changed for CALL_RETENTION_DAYS and keeps the others', async () => {
    const tenant = await createApp(t, 'records');
    await pool.query(
      `INSERT INTO calls (app_id, dialpad_call_id, status, updated_at) VALUES
         ($1, 'old', 'ended', now() - interval '6 days'), ($1, 'recent', 'ended', now() - interval '4 days')`,
      [tenant.id],
    );
    await pool.query(`INSERT INTO voicemails (app_id, dialpad_call_id, updated_at) VALUES ($1, 'old', now() - interval '6 days'), ($1, 'recent', now())`, [
      tenant.id,
    ]);
    const report = await t.app.get(RetentionJob).run();
    expect(report!.records).toEqual({ calls: 1, voicemails: 1, sms_messages: 0 });
    const { rows } = await pool.query(
      `SELECT (SELECT array_agg(dialpad_call_id) FROM calls WHERE app_id = $1) AS calls,
              (SELECT array_agg(dialpad_call_id) FROM voicemails WHERE app_id = $1) AS voicemails`,
      [tenant.id],
    );
    expect(rows[0]).toEqual({ calls: ['recent'], voicemails: ['recent'] });
  });
});
