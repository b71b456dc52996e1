import { randomUUID } from 'node:crypto';
import { asAppId } from '../../src/common/app-id.js';
import pg from 'pg';
import request from 'supertest';
import { EventProcessor } from '../../src/events/event-processor.service.js';
import { insertEvents, poisonEvent, realEvent } from '../support/event-rows.js';
import { expectErrorShape } from '../support/http-expect.js';
import { startTestApp, TestApp } from '../support/test-app.js';
import { CreatedApp, createApp } from '../support/webhooks.js';

/** Event ids start above 2^53 so every id below is one a JS number cannot hold. */
// above 2^53, and id(3) has one digit more than id(2): pages must be in numeric order, not text order
const FIRST_ID = 9999999999999997n;
const id = (n: number) => String(FIRST_ID + BigInt(n));

describe('internal events API (e2e)', () => {
  let t: TestApp;
  let pool: pg.Pool;
  let tenant: CreatedApp;
  const url = (appId: string) => `/internal/apps/${appId}/events`;
  const admin = () => ({ Authorization: `Bearer ${t.adminToken}` });
  const list = (query: Record<string, string | number>, appId = tenant.id) =>
    request(t.baseUrl).get(url(appId)).query(query).set(admin());
  const ids = (res: request.Response) => (res.body.items as { id: string }[]).map((e) => e.id);

  beforeAll(async () => {
    t = await startTestApp({ EVENT_PROCESSOR_ENABLED: 'false', EVENT_MAX_ATTEMPTS: '2', EVENT_RETRY_MAX_DELAY_MS: '0' });
    pool = new pg.Pool({ connectionString: t.db.url, max: 2 });
    await pool.query(`SELECT setval('webhook_events_id_seq', $1, false)`, [FIRST_ID.toString()]);
    tenant = await createApp(t);
    const processor = t.app.get(EventProcessor);

    // id(0) processed, id(1) dead, id(2) failed, id(3)..id(6) pending
    await insertEvents(pool, tenant.id, [realEvent('leg-with-master.json', '9007199254740993'), poisonEvent('p1')]);
    expect(await processor.processBatch()).toBe(2);
    expect(await processor.processBatch()).toBe(1); // p1's 2nd attempt: dead
    await insertEvents(pool, tenant.id, [poisonEvent('p2')]);
    expect(await processor.processBatch()).toBe(1); // p2's 1st attempt: failed
    await insertEvents(
      pool,
      tenant.id,
      ['1', '2', '3', '4'].map((n) => realEvent('inbound-ringing.json', `810000000000000${n}`)),
    );
  });
  afterAll(async () => {
    await pool?.end();
    await t?.close();
  });

  it('pages newest first with before / next_before, ids exact above 2^53', async () => {
    const page1 = await list({ limit: 3 }).expect(200);
    expect(ids(page1)).toEqual([id(6), id(5), id(4)]);
    expect(page1.body.next_before).toBe(id(4));
    const page2 = await list({ limit: 3, before: page1.body.next_before }).expect(200);
    expect(ids(page2)).toEqual([id(3), id(2), id(1)]);
    expect(page2.body.next_before).toBe(id(1));
    const page3 = await list({ limit: 3, before: page2.body.next_before }).expect(200);
    expect(ids(page3)).toEqual([id(0)]);
    expect(page3.body.next_before).toBeNull();

    const all = await list({}).expect(200);
    expect(ids(all)).toEqual([6, 5, 4, 3, 2, 1, 0].map(id));
    expect(all.body.next_before).toBeNull();
    expect(all.body.items[6]).toMatchObject({
      id: id(0),
      dialpad_event_id: '9007199254740993:connected:1731709009100',
      event_type: 'call.connected',
      dialpad_call_id: '9007199254740993',
      status: 'processed',
      attempts: 0,
      last_error: null,
      dead_at: null,
    });
    expect(all.body.items[6]).not.toHaveProperty('payload');
  });

  it('filters by status: pending, failed, processed, dead', async () => {
    expect(ids(await list({ status: 'pending' }).expect(200))).toEqual([id(6), id(5), id(4), id(3)]);
    expect(ids(await list({ status: 'failed' }).expect(200))).toEqual([id(2)]);
    expect(ids(await list({ status: 'processed' }).expect(200))).toEqual([id(0)]);
    expect(ids(await list({ status: 'dead' }).expect(200))).toEqual([id(1)]);

    const failed = (await list({ status: 'failed' })).body.items[0];
    expect(failed).toMatchObject({ status: 'failed', attempts: 1, dead_at: null, processed_at: null });
    expect(failed.last_error).toMatch(/no call_id/);

    const pending = await list({ status: 'pending', limit: 2 }).expect(200);
    expect(ids(pending)).toEqual([id(6), id(5)]);
    const pending2 = await list({ status: 'pending', limit: 2, before: pending.body.next_before }).expect(200);
    expect(ids(pending2)).toEqual([id(4), id(3)]);
  });

  it('GET one event returns its payload with big integer ids exact', async () => {
    const res = await request(t.baseUrl).get(`${url(tenant.id)}/${id(0)}`).set(admin()).expect(200);
    expect(res.body).toMatchObject({ id: id(0), status: 'processed', dialpad_call_id: '9007199254740993' });
    expect(res.body.payload.call_id).toBe('9007199254740993'); // JSON.parse alone would give ...992
    expect(res.body.payload.master_call_id).toBe(6755399441055744);
    expect(res.body.payload.state).toBe('connected');
    expect(res.text).toContain('9007199254740993');
    expect(res.text).not.toContain('9007199254740992');

    const dead = await request(t.baseUrl).get(`${url(tenant.id)}/${id(1)}`).set(admin()).expect(200);
    expect(dead.body).toMatchObject({ status: 'dead', attempts: 2, dialpad_event_id: 'poison:p1' });
    expect(dead.body.payload).toEqual({ state: 'ringing', event_timestamp: 1731700001300, note: 'p1' });

    // the processed event made a call row with the exact ids too
    const { rows } = await pool.query(`SELECT dialpad_call_id, master_call_id, status FROM calls WHERE app_id = $1`, [tenant.id]);
    expect(rows).toEqual([{ dialpad_call_id: '9007199254740993', master_call_id: '6755399441055744', status: 'connected' }]);
  });

  it('answers 404 for an unknown, malformed or other tenant’s event id', async () => {
    const other = await createApp(t, 'other');
    for (const path of [`${url(tenant.id)}/${id(99)}`, `${url(tenant.id)}/abc`, `${url(tenant.id)}/${'9'.repeat(19)}`, `${url(other.id)}/${id(0)}`]) {
      expectErrorShape(await request(t.baseUrl).get(path).set(admin()), 404);
    }
    // nor can another tenant's path put it back in the queue
    expectErrorShape(await request(t.baseUrl).post(`${url(other.id)}/${id(0)}/replay`).set(admin()), 404);
    expect((await request(t.baseUrl).get(`${url(tenant.id)}/${id(0)}`).set(admin()).expect(200)).body.status).toBe('processed');
  });

  it('validates the query and the app: 400, 404, 401', async () => {
    expectErrorShape(await list({ status: 'gone' }), 400);
    expectErrorShape(await list({ limit: 0 }), 400);
    expectErrorShape(await list({ limit: 201 }), 400);
    expectErrorShape(await list({ before: 'abc' }), 400);
    expectErrorShape(await list({ before: '-5' }), 400);
    expectErrorShape(await list({ before: '9'.repeat(25) }), 400);
    expectErrorShape(await request(t.baseUrl).get(url('not-a-uuid')).set(admin()), 400);
    expectErrorShape(await request(t.baseUrl).get(`${url('not-a-uuid')}/${id(0)}`).set(admin()), 400);
    expectErrorShape(await request(t.baseUrl).post(`${url('not-a-uuid')}/${id(0)}/replay`).set(admin()), 400);
    expectErrorShape(await list({}, asAppId(randomUUID())), 404);
    expectErrorShape(await request(t.baseUrl).get(`${url(randomUUID())}/${id(0)}`).set(admin()), 404);
    expectErrorShape(await request(t.baseUrl).post(`${url(randomUUID())}/${id(0)}/replay`).set(admin()), 404);
    expectErrorShape(await request(t.baseUrl).get(url(tenant.id)), 401);
    expectErrorShape(await request(t.baseUrl).get(`${url(tenant.id)}/${id(0)}`), 401);
    expectErrorShape(await request(t.baseUrl).post(`${url(tenant.id)}/${id(0)}/replay`), 401);
    expectErrorShape(await request(t.baseUrl).get(url(tenant.id)).set('Authorization', 'Bearer not.a.jwt'), 401);
    expectErrorShape(await request(t.baseUrl).get(url(tenant.id)).set('x-app-api-key', tenant.api_key), 401);
  });
});

describe('webhook_events is append-only (e2e)', () => {
  let t: TestApp;
  let pool: pg.Pool;
  let eventId: string;

  beforeAll(async () => {
    t = await startTestApp({ EVENT_PROCESSOR_ENABLED: 'false' });
    pool = new pg.Pool({ connectionString: t.db.url, max: 2 });
    const tenant = await createApp(t);
    [eventId] = await insertEvents(pool, tenant.id, [realEvent('inbound-ringing.json', '8400000000000001')]);
  });
  afterAll(async () => {
    await pool?.end();
    await t?.close();
  });

  it.each([
    ['payload', `payload = '{"state":"hangup"}'::jsonb`],
    ['payload (one field)', `payload = jsonb_set(payload, '{state}', '"hangup"')`],
    ['event_type', `event_type = 'call.ended'`],
    ['dialpad_event_id', `dialpad_event_id = 'other'`],
    ['dialpad_call_id', `dialpad_call_id = NULL`],
    ['received_at', `received_at = received_at - interval '1 day'`],
    ['app_id', `app_id = gen_random_uuid()`],
    ['id', `id = id + 1`],
    ['a stored column among processing ones', `processed_at = clock_timestamp(), event_type = 'call.ended'`],
  ])('refuses an UPDATE of %s', async (_name, set) => {
    await expect(pool.query(`UPDATE webhook_events SET ${set} WHERE id = $1`, [eventId])).rejects.toThrow(/append-only/);
    const { rows } = await pool.query(`SELECT payload->>'state' AS state, event_type FROM webhook_events WHERE id = $1`, [eventId]);
    expect(rows[0]).toEqual({ state: 'ringing', event_type: 'call.ring' });
  });

  it('allows the processing columns to change', async () => {
    const res = await pool.query(
      `UPDATE webhook_events SET attempts = 1, last_error = 'x', next_attempt_at = clock_timestamp(), processed_at = clock_timestamp()
        WHERE id = $1`,
      [eventId],
    );
    expect(res.rowCount).toBe(1);
  });

  it('runs the guard only for an UPDATE that names a stored column (not once per processed event)', async () => {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(`SET LOCAL track_functions = 'all'`); // this transaction's own counts, read below
      const calls = async () =>
        Number((await client.query(`SELECT pg_stat_get_xact_function_calls('webhook_events_immutable'::regproc) AS n`)).rows[0].n ?? 0);
      await client.query(`UPDATE webhook_events SET processed_at = clock_timestamp(), stream_seq = 7, broadcast = '{}' WHERE id = $1`, [eventId]);
      expect(await calls()).toBe(0);
      await client.query(`UPDATE webhook_events SET event_type = event_type, attempts = 2 WHERE id = $1`, [eventId]);
      expect(await calls()).toBe(1);
    } finally {
      await client.query('ROLLBACK');
      client.release();
    }
  });
});
