import pg from 'pg';
import { asAppId } from '../../src/common/app-id.js';
import { EventsRepository, NewEvent } from '../../src/events/events.repository.js';
import { Sql } from '../../src/infra/database/sql.js';
import { ManualProcessorWorld, startManualProcessor } from '../support/manual-processor.js';
import type { TestApp } from '../support/test-app.js';
import { CreatedApp, fixtureWith, postJwt } from '../support/webhooks.js';

/**
 * The ingest statement deduplicates set-based (migration 1732231300000): it records a micro-batch's identities in
 * webhook_event_keys itself and stores the new ones marked `key_recorded`, which the per-row dedup trigger skips;
 * every other writer still goes through the trigger. Both must agree on what is a duplicate.
 */
describe('webhook event deduplication, set-based at ingest and by trigger for other writers (e2e)', () => {
  let world: ManualProcessorWorld;
  let t: TestApp;
  let pool: pg.Pool;
  let tenant: CreatedApp;
  let events: EventsRepository;

  beforeAll(async () => {
    world = await startManualProcessor();
    ({ t, pool, tenant } = world);
    events = t.app.get(EventsRepository);
  });
  afterAll(async () => {
    await world?.close();
  });

  const event = (dialpadEventId: string): NewEvent => ({
    appId: asAppId(tenant.id),
    dialpadEventId,
    eventType: 'call.ring',
    dialpadCallId: '7800000000000001',
    payloadJson: `{"state":"ringing","call_id":7800000000000001,"tag":"${dialpadEventId}"}`,
  });

  /** The stored row and its key, by identity. */
  const stored = async (dialpadEventId: string) => {
    const { rows } = await pool.query(
      `SELECT e.id::text AS id, e.key_recorded, e.payload->>'tag' AS tag, k.event_id::text AS key_event_id, k.received_at = e.received_at AS same_time
         FROM webhook_events e LEFT JOIN webhook_event_keys k ON k.app_id = e.app_id AND k.dialpad_event_id = e.dialpad_event_id
        WHERE e.app_id = $1 AND e.dialpad_event_id = $2`,
      [tenant.id, dialpadEventId],
    );
    return rows;
  };

  it('one batch holding an event twice stores it once, the second answered as a duplicate of the first', async () => {
    const refs = await events.insertMany([event('a-1'), event('a-2'), event('a-1')]);
    expect(refs.map((r) => r.duplicate)).toEqual([false, false, true]);
    expect(refs[2]!.id).toBe(refs[0]!.id);
    expect(BigInt(refs[1]!.id)).toBeGreaterThan(BigInt(refs[0]!.id)); // numbered in the batch's order
    // stored (the trigger let the marked row through), with its key pointing at it, received at the same instant
    expect(await stored('a-1')).toEqual([{ id: refs[0]!.id, key_recorded: true, tag: 'a-1', key_event_id: refs[0]!.id, same_time: true }]);
    expect(await stored('a-2')).toEqual([{ id: refs[1]!.id, key_recorded: true, tag: 'a-2', key_event_id: refs[1]!.id, same_time: true }]);
  });

  it('a redelivery in a later batch is a duplicate with the stored id, and stores nothing', async () => {
    const [first] = await events.insertMany([event('b-1')]);
    const [again] = await events.insertMany([event('b-1')]);
    expect(again).toMatchObject({ id: first!.id, duplicate: true });
    expect(await stored('b-1')).toHaveLength(1);
  });

  it('another writer (the trigger) and the ingest statement agree on duplicates, whichever stored first', async () => {
    const direct = (dialpadEventId: string) =>
      pool.query<{ id: string }>(
        `INSERT INTO webhook_events (app_id, dialpad_event_id, event_type, payload) VALUES ($1, $2, 'call.ring', '{"tag":"direct"}') RETURNING id::text`,
        [tenant.id, dialpadEventId],
      );
    // ingest first: the trigger skips the other writer's row
    const [ingested] = await events.insertMany([event('c-1')]);
    expect((await direct('c-1')).rowCount).toBe(0);
    expect(await stored('c-1')).toEqual([expect.objectContaining({ id: ingested!.id, tag: 'c-1' })]);
    // the other writer first (its key recorded by the trigger): ingest answers a duplicate with that row's id
    const { rows } = await direct('c-2');
    const [late] = await events.insertMany([event('c-2')]);
    expect(late).toMatchObject({ id: rows[0]!.id, duplicate: true });
    expect(await stored('c-2')).toEqual([{ id: rows[0]!.id, key_recorded: false, tag: 'direct', key_event_id: rows[0]!.id, same_time: true }]);
  });

  it('takes the keys in key order: a writer holding one of them meanwhile is waited for, never deadlocked with', async () => {
    const other = await pool.connect();
    try {
      // another transaction holds d-a's key, uncommitted
      await other.query('BEGIN');
      await other.query(`INSERT INTO webhook_event_keys (app_id, dialpad_event_id, event_id, received_at) VALUES ($1, 'd-a', -1, now())`, [tenant.id]);
      // a batch holding d-b then d-a (arrival order) waits on d-a before it takes d-b
      const batch = events.insertMany([event('d-b'), event('d-a')]);
      const waiting = async () =>
        (await pool.query(`SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE 'WITH batch%'`)).rowCount;
      for (let i = 0; i < 100 && !(await waiting()); i++) await new Promise((r) => setTimeout(r, 20));
      expect(await waiting()).toBe(1);
      // so the other transaction can still take d-b (in arrival order the batch would hold it: a deadlock, one side failed)
      await other.query(`INSERT INTO webhook_event_keys (app_id, dialpad_event_id, event_id, received_at) VALUES ($1, 'd-b', -2, now())`, [tenant.id]);
      await other.query('COMMIT');
      const refs = await batch;
      expect(refs.map((r) => ({ duplicate: r.duplicate, id: r.id }))).toEqual([
        { duplicate: true, id: '-2' },
        { duplicate: true, id: '-1' },
      ]);
    } finally {
      await other.query('ROLLBACK').catch(() => undefined);
      other.release();
    }
  });

  it('through the route: a webhook delivered twice at once is stored once, both answered 200', async () => {
    const json = fixtureWith('inbound-ringing.json', { call_id: '7800000000000009' });
    const answers = await Promise.all([postJwt(t, tenant, json), postJwt(t, tenant, json)]);
    expect(answers.map((r) => r.status)).toEqual([200, 200]);
    expect(answers.map((r) => r.body.duplicate).sort()).toEqual([false, true]);
    expect(answers[0].body.event_id).toBe(answers[1].body.event_id);
    const { rows } = await pool.query(`SELECT count(*)::int AS n FROM webhook_events WHERE app_id = $1 AND dialpad_call_id = '7800000000000009'`, [
      tenant.id,
    ]);
    expect(rows[0].n).toBe(1);
  });

  it('the ingest statement is prepared once per connection: its generic plan stores and deduplicates like the first', async () => {
    // eight batches one after another: past the five custom plans a named statement makes before settling
    const refs = [];
    for (let i = 0; i < 8; i++) refs.push(...(await events.insertMany([event(`p-${i}`), event(`p-${i + 1}`)])));
    expect(refs.map((r) => r.duplicate)).toEqual([false, false, ...Array.from({ length: 14 }, (_, i) => i % 2 === 0)]);
    for (let i = 0; i < 9; i++) expect(await stored(`p-${i}`)).toHaveLength(1);
    // the service's own pool (the world's `pool` is the test's): every idle connection, at once, for what it holds prepared
    const servicePool = t.app.get(Sql).pool;
    const clients = await Promise.all(Array.from({ length: servicePool.idleCount }, () => servicePool.connect()));
    try {
      const held = await Promise.all(
        clients.map(async (c) => (await c.query<{ generic_plans: string }>(`SELECT generic_plans FROM pg_prepared_statements WHERE name = 'ingest-events'`)).rows),
      );
      expect(held.flat().some((r) => Number(r.generic_plans) > 0)).toBe(true);
    } finally {
      for (const c of clients) c.release();
    }
  });
});
