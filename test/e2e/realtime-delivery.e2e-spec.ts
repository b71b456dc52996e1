import pg from 'pg';
import request from 'supertest';
import { mintAgentToken } from '../../src/auth/agent-token.js';
import { startTestApp, TestApp } from '../support/test-app.js';
import { CreatedApp, createApp, fixtureWith, postJwt, waitFor } from '../support/webhooks.js';
import { TestWsClient, wsUrl } from '../support/ws-client.js';

const USER = '4785129047965696'; // the fixtures' target.id
const OTHER_USER = '4785129047965697';
const CRM_USER = 'river@crm.example'; // mapped to USER in app A; also an agent's e-mail

/** A fixture for another call (and, optionally, another Dialpad user: it only appears as target.id). */
function event(fixture: string, callId: string, user = USER): string {
  return fixtureWith(fixture, { call_id: callId }).replace(USER, user);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** How many times each seq reached the client. */
function seqCounts(c: TestWsClient): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const e of c.events()) counts[String(e.event_id)] = (counts[String(e.event_id)] ?? 0) + 1;
  return counts;
}

describe('realtime delivery /ws (e2e)', () => {
  let t: TestApp;
  let pool: pg.Pool;
  let appA: CreatedApp;
  let appB: CreatedApp;
  const clients: TestWsClient[] = [];
  const admin = () => `Bearer ${t.adminToken}`;
  const connect = async (query: Record<string, string>, headers: Record<string, string> = {}) => {
    const c = await TestWsClient.connect(wsUrl(t.baseUrl, query), headers);
    clients.push(c);
    return c;
  };
  const refused = (query: Record<string, string>, headers: Record<string, string> = {}) =>
    TestWsClient.connect(wsUrl(t.baseUrl, query), headers).then(
      (c) => {
        clients.push(c);
        return { status: 101 };
      },
      (err: { status?: number }) => ({ status: err.status }),
    );
  const agentToken = async (appId: string, email: string, ttl = 300) => (await mintAgentToken(t.config.INTERNAL_JWT_SECRET, appId, email, ttl)).token;

  beforeAll(async () => {
    t = await startTestApp({ EVENT_POLL_INTERVAL_MS: '200' });
    pool = new pg.Pool({ connectionString: t.db.url, max: 2 });
    appA = await createApp(t, 'RT A');
    appB = await createApp(t, 'RT B');
    const mapped = await request(t.baseUrl)
      .post(`/internal/apps/${appA.id}/users/map`)
      .set('Authorization', admin())
      .send({ dialpad_user_id: USER, crm_user_id: CRM_USER });
    expect(mapped.status).toBe(200);
  });
  afterAll(async () => {
    for (const c of clients) c.socket.terminate();
    await pool?.end();
    await t?.close();
  });

  it('delivers a signed webhook once to the right clients of the right app, with target_crm_user', async () => {
    const all1 = await connect({}, { 'x-app-api-key': appA.api_key });
    const all2 = await connect({ api_key: appA.api_key });
    const user = await connect({ api_key: appA.api_key, dialpad_user_id: USER });
    const otherUser = await connect({ api_key: appA.api_key, dialpad_user_id: OTHER_USER });
    const crm = await connect({ api_key: appA.api_key, crm_user_id: CRM_USER });
    const otherCrm = await connect({ api_key: appA.api_key, crm_user_id: 'nobody@crm.example' });
    const agent = await connect({ token: await agentToken(appA.id, CRM_USER) });
    const otherAgent = await connect({ token: await agentToken(appA.id, 'someone@crm.example') });
    const bAll = await connect({ api_key: appB.api_key });
    const bUser = await connect({ api_key: appB.api_key, dialpad_user_id: USER });
    // an agent of app B with the same e-mail: still another tenant
    const bAgent = await connect({ token: await agentToken(appB.id, CRM_USER) });

    // welcome first, with the filter the server applies
    expect(all1.messages[0]).toEqual({ type: 'welcome', app_id: appA.id, filter: {}, heartbeat_ms: t.config.WS_HEARTBEAT_MS });
    await user.waitFor((m) => m.type === 'welcome');
    expect(user.messages[0]).toMatchObject({ type: 'welcome', app_id: appA.id });
    expect(user.messages[0]!.filter).toEqual({ dialpad_user_id: USER });
    await agent.waitFor((m) => m.type === 'welcome');
    expect(agent.messages[0]).toMatchObject({ type: 'welcome', app_id: appA.id });
    expect(agent.messages[0]!.filter).toEqual({ crm_user_id: CRM_USER }); // an agent's own events only

    const mappedRes = await postJwt(t, appA, event('inbound-ringing.json', '7100000000000001'));
    expect(mappedRes.status).toBe(200);
    const unmappedRes = await postJwt(t, appA, event('inbound-ringing.json', '7100000000000002', OTHER_USER));
    expect(unmappedRes.status).toBe(200);
    const mappedSeq = mappedRes.body.event_id as string;
    const unmappedSeq = unmappedRes.body.event_id as string;

    await all1.waitForEvents(2);
    await all2.waitForEvents(2);
    await user.waitForEvents(1);
    await otherUser.waitForEvents(1);
    await crm.waitForEvents(1);
    await agent.waitForEvents(1);
    await sleep(300); // anything extra or misrouted would have arrived by now

    const mapped = all1.events().find((e) => e.event_id === mappedSeq);
    expect(mapped).toEqual({
      seq: expect.any(Number),
      event_id: mappedSeq,
      event: 'call.ring',
      call_id: '7100000000000001',
      conversation_id: '7100000000000001', // a call with no master or entry point leads its own conversation
      direction: 'inbound',
      from_number: '+14155550123',
      to_number: '+15105550142',
      status: 'ringing',
      user_id: USER,
      timestamp: '2024-11-15T19:46:41.300Z',
      contact: { id: '6131436978913281', name: 'Sam Caller', email: null, phone: '+14155550123', type: 'local' },
      target_crm_user: CRM_USER,
    });
    const unmapped = all1.events().find((e) => e.event_id === unmappedSeq);
    expect(unmapped).toMatchObject({ event_id: unmappedSeq, call_id: '7100000000000002', user_id: OTHER_USER });
    expect(unmapped).not.toHaveProperty('target_crm_user');

    expect(seqCounts(all1)).toEqual({ [mappedSeq]: 1, [unmappedSeq]: 1 });
    expect(seqCounts(all2)).toEqual({ [mappedSeq]: 1, [unmappedSeq]: 1 });
    expect(all2.events()).toEqual(all1.events());
    expect(seqCounts(user)).toEqual({ [mappedSeq]: 1 });
    expect(seqCounts(otherUser)).toEqual({ [unmappedSeq]: 1 });
    expect(seqCounts(crm)).toEqual({ [mappedSeq]: 1 });
    expect(seqCounts(agent)).toEqual({ [mappedSeq]: 1 });
    expect(agent.events()[0]).toEqual(mapped);
    expect(otherCrm.events()).toEqual([]);
    expect(otherAgent.events()).toEqual([]);
    expect(bAll.events()).toEqual([]);
    expect(bUser.events()).toEqual([]);
    expect(bAgent.events()).toEqual([]);

    // the calls row got the mapping too
    const { rows } = await pool.query(
      `SELECT dialpad_call_id, crm_user_id FROM calls WHERE app_id = $1 AND dialpad_call_id = ANY($2) ORDER BY dialpad_call_id`,
      [appA.id, ['7100000000000001', '7100000000000002']],
    );
    expect(rows).toEqual([
      { dialpad_call_id: '7100000000000001', crm_user_id: CRM_USER },
      { dialpad_call_id: '7100000000000002', crm_user_id: null },
    ]);

    // an event of app B reaches B's clients only
    const bRes = await postJwt(t, appB, event('inbound-ringing.json', '7100000000000003'));
    expect(bRes.status).toBe(200);
    const [bEvent] = await bAll.waitForEvents(1);
    await bUser.waitForEvents(1);
    expect(bEvent).toMatchObject({ event_id: bRes.body.event_id, call_id: '7100000000000003', user_id: USER });
    expect(bEvent).not.toHaveProperty('target_crm_user'); // A's mapping is not B's
    await sleep(200);
    expect(bAgent.events()).toEqual([]);
    expect(all1.events()).toHaveLength(2);
    expect(user.events()).toHaveLength(1);
    expect(agent.events()).toHaveLength(1);
    for (const c of [all1, all2, user, otherUser, crm, otherCrm, agent, otherAgent, bAll, bUser, bAgent]) c.close();
  });

  it('refuses bad credentials and bad parameters during the upgrade', async () => {
    expect(await refused({ api_key: 'ctk_' + 'x'.repeat(40) })).toEqual({ status: 401 });
    expect(await refused({ api_key: 'nope' })).toEqual({ status: 401 });
    expect(await refused({}, { 'x-app-api-key': 'ctk_' + 'y'.repeat(40) })).toEqual({ status: 401 });
    expect(await refused({})).toEqual({ status: 401 });
    // a header key wins over a (valid) query key
    expect(await refused({ api_key: appA.api_key }, { 'x-app-api-key': 'bad' })).toEqual({ status: 401 });

    // revoked key
    const revokedApp = await createApp(t, 'RT revoked');
    const rev = await request(t.baseUrl).post(`/internal/apps/${revokedApp.id}/api-key/revoke`).set('Authorization', admin());
    expect(rev.status).toBe(200);
    expect(await refused({ api_key: revokedApp.api_key })).toEqual({ status: 401 });

    // inactive app: 403 for its key and its agents
    const inactive = await createApp(t, 'RT inactive');
    const off = await request(t.baseUrl).patch(`/internal/apps/${inactive.id}`).set('Authorization', admin()).send({ is_active: false });
    expect(off.status).toBe(200);
    expect(await refused({ api_key: inactive.api_key })).toEqual({ status: 403 });
    expect(await refused({ token: await agentToken(inactive.id, CRM_USER) })).toEqual({ status: 403 });

    // malformed parameters
    expect(await refused({ api_key: appA.api_key, since: 'abc' })).toEqual({ status: 400 });
    expect(await refused({ api_key: appA.api_key, since: '-1' })).toEqual({ status: 400 });
    expect(await refused({ api_key: appA.api_key, since: '9007199254740992' })).toEqual({ status: 400 }); // > Number.MAX_SAFE_INTEGER
    expect(await refused({ api_key: appA.api_key, since: '12345678901234567890' })).toEqual({ status: 400 });
    expect(await refused({ api_key: appA.api_key, dialpad_user_id: 'x1' })).toEqual({ status: 400 });
    expect(await refused({ api_key: appA.api_key, crm_user_id: '' })).toEqual({ status: 400 });
    expect(await refused({ api_key: appA.api_key, crm_user_id: 'x'.repeat(201) })).toEqual({ status: 400 });

    // agent tokens: expired, wrong secret, unknown app, an admin token
    expect(await refused({ token: await agentToken(appA.id, CRM_USER, -60) })).toEqual({ status: 401 });
    const foreign = (await mintAgentToken('another-secret-another-secret-another-secret', appA.id, CRM_USER, 300)).token;
    expect(await refused({ token: foreign })).toEqual({ status: 401 });
    expect(await refused({ token: await agentToken('00000000-0000-4000-8000-000000000000', CRM_USER) })).toEqual({ status: 401 });
    expect(await refused({ token: await agentToken('not-a-uuid', CRM_USER) })).toEqual({ status: 401 });
    expect(await refused({ token: t.adminToken })).toEqual({ status: 401 });
    expect(await refused({ token: 'not.a.jwt' })).toEqual({ status: 401 });

    // and the good ones still work
    expect(await refused({ api_key: appA.api_key, since: '0', dialpad_user_id: USER })).toEqual({ status: 101 });
    expect(await refused({ api_key: appA.api_key, since: String(Number.MAX_SAFE_INTEGER) })).toEqual({ status: 101 });
    expect(await refused({ token: await agentToken(appA.id, CRM_USER) })).toEqual({ status: 101 });
  });

  it('closes an app’s sockets with 4401 when its key is revoked; other apps stay connected', async () => {
    const victim = await createApp(t, 'RT revoke live');
    const bystander = await createApp(t, 'RT bystander');
    const v1 = await connect({ api_key: victim.api_key });
    const v2 = await connect({}, { 'x-app-api-key': victim.api_key });
    const other = await connect({ api_key: bystander.api_key });
    const otherA = await connect({ api_key: appA.api_key });

    const rev = await request(t.baseUrl).post(`/internal/apps/${victim.id}/api-key/revoke`).set('Authorization', admin());
    expect(rev.status).toBe(200);
    expect(await v1.waitClosed(2000)).toBe(4401);
    expect(await v2.waitClosed(2000)).toBe(4401);
    await sleep(200);
    expect(other.closeCode).toBeNull();
    expect(otherA.closeCode).toBeNull();
    expect(await refused({ api_key: victim.api_key })).toEqual({ status: 401 });

    // the others still receive their events
    const res = await postJwt(t, bystander, event('inbound-ringing.json', '7100000000000010'));
    expect(res.status).toBe(200);
    const [e] = await other.waitForEvents(1);
    expect(e).toMatchObject({ event_id: res.body.event_id, call_id: '7100000000000010' });
  });

  it('closes the old key’s sockets with 4401 on rotation without grace, keeps them with grace', async () => {
    const app = await createApp(t, 'RT rotate');
    const old = await connect({ api_key: app.api_key });
    const rotated = await request(t.baseUrl).post(`/internal/apps/${app.id}/api-key`).set('Authorization', admin()).send({});
    expect(rotated.status).toBe(201);
    expect(await old.waitClosed(2000)).toBe(4401);
    const newKey = rotated.body.api_key as string;
    expect(await refused({ api_key: app.api_key })).toEqual({ status: 401 });

    const current = await connect({ api_key: newKey });
    const graceful = await request(t.baseUrl).post(`/internal/apps/${app.id}/api-key`).set('Authorization', admin()).send({ grace_seconds: 60 });
    expect(graceful.status).toBe(201);
    await sleep(300);
    expect(current.closeCode).toBeNull(); // its key works for another minute
    const res = await postJwt(t, app, event('inbound-ringing.json', '7100000000000011'));
    expect(res.status).toBe(200);
    const [e] = await current.waitForEvents(1);
    expect(e).toMatchObject({ event_id: res.body.event_id });
  });

  it('closes an app’s sockets (key and agent) with 4403 when it is deactivated; other apps stay connected', async () => {
    const app = await createApp(t, 'RT deactivate');
    const s = await connect({ api_key: app.api_key });
    const agent = await connect({ token: await agentToken(app.id, CRM_USER) });
    const otherA = await connect({ api_key: appA.api_key });
    const otherB = await connect({ api_key: appB.api_key });
    const off = await request(t.baseUrl).patch(`/internal/apps/${app.id}`).set('Authorization', admin()).send({ is_active: false });
    expect(off.status).toBe(200);
    expect(await s.waitClosed(2000)).toBe(4403);
    expect(await agent.waitClosed(2000)).toBe(4403);
    await sleep(200);
    expect(otherA.closeCode).toBeNull();
    expect(otherB.closeCode).toBeNull();
    expect(await refused({ api_key: app.api_key })).toEqual({ status: 403 });

    const on = await request(t.baseUrl).patch(`/internal/apps/${app.id}`).set('Authorization', admin()).send({ is_active: true });
    expect(on.status).toBe(200);
    expect(await refused({ api_key: app.api_key })).toEqual({ status: 101 });
  });

  it('answers client messages: ping → pong, malformed → error, without closing anyone', async () => {
    const talker = await connect({ api_key: appA.api_key });
    const listener = await connect({ api_key: appA.api_key });
    await talker.waitFor((m) => m.type === 'welcome');
    expect(talker.messages[0]).toMatchObject({ type: 'welcome' });

    talker.send(JSON.stringify({ type: 'ping' }));
    const pong = await talker.waitFor((m) => m.type === 'pong');
    expect(Object.keys(pong).sort()).toEqual(['ts', 'type']);
    expect(Math.abs(Date.parse(String(pong.ts)) - Date.now())).toBeLessThan(5000);

    talker.send('{"type": "ping"'); // truncated JSON
    expect(await talker.waitFor((m) => m.type === 'error')).toMatchObject({ type: 'error', error: 'bad_json' });
    talker.send('[1,2]');
    talker.send('{"type": 42}');
    talker.send('{"type": "subscribe"}');
    talker.socket.send(Buffer.from([1, 2, 3]), { binary: true });
    await waitFor(async () => talker.messages.filter((m) => m.type === 'error').length >= 5);
    expect(talker.messages.filter((m) => m.type === 'error').map((m) => m.error)).toEqual([
      'bad_json',
      'bad_message',
      'bad_message',
      'unknown_type',
      'binary_not_supported',
    ]);
    for (const m of talker.messages.filter((x) => x.type === 'error')) expect(typeof m.message).toBe('string');

    // still open, still answering, still receiving; the other client saw none of it
    talker.send(JSON.stringify({ type: 'ping' }));
    await waitFor(async () => talker.messages.filter((m) => m.type === 'pong').length === 2);
    expect(talker.closeCode).toBeNull();
    const res = await postJwt(t, appA, event('inbound-ringing.json', '7100000000000020'));
    expect(res.status).toBe(200);
    await talker.waitForEvents(1);
    const [e] = await listener.waitForEvents(1);
    expect(e).toMatchObject({ event_id: res.body.event_id, call_id: '7100000000000020' });
    expect(listener.messages.map((m) => m.type ?? 'event')).toEqual(['welcome', 'event']);
    expect(listener.closeCode).toBeNull();
  });

  it('closes only the socket that sends an oversized frame', async () => {
    const big = await connect({ api_key: appA.api_key });
    const other = await connect({ api_key: appA.api_key });
    big.send(JSON.stringify({ type: 'ping', pad: 'x'.repeat(70 * 1024) }));
    expect(await big.waitClosed(2000)).toBe(1009);
    other.send(JSON.stringify({ type: 'ping' }));
    await other.waitFor((m) => m.type === 'pong');
    expect(other.closeCode).toBeNull();
  });
});
