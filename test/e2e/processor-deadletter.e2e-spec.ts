import pg from 'pg';
import request from 'supertest';
import { EventProcessor } from '../../src/events/event-processor.service.js';
import { eventState, eventStates, insertEvents, poisonEvent, realEvent, sleep } from '../support/event-rows.js';
import { startTestApp, TestApp } from '../support/test-app.js';
import { CreatedApp, createApp, waitFor } from '../support/webhooks.js';

const ring = (callId: string) => realEvent('inbound-ringing.json', callId);

describe('failing events: retries, dead letter, replay (e2e)', () => {
  describe('EVENT_MAX_ATTEMPTS=3, immediate retries, poll 100 ms', () => {
    let t: TestApp;
    let pool: pg.Pool;
    let tenant: CreatedApp;
    let other: CreatedApp;
    let poisonId: string;
    let firstDeadAt: Date;

    const admin = () => ({ Authorization: `Bearer ${t.adminToken}` });
    const eventsUrl = (appId: string) => `/internal/apps/${appId}/events`;

    beforeAll(async () => {
      t = await startTestApp({
        EVENT_PROCESSOR_ENABLED: 'true',
        EVENT_MAX_ATTEMPTS: '3',
        EVENT_RETRY_MAX_DELAY_MS: '0',
        EVENT_POLL_INTERVAL_MS: '100',
      });
      pool = new pg.Pool({ connectionString: t.db.url, max: 3 });
      tenant = await createApp(t, 'poisoned');
      other = await createApp(t, 'other');
    });
    afterAll(async () => {
      await pool?.end();
      await t?.close();
    });

    it('dead-letters a poisoned event after 3 attempts while the events around it are processed', async () => {
      const [before] = await insertEvents(pool, tenant.id, [ring('8100000000000001')]);
      [poisonId] = await insertEvents(pool, tenant.id, [poisonEvent('a')]);
      const [after] = await insertEvents(pool, tenant.id, [ring('8100000000000002')]);

      const dead = await waitFor(async () => {
        const row = await eventState(pool, poisonId);
        return row.dead_at ? row : null;
      }, 5000);
      expect(dead.attempts).toBe(3);
      expect(dead.processed_at).toBeNull();
      expect(dead.last_error).toBe('cannot normalise stored event: payload has no call_id');
      firstDeadAt = dead.dead_at!;

      const good = await eventStates(pool, [before, after]);
      expect(good.map((e) => [e.processed_at !== null, e.attempts, e.dead_at])).toEqual([
        [true, 0, null],
        [true, 0, null],
      ]);
      const { rows } = await pool.query(`SELECT dialpad_call_id, status FROM calls WHERE app_id = $1 ORDER BY 1`, [tenant.id]);
      expect(rows).toEqual([
        { dialpad_call_id: '8100000000000001', status: 'ringing' },
        { dialpad_call_id: '8100000000000002', status: 'ringing' },
      ]);

      // no more attempts once dead
      await sleep(300);
      expect((await eventState(pool, poisonId)).attempts).toBe(3);
    });

    it('lists the dead event under status=dead only', async () => {
      const dead = await request(t.baseUrl).get(eventsUrl(tenant.id)).query({ status: 'dead' }).set(admin()).expect(200);
      expect(dead.body.next_before).toBeNull();
      expect(dead.body.items).toHaveLength(1);
      expect(dead.body.items[0]).toMatchObject({
        id: poisonId,
        dialpad_event_id: 'poison:a',
        event_type: 'call.ring',
        dialpad_call_id: null,
        status: 'dead',
        attempts: 3,
        processed_at: null,
        last_error: 'cannot normalise stored event: payload has no call_id',
      });
      expect(typeof dead.body.items[0].dead_at).toBe('string');

      const processed = await request(t.baseUrl).get(eventsUrl(tenant.id)).query({ status: 'processed' }).set(admin()).expect(200);
      expect(processed.body.items.map((e: { dialpad_call_id: string }) => e.dialpad_call_id)).toEqual(['8100000000000002', '8100000000000001']);
      const otherDead = await request(t.baseUrl).get(eventsUrl(other.id)).query({ status: 'dead' }).set(admin()).expect(200);
      expect(otherDead.body.items).toEqual([]);
    });

    it('replay requeues the dead event (attempts 0, dead_at null); unfixed, it dies again', async () => {
      // inactive app: the requeued event waits, so its requeued state can be read
      await request(t.baseUrl).patch(`/internal/apps/${tenant.id}`).set(admin()).send({ is_active: false }).expect(200);
      const res = await request(t.baseUrl).post(`${eventsUrl(tenant.id)}/${poisonId}/replay`).set(admin()).expect(202);
      expect(res.body).toEqual({ id: poisonId, requeued: true });
      await sleep(250);
      const requeued = await eventState(pool, poisonId);
      expect([requeued.attempts, requeued.dead_at, requeued.processed_at]).toEqual([0, null, null]);
      const pending = await request(t.baseUrl).get(eventsUrl(tenant.id)).query({ status: 'pending' }).set(admin()).expect(200);
      expect(pending.body.items.map((e: { id: string }) => e.id)).toEqual([poisonId]);

      await request(t.baseUrl).patch(`/internal/apps/${tenant.id}`).set(admin()).send({ is_active: true }).expect(200);
      const again = await waitFor(async () => {
        const row = await eventState(pool, poisonId);
        return row.dead_at ? row : null;
      }, 5000);
      expect(again.attempts).toBe(3);
      expect(again.dead_at!.getTime()).toBeGreaterThan(firstDeadAt.getTime());
    });

    it('replay answers 404 for an unknown id, a malformed id, and another app’s event', async () => {
      const unknown = await request(t.baseUrl).post(`${eventsUrl(tenant.id)}/999999999/replay`).set(admin()).expect(404);
      expect(unknown.body).toMatchObject({ statusCode: 404 });
      await request(t.baseUrl).post(`${eventsUrl(tenant.id)}/abc/replay`).set(admin()).expect(404);
      await request(t.baseUrl).post(`${eventsUrl(other.id)}/${poisonId}/replay`).set(admin()).expect(404);
      await request(t.baseUrl).get(`${eventsUrl(other.id)}/${poisonId}`).set(admin()).expect(404);
      await request(t.baseUrl).post(`${eventsUrl(tenant.id)}/${poisonId}/replay`).expect(401);
      // the 404s touched nothing
      expect((await eventState(pool, poisonId)).attempts).toBe(3);
    });

    it('does not process the events of an inactive app until it is re-activated', async () => {
      const sleeper = await createApp(t, 'sleeper');
      await request(t.baseUrl).patch(`/internal/apps/${sleeper.id}`).set(admin()).send({ is_active: false }).expect(200);
      const ids = await insertEvents(pool, sleeper.id, [ring('8200000000000001'), realEvent('inbound-connected.json', '8200000000000001')]);
      // another tenant's event inserted meanwhile is not held up
      const [awake] = await insertEvents(pool, other.id, [ring('8200000000000002')]);
      await waitFor(async () => (await eventState(pool, awake)).processed_at !== null, 3000);
      await sleep(400); // four polls
      expect((await eventStates(pool, ids)).map((e) => [e.processed_at, e.attempts])).toEqual([
        [null, 0],
        [null, 0],
      ]);
      expect((await pool.query(`SELECT 1 FROM calls WHERE app_id = $1`, [sleeper.id])).rowCount).toBe(0);

      await request(t.baseUrl).patch(`/internal/apps/${sleeper.id}`).set(admin()).send({ is_active: true }).expect(200);
      await waitFor(async () => (await eventStates(pool, ids)).every((e) => e.processed_at !== null), 3000);
      const { rows } = await pool.query(`SELECT status FROM calls WHERE app_id = $1`, [sleeper.id]);
      expect(rows).toEqual([{ status: 'connected' }]);
    });
  });

  describe('exponential backoff (batch size 1, default delays, processor driven by hand)', () => {
    let t: TestApp;
    let pool: pg.Pool;

    beforeAll(async () => {
      t = await startTestApp({ EVENT_PROCESSOR_ENABLED: 'false', EVENT_BATCH_SIZE: '1', EVENT_MAX_ATTEMPTS: '10' });
      pool = new pg.Pool({ connectionString: t.db.url, max: 2 });
    });
    afterAll(async () => {
      await pool?.end();
      await t?.close();
    });

    /** Seconds from now (database clock) until the event is due. */
    const dueIn = async (id: string) =>
      Number(
        (await pool.query(`SELECT EXTRACT(EPOCH FROM next_attempt_at - clock_timestamp())::float AS s FROM webhook_events WHERE id = $1`, [id]))
          .rows[0].s,
      );

    it('a failing event at the head of the queue does not block the events behind it, and backs off 1 s, 2 s, 4 s', async () => {
      const tenant = await createApp(t);
      const processor = t.app.get(EventProcessor);
      const [poison, ...good] = await insertEvents(pool, tenant.id, [poisonEvent('head'), ring('8300000000000001'), ring('8300000000000002')]);

      expect(await processor.processBatch()).toBe(1); // the poison: fails
      expect(await processor.processBatch()).toBe(1); // the next one, not the poison again
      expect(await processor.processBatch()).toBe(1);
      expect(await processor.processBatch()).toBe(0); // the poison is not due yet
      expect((await eventStates(pool, good)).map((e) => [e.processed_at !== null, e.attempts])).toEqual([
        [true, 0],
        [true, 0],
      ]);
      const first = await eventState(pool, poison);
      expect([first.attempts, first.processed_at, first.dead_at]).toEqual([1, null, null]);
      expect(first.last_error).toMatch(/no call_id/);
      let s = await dueIn(poison);
      expect(s).toBeGreaterThan(0.7);
      expect(s).toBeLessThanOrEqual(1.2);

      for (const [attempt, base] of [
        [2, 2],
        [3, 4],
      ] as const) {
        await pool.query(`UPDATE webhook_events SET next_attempt_at = clock_timestamp() WHERE id = $1`, [poison]);
        expect(await processor.processBatch()).toBe(1);
        expect((await eventState(pool, poison)).attempts).toBe(attempt);
        s = await dueIn(poison);
        expect(s).toBeGreaterThan(base * 0.8 - 0.1);
        expect(s).toBeLessThanOrEqual(base * 1.2);
      }
    });
  });
});
