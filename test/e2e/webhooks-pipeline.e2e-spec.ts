import pg from 'pg';
import request from 'supertest';
import { startTestApp, TestApp } from '../support/test-app.js';
import { CreatedApp, createApp, fixtureWith, postHmac, postJwt, waitFor } from '../support/webhooks.js';

describe('webhook → event log → processor → calls (e2e)', () => {
  let t: TestApp;
  let app: CreatedApp;
  let db: pg.Pool;

  beforeAll(async () => {
    t = await startTestApp({ EVENT_POLL_INTERVAL_MS: '60000' }); // NOTIFY must do the waking
    app = await createApp(t);
    db = new pg.Pool({ connectionString: t.db.url, max: 2 });
  });
  afterAll(async () => {
    await db.end();
    await t.close();
  });

  const callRow = (callId: string) =>
    db.query(`SELECT * FROM calls WHERE app_id = $1 AND dialpad_call_id = $2`, [app.id, callId]).then((r) => r.rows[0]);

  it('stores a real-format JWT event, processes it into a call, and serves it', async () => {
    const json = fixtureWith('inbound-ringing.json', { call_id: '9007199254740993' });
    const res = await postJwt(t, app, json);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ received: true, duplicate: false, dialpad_event_id: expect.stringContaining('9007199254740993') });
    const call = await waitFor(async () => {
      const row = await callRow('9007199254740993');
      return row?.status === 'ringing' ? row : null;
    });
    expect(call).toMatchObject({ direction: 'inbound', from_number: '+14155550123', to_number: '+15105550142', dialpad_user_id: '4785129047965696' });
    const api = await request(t.baseUrl).get('/api/calls/9007199254740993').set('x-app-api-key', app.api_key).expect(200);
    expect(api.body.dialpad_call_id).toBe('9007199254740993');
    expect(api.body.status).toBe('ringing');
    // the stored payload keeps every digit
    const stored = await db.query(`SELECT payload::text AS p FROM webhook_events WHERE app_id = $1`, [app.id]);
    expect(stored.rows[0].p).toContain('9007199254740993');
  });

  it('answers a duplicate delivery with duplicate: true and stores nothing new', async () => {
    const json = fixtureWith('inbound-ringing.json', { call_id: '1111' });
    const first = await postHmac(t, app, json);
    const second = await postJwt(t, app, json);
    expect([first.status, second.status]).toEqual([200, 200]);
    expect(second.body).toEqual({ ...first.body, duplicate: true });
    const count = await db.query(`SELECT count(*)::int AS n FROM webhook_events WHERE app_id = $1 AND dialpad_call_id = '1111'`, [app.id]);
    expect(count.rows[0].n).toBe(1);
  });
});

describe('event pipeline metrics (e2e)', () => {
  let t: TestApp;
  let app: CreatedApp;

  beforeAll(async () => {
    t = await startTestApp({ EVENT_POLL_INTERVAL_MS: '60000' });
    app = await createApp(t);
  });
  afterAll(async () => {
    await t.close();
  });

  it('counts stored, rejected and processed events, processing latency and the queue in /metrics', async () => {
    expect((await postJwt(t, app, fixtureWith('inbound-ringing.json', { call_id: '2222' }))).status).toBe(200);
    const bad = await request(t.baseUrl).post(`/webhooks/dialpad/${app.id}`).set('content-type', 'application/json').send('{"call_id": 1}');
    expect(bad.status).toBe(401);
    await waitFor(async () => {
      const text = (await request(t.baseUrl).get('/metrics')).text;
      return /cti_events_processed_total\{[^}]*event_type="call.ring"[^}]*\} 1/.test(text) ? text : null;
    });
    const text = (await request(t.baseUrl).get('/metrics')).text;
    expect(text).toMatch(/cti_events_received_total\{[^}]*result="stored"[^}]*\} 1/);
    expect(text).toMatch(/cti_events_rejected_total\{[^}]*status="401"[^}]*\} 1/);
    expect(text).toMatch(/cti_event_processing_latency_seconds_count\{[^}]*\} 1/);
    // the queue gauges read PostgreSQL at most once a second
    await waitFor(async () => /cti_event_queue_depth\{[^}]*\} 0\n/.test((await request(t.baseUrl).get('/metrics')).text), 5000, 200);
  });
});
