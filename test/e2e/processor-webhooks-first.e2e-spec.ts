import pg from 'pg';
import { IngestPressure } from '../../src/events/ingest-pressure.js';
import { metricSum } from '../support/metrics.js';
import { startTestApp, TestApp } from '../support/test-app.js';
import { CreatedApp, createApp, fixtureWith, postJwt, processedEvent, waitFor } from '../support/webhooks.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The node's cti_event_processing_deferred_seconds_total. */
const deferredSeconds = (t: TestApp) => metricSum(t, 'cti_event_processing_deferred_seconds_total');

/**
 * Webhook requests held open on a node's IngestPressure, as a burst (or a stalled commit) would hold them:
 * `hold(n)` adds n waiting requests, `release()` settles every one held.
 */
function heldRequests(pressure: () => IngestPressure) {
  let held = 0;
  return {
    hold(n: number): void {
      for (let i = 0; i < n; i++) pressure().arrived();
      held += n;
    },
    release(): void {
      for (; held > 0; held--) pressure().settled();
    },
  };
}

async function processedAt(pool: pg.Pool, eventId: string): Promise<Date | null> {
  const { rows } = await pool.query<{ processed_at: Date | null }>(`SELECT processed_at FROM webhook_events WHERE id = $1`, [eventId]);
  return rows[0]?.processed_at ?? null;
}

/**
 * Webhooks first (docs/architecture.md): while webhooks queue for their commit, the processor of the node defers
 * its batches. Here the queue is 50 requests held open on the node's IngestPressure, as a burst (or a stalled
 * commit) would hold them; the webhook posted meanwhile goes through the real route, store and processor.
 */
describe('webhooks first: the processor defers while webhooks queue (e2e)', () => {
  let t: TestApp;
  let pool: pg.Pool;
  let tenant: CreatedApp;
  let pressure: IngestPressure;
  const { hold, release } = heldRequests(() => pressure);

  beforeAll(async () => {
    t = await startTestApp({
      EVENT_PROCESSOR_ENABLED: 'true',
      EVENT_POLL_INTERVAL_MS: '60000',
      EVENT_INGEST_PRIORITY_QUEUE: '16',
      EVENT_INGEST_PRIORITY_MAX_DEFER_MS: '1500',
    });
    pool = new pg.Pool({ connectionString: t.db.url, max: 2 });
    tenant = await createApp(t);
    pressure = t.app.get(IngestPressure);
  });
  afterEach(() => release());
  afterAll(async () => {
    await pool?.end();
    await t?.close();
  });

  it('processes at once when webhooks do not queue', async () => {
    const before = await deferredSeconds(t);
    const res = await postJwt(t, tenant, fixtureWith('inbound-ringing.json', { call_id: '8700000000000001' }));
    expect(res.status).toBe(200);
    const started = Date.now();
    await processedEvent(pool, res.body.event_id, 2000);
    expect(Date.now() - started).toBeLessThan(500);
    expect(await deferredSeconds(t)).toBe(before);
  });

  it('stores a webhook at once while 50 wait, processes it only when they are done, and counts the time deferred', async () => {
    const before = await deferredSeconds(t);
    hold(50);
    await sleep(150); // the average climbs past 16 within about 40 ms
    expect(pressure.pressing()).toBe(true);
    const posted = Date.now();
    const res = await postJwt(t, tenant, fixtureWith('inbound-ringing.json', { call_id: '8700000000000002' }));
    expect(res.status).toBe(200);
    expect(Date.now() - posted).toBeLessThan(1000);
    await sleep(400);
    expect(await processedAt(pool, res.body.event_id)).toBeNull();
    release();
    const releasedAt = Date.now();
    await processedEvent(pool, res.body.event_id, 2000);
    // the average falls below 16 within a few tenths of a second, long before the 1.5 s bound
    expect(Date.now() - releasedAt).toBeLessThan(1000);
    const { rows } = await pool.query(`SELECT status FROM calls WHERE app_id = $1 AND dialpad_call_id = '8700000000000002'`, [tenant.id]);
    expect(rows).toEqual([{ status: 'ringing' }]);
    expect(await deferredSeconds(t)).toBeGreaterThan(before + 0.4);
  });

  it('still processes while webhooks keep queuing: a batch runs after EVENT_INGEST_PRIORITY_MAX_DEFER_MS', async () => {
    hold(50);
    await sleep(150);
    const res = await postJwt(t, tenant, fixtureWith('inbound-ringing.json', { call_id: '8700000000000003' }));
    expect(res.status).toBe(200);
    const posted = Date.now();
    // held the whole time: deferred 1.5 s at most, then processed anyway
    await waitFor(async () => (await processedAt(pool, res.body.event_id)) !== null, 4000, 20);
    const waited = Date.now() - posted;
    expect(pressure.pressing()).toBe(true);
    expect(waited).toBeGreaterThan(1000);
    expect(waited).toBeLessThan(3000);
  });
});

describe('webhooks first holds only while the backlog is young: EVENT_INGEST_PRIORITY_MAX_LAG_MS (e2e)', () => {
  let t: TestApp;
  let pool: pg.Pool;
  let tenant: CreatedApp;
  let pressure: IngestPressure;
  const { hold, release } = heldRequests(() => pressure);

  beforeAll(async () => {
    t = await startTestApp({
      EVENT_PROCESSOR_ENABLED: 'true',
      EVENT_POLL_INTERVAL_MS: '60000',
      EVENT_INGEST_PRIORITY_QUEUE: '16',
      EVENT_INGEST_PRIORITY_MAX_DEFER_MS: '1000',
      EVENT_INGEST_PRIORITY_MAX_LAG_MS: '500',
    });
    pool = new pg.Pool({ connectionString: t.db.url, max: 2 });
    tenant = await createApp(t);
    pressure = t.app.get(IngestPressure);
  });
  afterAll(async () => {
    await pool?.end();
    await t?.close();
  });

  it('once a batch claimed an event older than the bound, the next is not deferred although webhooks still queue', async () => {
    hold(50);
    try {
      await sleep(150);
      const first = await postJwt(t, tenant, fixtureWith('inbound-ringing.json', { call_id: '8700000000000011' }));
      expect(first.status).toBe(200);
      const firstPosted = Date.now();
      await waitFor(async () => (await processedAt(pool, first.body.event_id)) !== null, 3000, 20);
      // deferred for the whole second: it waited longer than the 500 ms bound
      expect(Date.now() - firstPosted).toBeGreaterThan(800);
      expect(pressure.pressing()).toBe(true);
      const second = await postJwt(t, tenant, fixtureWith('inbound-ringing.json', { call_id: '8700000000000012' }));
      const secondPosted = Date.now();
      await waitFor(async () => (await processedAt(pool, second.body.event_id)) !== null, 3000, 20);
      expect(Date.now() - secondPosted).toBeLessThan(500);
    } finally {
      release();
    }
  });
});
