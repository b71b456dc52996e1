import pg from 'pg';
import { EventProcessor } from '../../src/events/event-processor.service.js';
import { ProcessedEventsBus } from '../../src/events/processed-events.bus.js';
import { eventState, insertEvents, realEvent } from '../support/event-rows.js';
import { startTestApp, TestApp } from '../support/test-app.js';
import { CreatedApp, createApp, fixtureWith, postJwt, waitFor } from '../support/webhooks.js';

interface Listener {
  pid: number;
  backend_start: Date;
}

async function listeners(pool: pg.Pool): Promise<Listener[]> {
  const { rows } = await pool.query<Listener>(
    `SELECT pid, backend_start FROM pg_stat_activity
      WHERE application_name = 'turbo-cti-listener' AND datname = current_database() ORDER BY pid`,
  );
  return rows;
}

/** Kills the app's LISTEN connection and waits until it is gone. */
async function killListener(pool: pg.Pool): Promise<Listener> {
  const [listener, ...more] = await listeners(pool);
  expect(listener).toBeDefined();
  expect(more).toEqual([]);
  await pool.query('SELECT pg_terminate_backend($1)', [listener!.pid]);
  await waitFor(async () => (await listeners(pool)).every((l) => l.pid !== listener!.pid), 2000, 5);
  return listener!;
}

/** Resolves with the time the call's event is published on the app's bus (Infinity after 3 s). */
function publishedAt(t: TestApp, callId: string): Promise<number> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      off();
      resolve(Infinity);
    }, 3000);
    const off = t.app.get(ProcessedEventsBus).subscribe((events) => {
      if (events.some((e) => e.call?.dialpad_call_id === callId)) {
        clearTimeout(timer);
        off();
        resolve(Date.now());
      }
    });
  });
}

describe('processor wake-up (e2e)', () => {
  describe('poll every 60 s: only NOTIFY can wake it', () => {
    let t: TestApp;
    let pool: pg.Pool;
    let tenant: CreatedApp;

    beforeAll(async () => {
      t = await startTestApp({ EVENT_PROCESSOR_ENABLED: 'true', EVENT_POLL_INTERVAL_MS: '60000' });
      pool = new pg.Pool({ connectionString: t.db.url, max: 2 });
      tenant = await createApp(t);
    });
    afterAll(async () => {
      await pool?.end();
      await t?.close();
    });

    it('processes a webhook well under a second after it is received', async () => {
      const latencies: number[] = [];
      for (let i = 0; i < 5; i++) {
        const callId = `860000000000000${i}`;
        const done = publishedAt(t, callId);
        const start = Date.now();
        const res = await postJwt(t, tenant, fixtureWith('inbound-ringing.json', { call_id: callId }));
        expect(res.status).toBe(200);
        latencies.push((await done) - start);
        const { rows } = await pool.query(`SELECT status FROM calls WHERE app_id = $1 AND dialpad_call_id = $2`, [tenant.id, callId]);
        expect(rows).toEqual([{ status: 'ringing' }]);
      }
      expect(Math.max(...latencies)).toBeLessThan(1000);
    });

    it('reconnects a lost LISTEN connection, catches up on what arrived meanwhile, and is woken by NOTIFY again', async () => {
      const lost = await killListener(pool);
      const [missed] = await insertEvents(pool, tenant.id, [realEvent('inbound-ringing.json', '8610000000000001')]);

      // the reconnect (after ~1 s) runs a pass for anything inserted while it was not listening
      const back = await waitFor(async () => (await listeners(pool)).find((l) => l.pid !== lost.pid), 4000);
      const caughtUp = await waitFor(async () => {
        const row = await eventState(pool, missed);
        return row.processed_at ? row : null;
      }, 2000);
      expect(caughtUp.attempts).toBe(0);
      expect(await listeners(pool)).toEqual([back]);

      const done = publishedAt(t, '8610000000000002');
      const start = Date.now();
      const res = await postJwt(t, tenant, fixtureWith('inbound-ringing.json', { call_id: '8610000000000002' }));
      expect(res.status).toBe(200);
      const at = await done;
      expect(at - start).toBeLessThan(1000);
    });
  });

  describe('poll every 200 ms: the fallback while LISTEN is down', () => {
    let t: TestApp;
    let pool: pg.Pool;
    let tenant: CreatedApp;

    beforeAll(async () => {
      t = await startTestApp({ EVENT_PROCESSOR_ENABLED: 'true', EVENT_POLL_INTERVAL_MS: '200' });
      pool = new pg.Pool({ connectionString: t.db.url, max: 2 });
      tenant = await createApp(t);
    });
    afterAll(async () => {
      await pool?.end();
      await t?.close();
    });

    it('keeps processing by polling before the listener is back, then the listener reconnects', async () => {
      const lost = await killListener(pool);
      const [id] = await insertEvents(pool, tenant.id, [realEvent('inbound-ringing.json', '8620000000000001')]);
      const row = await waitFor(async () => {
        const state = await eventState(pool, id);
        return state.processed_at ? state : null;
      }, 2000, 10);
      // processed by a poll while no listener was connected
      const during = await listeners(pool);
      const back = await waitFor(async () => (await listeners(pool)).find((l) => l.pid !== lost.pid), 4000);
      expect(during.filter((l) => l.backend_start.getTime() < row.processed_at!.getTime())).toEqual([]);
      expect(back.backend_start.getTime()).toBeGreaterThan(row.processed_at!.getTime());
      const { rows } = await pool.query(`SELECT status FROM calls WHERE app_id = $1`, [tenant.id]);
      expect(rows).toEqual([{ status: 'ringing' }]);
    });
  });

  it('a shutdown while the listener is reconnecting leaves no LISTEN connection behind', async () => {
    const t = await startTestApp({ EVENT_PROCESSOR_ENABLED: 'true', EVENT_POLL_INTERVAL_MS: '60000' });
    const pool = new pg.Pool({ connectionString: t.db.url, max: 1 });
    try {
      const lost = await killListener(pool);
      // wait for the reconnect to start (1 s after the loss), then shut down while it connects
      // (the processor's PgListener, private state read for the test: `connecting` is set while it reconnects)
      const { listener } = t.app.get<EventProcessor, { listener: { connecting: Promise<void> | null } }>(EventProcessor);
      await waitFor(async () => listener.connecting !== null, 3000, 1);
      await t.app.close();
      await new Promise((r) => setTimeout(r, 100));
      expect((await listeners(pool)).filter((l) => l.pid !== lost.pid)).toEqual([]);
    } finally {
      await pool.end();
      await t.db.drop();
    }
  });
});
