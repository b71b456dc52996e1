import { jest } from '@jest/globals';
import pg from 'pg';
import { EventsRepository } from '../../src/events/events.repository.js';
import { eventState, insertEvents, realEvent } from '../support/event-rows.js';
import { ManualProcessorWorld, startManualProcessor } from '../support/manual-processor.js';
import type { TestApp } from '../support/test-app.js';
import type { CreatedApp } from '../support/webhooks.js';

/**
 * The processor's statements and table growth ("Statement plans" in src/events/event-processor.service.ts). A named
 * statement settles on a generic plan after five executions; one made while `calls` is empty is a seq scan, kept for
 * the connection's life unless an ANALYZE invalidates it (never, where autovacuum is off, as on this machine's
 * PostgreSQL). So the batch's key lookups are unnamed (planned for their keys each time); only the claim and the
 * stream counter are prepared; and nothing forces custom plans on the whole transaction, which re-planned every
 * foreign-key check once per inserted row.
 */
describe('processor statement plans as the tables grow (e2e, real PostgreSQL)', () => {
  let world: ManualProcessorWorld;
  let t: TestApp;
  let pool: pg.Pool;
  let tenant: CreatedApp;

  beforeAll(async () => {
    world = await startManualProcessor();
    ({ t, pool, tenant } = world);
  });
  afterAll(async () => {
    await world?.close();
  });

  const LOOKUP = `SELECT id FROM calls WHERE (app_id, dialpad_call_id) IN (SELECT * FROM unnest($1::uuid[], $2::text[]))`;
  const keys = () => [Array.from({ length: 20 }, () => tenant.id), Array.from({ length: 20 }, (_, i) => `absent-${i}`)];
  const plan = (rows: { 'QUERY PLAN': string }[]) => rows.map((row) => row['QUERY PLAN']).join('\n');

  /**
   * Runs one processor batch, watching its connection from the claim on: the client, and every statement sent on it
   * (a string or a QueryConfig, as sent). The spies are removed when the batch is over.
   */
  async function watchBatch(): Promise<{ claimed: number; client: pg.PoolClient; statements: pg.QueryConfig[] }> {
    const events = t.app.get(EventsRepository);
    const claimDue = events.claimDue.bind(events);
    const seen: { client?: pg.PoolClient; query?: jest.SpiedFunction<pg.PoolClient['query']> } = {};
    const claim = jest.spyOn(events, 'claimDue').mockImplementation(async (client, ...rest) => {
      seen.client = client;
      seen.query = jest.spyOn(client, 'query');
      return claimDue(client, ...rest);
    });
    try {
      const claimed = await world.processor.processBatch();
      expect(seen.query).toBeDefined();
      const statements = seen.query!.mock.calls.map(([q]) => (typeof q === 'string' ? { text: q } : (q as pg.QueryConfig)));
      return { claimed, client: seen.client!, statements };
    } finally {
      seen.query?.mockRestore();
      claim.mockRestore();
    }
  }

  it('the premise: a lookup prepared while calls was empty keeps its seq scan as the table grows; planned for its keys, it is an index scan', async () => {
    const client = await pool.connect();
    try {
      await client.query(`PREPARE grown_lookup(uuid[], text[]) AS ${LOOKUP}`);
      const [apps, ids] = keys();
      const literal = `('{${apps!.join(',')}}'::uuid[], '{${ids!.join(',')}}'::text[])`;
      for (let i = 0; i < 8; i++) await client.query(`EXECUTE grown_lookup${literal}`);
      await client.query(`INSERT INTO calls (app_id, dialpad_call_id, status) SELECT $1, 'grown-' || g, 'ended' FROM generate_series(1, 30000) g`, [tenant.id]);
      const generic = plan((await client.query(`EXPLAIN EXECUTE grown_lookup${literal}`)).rows);
      // unnamed, with bind parameters (as the processor sends it): planned for these values
      const perBatch = plan((await client.query(`EXPLAIN ${LOOKUP}`, keys())).rows);
      expect(generic).toMatch(/Seq Scan on calls/);
      expect(perBatch).not.toMatch(/Seq Scan on calls/);
      expect(perBatch).toMatch(/Index (Only )?Scan using calls_app_call_key/);
    } finally {
      await client.query('DEALLOCATE grown_lookup').catch(() => undefined);
      client.release();
    }
  });

  it('a batch prepares only the claim and the stream counter, sends every key lookup unnamed, forces no plan mode, and processes its events', async () => {
    const ids = await insertEvents(pool, tenant.id, [
      realEvent('inbound-ringing.json', '7700000000000001'),
      realEvent('inbound-connected.json', '7700000000000002'),
    ]);
    const { claimed, client, statements } = await watchBatch();
    expect(claimed).toBe(2);
    for (const id of ids) expect((await eventState(pool, id)).processed_at).not.toBeNull();

    const named = new Set(statements.flatMap((s) => (s.name ? [s.name] : [])));
    expect([...named].sort()).toEqual(['allocate-stream-seqs', 'claim-due-events']);
    // the calls lookup, insert and the mark-processed went through, unnamed
    expect(statements.some((s) => !s.name && /FROM calls/.test(s.text))).toBe(true);
    expect(statements.some((s) => !s.name && /^INSERT INTO calls/.test(s.text))).toBe(true);
    expect(statements.some((s) => !s.name && /^UPDATE webhook_events/.test(s.text))).toBe(true);
    expect(statements.some((s) => /plan_cache_mode/.test(s.text))).toBe(false);

    // what the connection keeps prepared (read on the same connection, back in the pool)
    const { rows } = await client.query<{ name: string }>(`SELECT name FROM pg_prepared_statements ORDER BY name`);
    expect(rows.map((r) => r.name)).toEqual(['allocate-stream-seqs', 'claim-due-events']);
  });

  it('with no statistics and calls taken for millions of rows, each key lookup of a batch still probes the unique index key by key', async () => {
    // a stored call, then an event for it: the batch reads the call, then locks it
    await insertEvents(pool, tenant.id, [realEvent('inbound-ringing.json', '7700000000000021')]);
    expect(await world.processor.processBatch()).toBe(1);
    await insertEvents(pool, tenant.id, [realEvent('inbound-connected.json', '7700000000000021')]);
    const { claimed, statements } = await watchBatch();
    expect(claimed).toBe(1);
    const lookups = statements.filter((s) => /^SELECT/.test(s.text) && /FROM calls/.test(s.text));
    expect(lookups.map((s) => /FOR UPDATE/.test(s.text))).toEqual([false, true]);

    // as the planner sees a table never analyzed (autovacuum off, or not yet run) after a day of growth: a density
    // of 5,000,000 rows a page, no column statistics. Superuser only; put back in `finally`.
    await pool.query(`UPDATE pg_class SET relpages = 1, reltuples = 5e6 WHERE oid = 'calls'::regclass`);
    try {
      const many = [Array.from({ length: 500 }, () => tenant.id), Array.from({ length: 500 }, (_, i) => `absent-${i}`)];
      // the premise: the join form of the lookup (in key order, as the batch's read was written before), so
      // estimated, goes over the whole table for a batch of 500 keys
      const joined = plan((await pool.query(`EXPLAIN ${LOOKUP} ORDER BY app_id, dialpad_call_id`, many)).rows);
      expect(joined).toMatch(/Merge Join|Hash (Semi )?Join|Seq Scan on calls/);
      for (const lookup of lookups) {
        // the batch's own statement, with 500 keys in place of its one
        const explained = plan((await pool.query(`EXPLAIN ${lookup.text}`, many)).rows);
        expect(explained).not.toMatch(/Merge Join|Hash (Semi )?Join|Seq Scan/);
        expect(explained).toMatch(/Index Scan using calls_app_call_key on calls .*\n\s+Index Cond: \(\(app_id = k\.app_id\) AND \(dialpad_call_id = k\.key\)\)/);
      }
    } finally {
      await pool.query(`UPDATE pg_class SET relpages = 0, reltuples = -1 WHERE oid = 'calls'::regclass`);
    }
  });

  it('the statements that reach stored events by key (mark processed, the raw payload of a call) are planned for the partition of the batch only', async () => {
    // a new call: its INSERT copies the event's payload from the log
    const [id] = await insertEvents(pool, tenant.id, [realEvent('inbound-ringing.json', '7700000000000011')]);
    const { claimed, statements } = await watchBatch();
    expect(claimed).toBe(1);
    const { rows: parts } = await pool.query<{ n: number; own: string }>(
      `SELECT (SELECT count(*)::int FROM pg_inherits WHERE inhparent = 'webhook_events'::regclass) AS n,
              (SELECT tableoid::regclass::text FROM webhook_events WHERE id = $1) AS own`,
      [id],
    );
    expect(parts[0]!.n).toBeGreaterThan(1); // the premise: a day's partition beside others (the days ahead)

    const mark = statements.find((s) => /^UPDATE webhook_events/.test(s.text));
    const insert = statements.find((s) => /^INSERT INTO calls/.test(s.text));
    for (const statement of [mark, insert]) {
      expect(statement).toBeDefined();
      // planned as the processor sent it: unnamed, with its values
      const explained = plan((await pool.query(`EXPLAIN ${statement!.text}`, statement!.values)).rows);
      expect([...new Set(explained.match(/webhook_events_p\d{8}/g))]).toEqual([parts[0]!.own]);
    }
    // and the call got that event's payload
    const { rows } = await pool.query(`SELECT raw_payload->>'call_id' AS call_id FROM calls WHERE app_id = $1 AND dialpad_call_id = '7700000000000011'`, [tenant.id]);
    expect(rows).toEqual([{ call_id: '7700000000000011' }]);
  });
});
