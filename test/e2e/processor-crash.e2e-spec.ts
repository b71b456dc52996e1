import pg from 'pg';
import request from 'supertest';
import { CallEventsWriter } from '../../src/events/call-events.writer.js';
import { EventProcessor } from '../../src/events/event-processor.service.js';
import { EventsRepository } from '../../src/events/events.repository.js';
import { ProcessedEvent, ProcessedEventsBus } from '../../src/events/processed-events.bus.js';
import { eventStates, insertEvents, RawEvent, realEvent, sleep } from '../support/event-rows.js';
import { startTestApp, TestApp } from '../support/test-app.js';
import { CreatedApp, createApp, waitFor } from '../support/webhooks.js';

const ringsFor = (base: bigint, n: number): RawEvent[] =>
  Array.from({ length: n }, (_, i) => realEvent('inbound-ringing.json', String(base + BigInt(i))));

/** A pool connection that holds a transaction open; its 'error' (when we kill it) is expected. */
async function holder(pool: pg.Pool): Promise<{ client: pg.PoolClient; pid: number }> {
  const client = await pool.connect();
  client.on('error', () => undefined);
  const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
  return { client, pid: rows[0]!.pid };
}

async function kill(pool: pg.Pool, pid: number): Promise<void> {
  const { rows } = await pool.query<{ ok: boolean }>('SELECT pg_terminate_backend($1) AS ok', [pid]);
  expect(rows[0]!.ok).toBe(true);
  await waitFor(async () => (await pool.query('SELECT 1 FROM pg_stat_activity WHERE pid = $1', [pid])).rowCount === 0);
}

describe('a processor killed mid-batch loses nothing (e2e)', () => {
  describe('processor driven by hand', () => {
    let t: TestApp;
    let pool: pg.Pool;
    let processor: EventProcessor;
    let published: ProcessedEvent[];

    beforeAll(async () => {
      t = await startTestApp({ EVENT_PROCESSOR_ENABLED: 'false', EVENT_BATCH_SIZE: '50' });
      pool = new pg.Pool({ connectionString: t.db.url, max: 4 });
      pool.on('error', () => undefined);
      processor = t.app.get(EventProcessor);
      t.app.get(ProcessedEventsBus).subscribe((events) => published.push(...events));
    });
    beforeEach(() => {
      published = [];
    });
    afterAll(async () => {
      await pool?.end();
      await t?.close();
    });

    const callsOf = async (tenant: CreatedApp) =>
      (await pool.query(`SELECT dialpad_call_id, status FROM calls WHERE app_id = $1 ORDER BY dialpad_call_id`, [tenant.id])).rows;

    it('claims held by a transaction are skipped, and come back when its connection is killed', async () => {
      const tenant = await createApp(t, 'held');
      const ids = await insertEvents(pool, tenant.id, ringsFor(7000000000000000n, 10));

      const { client, pid } = await holder(pool);
      await client.query('BEGIN');
      const claimed = await t.app.get(EventsRepository).claimDue(client, 4);
      expect(claimed.map((c) => c.id)).toEqual(ids.slice(0, 4));

      // the processor takes the other six and cannot take the four held ones
      expect(await processor.processBatch()).toBe(6);
      expect(await processor.processBatch()).toBe(0);
      const held = (await eventStates(pool, ids)).filter((e) => e.processed_at === null).map((e) => e.id);
      expect(held).toEqual(ids.slice(0, 4));
      expect((await callsOf(tenant)).map((c) => c.dialpad_call_id)).toEqual(
        ['7000000000000004', '7000000000000005', '7000000000000006', '7000000000000007', '7000000000000008', '7000000000000009'],
      );

      await kill(pool, pid);
      client.release(true);

      expect(await processor.processBatch()).toBe(4);
      const states = await eventStates(pool, ids);
      expect(states.every((e) => e.processed_at !== null && e.attempts === 0 && e.last_error === null)).toBe(true);
      expect(await callsOf(tenant)).toHaveLength(10);
      expect(published.map((e) => e.eventId).sort()).toEqual([...ids].sort());
    });

    it('a batch whose own connection dies mid-way commits nothing, publishes nothing, and is redone whole', async () => {
      const tenant = await createApp(t, 'dies');
      const ids = await insertEvents(pool, tenant.id, ringsFor(7100000000000000n, 6));
      const writer = t.app.get(CallEventsWriter);
      const original = writer.apply;
      let handled = 0;
      writer.apply = async function (client, items) {
        const out = await original.call(writer, client, items);
        handled += items.length;
        // every call row is written, then the node "dies" before marking and committing
        await client.query('SELECT pg_terminate_backend(pg_backend_pid())');
        return out;
      };
      try {
        await expect(processor.processBatch()).rejects.toThrow(/terminat/i);
      } finally {
        writer.apply = original;
      }
      expect(handled).toBe(6);
      await sleep(50); // let the dead connection's events settle: the process must survive them

      expect(await callsOf(tenant)).toEqual([]);
      expect(published).toEqual([]);
      const before = await eventStates(pool, ids);
      expect(before.map((e) => [e.processed_at, e.attempts, e.last_error])).toEqual(ids.map(() => [null, 0, null]));

      expect(await processor.processBatch()).toBe(6);
      expect((await callsOf(tenant)).map((c) => c.status)).toEqual(ids.map(() => 'ringing'));
      expect(published.map((e) => e.eventId)).toEqual(ids);
    });

    it('a batch that cannot commit its marks leaves every event and call as it was', async () => {
      const tenant = await createApp(t, 'no-commit');
      const ids = await insertEvents(pool, tenant.id, [
        ...ringsFor(7200000000000000n, 2),
        realEvent('inbound-hangup.json', '7200000000000000'),
      ]);
      const repo = t.app.get(EventsRepository);
      const original = repo.markProcessed;
      repo.markProcessed = () => Promise.reject(new Error('disk full'));
      try {
        await expect(processor.processBatch()).rejects.toThrow('disk full');
      } finally {
        repo.markProcessed = original;
      }
      expect(await callsOf(tenant)).toEqual([]);
      expect(published).toEqual([]);
      expect((await eventStates(pool, ids)).map((e) => [e.processed_at, e.attempts])).toEqual(ids.map(() => [null, 0]));

      expect(await processor.processBatch()).toBe(3);
      expect(await callsOf(tenant)).toEqual([
        { dialpad_call_id: '7200000000000000', status: 'ended' },
        { dialpad_call_id: '7200000000000001', status: 'ringing' },
      ]);
    });
  });

  describe('processor running (poll 200 ms)', () => {
    let t: TestApp;
    let pool: pg.Pool;

    beforeAll(async () => {
      t = await startTestApp({ EVENT_PROCESSOR_ENABLED: 'true', EVENT_POLL_INTERVAL_MS: '200' });
      pool = new pg.Pool({ connectionString: t.db.url, max: 4 });
      pool.on('error', () => undefined);
    });
    afterAll(async () => {
      await pool?.end();
      await t?.close();
    });

    it('leaves rows locked by another transaction alone, then processes them once that connection is killed', async () => {
      const tenant = await createApp(t, 'running');
      const admin = { Authorization: `Bearer ${t.adminToken}` };
      // the app is inactive while the events arrive, so the processor cannot take them before we lock some
      await request(t.baseUrl).patch(`/internal/apps/${tenant.id}`).set(admin).send({ is_active: false }).expect(200);
      const ids = await insertEvents(pool, tenant.id, ringsFor(7300000000000000n, 8));

      const { client, pid } = await holder(pool);
      await client.query('BEGIN');
      const { rows: locked } = await client.query<{ id: string }>(
        `SELECT id::text FROM webhook_events WHERE app_id = $1 AND processed_at IS NULL
          ORDER BY received_at, id LIMIT 3 FOR UPDATE SKIP LOCKED`,
        [tenant.id],
      );
      expect(locked.map((r) => r.id)).toEqual(ids.slice(0, 3));

      await request(t.baseUrl).patch(`/internal/apps/${tenant.id}`).set(admin).send({ is_active: true }).expect(200);
      await waitFor(async () => (await eventStates(pool, ids.slice(3))).every((e) => e.processed_at !== null), 5000);
      await sleep(600); // three more polls: the held rows stay untouched
      expect((await eventStates(pool, ids.slice(0, 3))).map((e) => [e.processed_at, e.attempts])).toEqual([
        [null, 0],
        [null, 0],
        [null, 0],
      ]);

      await kill(pool, pid);
      client.release(true);
      const states = await waitFor(async () => {
        const rows = await eventStates(pool, ids);
        return rows.every((e) => e.processed_at !== null) ? rows : null;
      }, 5000);
      expect(states.map((e) => e.attempts)).toEqual(ids.map(() => 0));
      const { rows } = await pool.query(`SELECT count(*)::int AS n FROM calls WHERE app_id = $1 AND status = 'ringing'`, [tenant.id]);
      expect(rows[0].n).toBe(8);
    });
  });
});
