import pg from 'pg';
import request from 'supertest';
import { DialpadClient } from '../../src/integrations/dialpad/dialpad.client.js';
import { adminAuth, connectDialpad, dialpadEnv } from '../support/dialpad.js';
import { FakeDialpad } from '../../demo/fakes/fake-dialpad.js';
import { errorText, expectErrorShape } from '../support/http-expect.js';
import { startTestApp, TestApp } from '../support/test-app.js';
import { CreatedApp, createApp, waitFor } from '../support/webhooks.js';

describe('Dialpad subscribe, then a placed call comes back as webhooks and becomes a call record (e2e)', () => {
  let fake: FakeDialpad;
  let t: TestApp;
  let pool: pg.Pool;
  let app: CreatedApp;
  const subscribe = (appId: string, body?: object) => {
    const req = request(t.baseUrl).post(`/internal/apps/${appId}/dialpad/subscribe`).set('Authorization', adminAuth(t));
    return body === undefined ? req : req.send(body);
  };
  const callRow = async (callId: string) =>
    (await pool.query('SELECT * FROM calls WHERE app_id = $1 AND dialpad_call_id = $2', [app.id, callId])).rows[0] as Record<string, unknown> | undefined;

  beforeAll(async () => {
    fake = await FakeDialpad.start();
    t = await startTestApp(dialpadEnv(fake));
    // the service's public origin is known only once it listens; the subscribe route reads it at call time
    t.config.PUBLIC_BASE_URL = t.baseUrl;
    pool = new pg.Pool({ connectionString: t.db.url, max: 2 });
    app = await createApp(t, 'Call flow');
    expect((await connectDialpad(t, fake, app.id)).status).toBe(200);
  });
  afterEach(() => fake.clearFailures());
  afterAll(async () => {
    await pool?.end();
    await t?.close();
    await fake?.close();
  });

  it('subscribe: creates a Dialpad webhook to /webhooks/dialpad/<app_id> signed with the app’s secret, and a call subscription for all states', async () => {
    const res = await subscribe(app.id);
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      webhook_id: fake.webhooks[0]!.id,
      subscription_id: fake.subscriptions[0]!.id,
      hook_url: `${t.baseUrl}/webhooks/dialpad/${app.id}`,
      call_states: ['all'],
      created: true,
    });
    expect(fake.webhooks[0]).toEqual({ id: res.body.webhook_id, hook_url: `${t.baseUrl}/webhooks/dialpad/${app.id}`, secret: app.webhook_secret });
    expect(fake.requestsTo('subscriptions')[0]!.json).toEqual({ endpoint_id: res.body.webhook_id, call_states: ['all'], enabled: true });
    const st = await request(t.baseUrl).get(`/internal/apps/${app.id}/dialpad/status`).set('Authorization', adminAuth(t));
    expect(st.body).toMatchObject({ webhook_id: res.body.webhook_id, subscription_id: res.body.subscription_id });
    expect(st.text).not.toContain(app.webhook_secret);

    // again: nothing new is created
    const again = await subscribe(app.id, {});
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ created: false, webhook_id: res.body.webhook_id });
    expect(fake.webhooks).toHaveLength(1);
  });

  it('a call placed through the client produces ringing → connected → hangup webhooks that the pipeline turns into an ended call', async () => {
    const user = fake.users[0]!;
    const { call_id } = await t.app.get(DialpadClient).initiateCall(app.id, { user_id: user.id, phone_number: '+14155550177', custom_data: 'attempt-42' });
    expect(BigInt(call_id)).toBeGreaterThan(2n ** 53n);
    const deliveries = await fake.waitForDeliveries(4);
    expect(deliveries.filter((d) => d.call_id === call_id).map((d) => [d.state, d.status])).toEqual([
      ['calling', 200],
      ['ringing', 200],
      ['connected', 200],
      ['hangup', 200],
    ]);
    const call = await waitFor(async () => {
      const row = await callRow(call_id);
      return row?.status === 'ended' ? row : null;
    });
    expect(call).toMatchObject({
      dialpad_call_id: call_id,
      direction: 'outbound',
      from_number: user.phone_numbers[0],
      to_number: '+14155550177',
      dialpad_user_id: user.id,
      custom_data: 'attempt-42',
      status: 'ended',
    });
    expect(call.connected_at).toBeInstanceOf(Date);
    expect(call.ended_at).toBeInstanceOf(Date);
    // stored as Dialpad sent it: JWT-verified, every digit of the id kept
    const events = await pool.query(`SELECT event_type, payload::text AS p FROM webhook_events WHERE app_id = $1 AND dialpad_call_id = $2 ORDER BY id`, [app.id, call_id]);
    expect(events.rows.map((e) => e.event_type)).toEqual(['call.started', 'call.ring', 'call.connected', 'call.ended']);
    expect(events.rows[0].p).toContain(`"call_id": ${call_id}`);
  });

  it('an unanswered call ends as missed, with its custom_data', async () => {
    fake.callScenario = 'unanswered';
    try {
      const already = fake.deliveries.length;
      const { call_id } = await t.app.get(DialpadClient).initiateCall(app.id, { user_id: fake.users[1]!.id, phone_number: '+14155550188', custom_data: '{"attempt":"a-43"}' });
      await fake.waitForDeliveries(already + 3);
      const call = await waitFor(async () => {
        const row = await callRow(call_id);
        return row?.status === 'missed' ? row : null;
      });
      expect(call).toMatchObject({ custom_data: '{"attempt":"a-43"}', connected_at: null, dialpad_user_id: fake.users[1]!.id });
    } finally {
      fake.callScenario = 'answered';
    }
  });

  it('subscribe errors: unknown states (400), not connected (409), Dialpad refusing (502), no PUBLIC_BASE_URL (503)', async () => {
    const bad = await subscribe(app.id, { call_states: ['Ringing!'] });
    expectErrorShape(bad, 400);
    expect(errorText(bad)).toContain('call_states');
    expectErrorShape(await subscribe(app.id, { force: 'yes' }), 400);

    const other = await createApp(t, 'Not connected');
    const notConnected = await subscribe(other.id);
    expectErrorShape(notConnected, 409);
    expect(errorText(notConnected)).toMatch(/no Dialpad connection/);

    fake.setFailure('webhooks', 'bad_request', { message: 'hook_url must be https' });
    const refused = await subscribe(app.id, { force: true });
    expectErrorShape(refused, 502);
    expect(errorText(refused)).toContain('hook_url must be https');

    const base = t.config.PUBLIC_BASE_URL;
    t.config.PUBLIC_BASE_URL = undefined;
    try {
      const noBase = await subscribe(app.id, { force: true });
      expectErrorShape(noBase, 503);
      expect(errorText(noBase)).toContain('PUBLIC_BASE_URL');
    } finally {
      t.config.PUBLIC_BASE_URL = base;
    }
  });

  it('force: creates a new webhook and subscription with the chosen states', async () => {
    const before = fake.webhooks.length;
    const res = await subscribe(app.id, { force: true, call_states: ['hangup', 'connected'] });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ created: true, call_states: ['hangup', 'connected'] });
    expect(fake.webhooks).toHaveLength(before + 1);
    expect(fake.subscriptions.at(-1)).toMatchObject({ id: res.body.subscription_id, webhook_id: res.body.webhook_id, call_states: ['hangup', 'connected'] });
  });
});
