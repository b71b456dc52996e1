import { randomUUID } from 'node:crypto';
import pg from 'pg';
import request from 'supertest';
import { ReservationStore } from '../../src/dialer-session/reservation.store.js';
import { signDialpadJwt } from '../../demo/fakes/dialpad-jwt.js';
import { signHmac } from '../../src/webhooks/webhook-signature.js';
import {
  AGENT_BOOK,
  AgentClient,
  agentTab,
  agentToken,
  type DialBody,
  type DialerWorld,
  type DispositionBody,
  lead,
  phone,
  ROUTER_BOOK,
  routerRows,
  startDialerWorld,
} from '../support/dialer-harness.js';
import { callEventJson } from '../../demo/fakes/fake-dialpad-call-events.js';
import { errorText, expectErrorShape } from '../support/http-expect.js';
import { leadCells } from '../support/sheets-fixtures.js';
import { waitFor } from '../support/webhooks.js';
import type { TestWsClient } from '../support/ws-client.js';

const TABS = { fwd: { title: 'Fwd', gid: 61 }, early: { title: 'Early', gid: 62 }, lim: { title: 'Lim', gid: 63 } };

/**
 * Call ends reach the dialer through the webhooks and through POST /events/dialpad
 * (a forwarder), deduplicated; and what happens around them: a disposition given
 * before the hangup, stopping with a call pending, our 5-calls-a-minute limit.
 */
describe('Dialer: call ends from webhooks and the forwarder, and their edges (e2e)', () => {
  let w: DialerWorld;
  let pool: pg.Pool;
  const agents: Record<string, AgentClient> = {};
  const sockets: Record<string, TestWsClient> = {};

  beforeAll(async () => {
    // DIALPAD_CALLS_PER_USER_PER_MINUTE keeps its default, Dialpad's 5; its minute is compressed to 3 s
    w = await startDialerWorld({ env: { DIALPAD_CALLS_WINDOW_MS: '3000' } });
    pool = new pg.Pool({ connectionString: w.t.db.url, max: 2 });
    const users = w.dialpad.users;
    w.sheets.setSheet(
      ROUTER_BOOK,
      'Router',
      routerRows([
        { email: 'fwd@example.com', dialpadUserId: users[0]!.id, tabId: TABS.fwd.gid },
        { email: 'early@example.com', dialpadUserId: users[1]!.id, tabId: TABS.early.gid },
        { email: 'lim@example.com', dialpadUserId: users[2]!.id, tabId: TABS.lim.gid },
      ]),
    );
    const leads = (prefix: string, n: number, from: number) => Array.from({ length: n }, (_, i) => lead(`${prefix}${i + 1}`, `${prefix}${i + 1}`, [phone(from + i)]));
    w.sheets.setSheet(AGENT_BOOK, TABS.fwd.title, agentTab(leads('F', 2, 0)), { sheetId: TABS.fwd.gid });
    w.sheets.setSheet(AGENT_BOOK, TABS.early.title, agentTab(leads('E', 2, 10)), { sheetId: TABS.early.gid });
    w.sheets.setSheet(AGENT_BOOK, TABS.lim.title, agentTab(leads('M', 7, 20)), { sheetId: TABS.lim.gid });
    for (const name of ['fwd', 'early', 'lim']) {
      agents[name] = new AgentClient(w.t.baseUrl, await agentToken(w.t, w.app, `${name}@example.com`), w.flushed);
      expect((await agents[name].start()).status).toBe(200);
      sockets[name] = await agents[name].socket();
    }
  });
  afterAll(async () => {
    for (const s of Object.values(sockets)) s.close();
    await pool?.end();
    await w?.close();
  });

  const forward = (json: string, headers: Record<string, string>, path = '/events/dialpad') => {
    const req = request(w.t.baseUrl).post(path).set('content-type', 'application/json');
    for (const [k, v] of Object.entries(headers)) req.set(k, v);
    return req.send(json);
  };
  const processed = (eventId: string) =>
    waitFor(async () => (await pool.query('SELECT processed_at FROM webhook_events WHERE id = $1', [eventId])).rows[0]?.processed_at as Date | null);
  const shown = (socket: TestWsClient, attemptId: string) => socket.messages.filter((m) => m.event === 'SHOW_DISPO' && m.attempt_id === attemptId).length;
  const placed = (body: DialBody | null) => {
    expect(body?.attempt_id).toEqual(expect.any(String));
    return body as DialBody & { attempt_id: string; dialpad_call_id: string };
  };

  it('a call whose events come through POST /events/dialpad gets one SHOW_DISPO, though the hangup also comes as a webhook and from a second leg', async () => {
    const socket = sockets.fwd!;
    // this time Dialpad's deliveries go through the forwarder (same signature rules: a JWT signed with the app's secret)
    w.dialpad.setWebhookTarget(`${w.t.baseUrl}/events/dialpad/${w.app.id}`, w.app.webhook_secret);
    const baseline = ((await agents.fwd!.current()).body as { stats: { connects: number } }).stats.connects;
    const sentBefore = socket.messages.length;
    const dial = placed((await agents.fwd!.dial()).body as DialBody);
    const dispo = await socket.waitFor((m) => m.event === 'SHOW_DISPO' && m.attempt_id === dial.attempt_id);
    expect(dispo).toMatchObject({ row_id: 'F1', dialpad_call_id: dial.dialpad_call_id, connected: true, talk_time_ms: 1000 });
    // the connect reached the agent's counters while the call was on (before SHOW_DISPO), not at the disposition:
    // a STATS before SHOW_DISPO counts one connect more than the session did before the dial (the dial's own
    // STATS may carry it already when the call connected that fast, so it is not the count of the messages)
    const connects = socket.messages
      .slice(sentBefore, socket.messages.indexOf(dispo))
      .filter((m) => m.event === 'STATS')
      .map((m) => (m.stats as { connects?: number } | undefined)?.connects ?? 0);
    expect(connects).toContain(baseline + 1);
    expect(w.dialpad.deliveries.filter((d) => d.call_id === dial.dialpad_call_id).map((d) => [d.state, d.status])).toEqual([
      ['calling', 200],
      ['ringing', 200],
      ['connected', 200],
      ['hangup', 200],
    ]);

    // Dialpad also delivers the same hangup to /webhooks: stored once, processed once
    const { rows } = await pool.query(`SELECT payload::text AS p FROM webhook_events WHERE app_id = $1 AND dialpad_call_id = $2 AND event_type = 'call.ended'`, [w.app.id, dial.dialpad_call_id]);
    expect(rows).toHaveLength(1);
    const hangup = rows[0].p as string;
    const again = await request(w.t.baseUrl).post(`/webhooks/dialpad/${w.app.id}`).set('content-type', 'application/jwt').send(signDialpadJwt(hangup, w.app.webhook_secret));
    expect(again.body).toMatchObject({ received: true, duplicate: true });
    // and a forwarder relays it once more, HMAC-signed, tenant by API key
    const relayed = await forward(hangup, { 'x-app-api-key': w.app.api_key, 'x-dialpad-signature': signHmac(hangup, w.app.webhook_secret) });
    expect(relayed.body).toMatchObject({ received: true, duplicate: true });

    // another leg's hangup of the same call: a new event, and still no second dialog
    const leg = hangup.replace(/"event_timestamp": (\d+)/, (_m, ts: string) => `"event_timestamp": ${Number(ts) + 500}`);
    expect(leg).not.toBe(hangup);
    const stamp = String(Date.now());
    const legged = await forward(leg, { 'x-app-api-key': w.app.api_key, 'x-dialpad-signature': signHmac(leg, w.app.webhook_secret, stamp), 'x-dialpad-timestamp': stamp });
    expect(legged.status).toBe(200);
    expect(legged.body).toMatchObject({ duplicate: false });
    await processed(legged.body.event_id as string);
    await new Promise((r) => setTimeout(r, 100));
    expect(shown(socket, dial.attempt_id)).toBe(1);

    // the forwarder's signature rules are the webhooks'
    const secret = w.app.webhook_secret;
    const key = { 'x-app-api-key': w.app.api_key };
    expectErrorShape(await forward(hangup, key), 401);
    expectErrorShape(await forward(hangup, { ...key, 'x-dialpad-signature': signHmac(hangup, 'wrong-secret') }), 401);
    const old = String(Math.floor(Date.now() / 1000) - 600);
    expectErrorShape(await forward(hangup, { ...key, 'x-dialpad-signature': signHmac(hangup, secret, old), 'x-dialpad-timestamp': old }), 401);
    expectErrorShape(await forward(hangup, { 'x-app-api-key': `ctk_${'z'.repeat(40)}`, 'x-dialpad-signature': signHmac(hangup, secret) }), 401);
    expectErrorShape(await forward(hangup, { 'x-dialpad-signature': signHmac(hangup, secret) }), 404);
    expectErrorShape(await forward(hangup, { 'x-dialpad-signature': signHmac(hangup, secret) }, `/events/dialpad/${randomUUID()}`), 404);

    const done = await agents.fwd!.disposition({ attempt_id: dial.attempt_id, code: 1 });
    expect(done.status).toBe(200);
    w.dialpad.setWebhookTarget(`${w.t.baseUrl}/webhooks/dialpad/${w.app.id}`, w.app.webhook_secret);
  });

  it('a disposition given before the hangup: the late hangup asks nothing; stopping with a call pending is refused until its disposition', async () => {
    const early = agents.early!;
    // Dialpad's deliveries are lost for now: the hangup will come later, by hand
    w.dialpad.setWebhookTarget(`${w.t.baseUrl}/webhooks/dialpad/${randomUUID()}`, w.app.webhook_secret);
    try {
      const dial = placed((await early.dial()).body as DialBody);
      const stop = await early.stop();
      expectErrorShape(stop, 409);
      expect(errorText(stop)).toContain(dial.attempt_id);
      expect((await early.current()).body).toMatchObject({ state: 'PLAY', current_attempt_id: dial.attempt_id });

      expect((await early.pause()).status).toBe(200);
      const dispo = await early.disposition({ attempt_id: dial.attempt_id, code: 'WRONG' });
      expect(dispo.body).toMatchObject({ code: 'WRONG', next: null });

      const call = w.dialpad.calls.find((c) => c.call_id === dial.dialpad_call_id)!;
      const user = w.dialpad.users.find((u) => u.id === call.user_id)!;
      const now = Date.now();
      const hangup = callEventJson(call, user, 'hangup', now - 5000, now, null);
      const res = await forward(hangup, { 'x-dialpad-signature': signHmac(hangup, w.app.webhook_secret) }, `/events/dialpad/${w.app.id}`);
      expect(res.body).toMatchObject({ received: true, duplicate: false });
      await processed(res.body.event_id as string);
      const attempt = await waitFor(async () => {
        const row = (await pool.query('SELECT status, ended_at FROM dialer_attempts WHERE id = $1', [dial.attempt_id])).rows[0] as { status: string; ended_at: Date | null };
        return row.ended_at ? row : null;
      });
      expect(attempt.status).toBe('dispositioned');
      await new Promise((r) => setTimeout(r, 100));
      expect(shown(sockets.early!, dial.attempt_id)).toBe(0);

      const stopped = await early.stop();
      expect(stopped.status).toBe(200);
      expect(stopped.body).toMatchObject({ state: 'STOPPED' });
      expect(leadCells(w.sheets.cells(AGENT_BOOK, TABS.early.title), 'E1')).toMatchObject({ Status1: 'WRONG', AttemptCount: '1' });
    } finally {
      w.dialpad.setWebhookTarget(`${w.t.baseUrl}/webhooks/dialpad/${w.app.id}`, w.app.webhook_secret);
    }
  });

  it("our limit of 5 call initiations a minute: the 6th chained dial is scheduled for when a slot frees (DIAL_SCHEDULED, then DIAL_RESULT), the disposition stands; POST /dial meanwhile → 429 + Retry-After", async () => {
    const lim = agents.lim!;
    const socket = sockets.lim!;
    const cells = (rowId: string) => leadCells(w.sheets.cells(AGENT_BOOK, TABS.lim.title), rowId);
    const reserved = () => w.t.app.get(ReservationStore).reserved(w.app.id, AGENT_BOOK, String(TABS.lim.gid));
    let next = placed((await lim.dial()).body as DialBody);
    for (let n = 1; n <= 4; n++) {
      const res = await lim.disposition({ attempt_id: next.attempt_id, code: 6 });
      expect(res.status).toBe(200);
      next = placed((res.body as DispositionBody).next);
    }
    expect(next.row_id).toBe('M5');
    const asked = Date.now();
    const sixth = await lim.disposition({ attempt_id: next.attempt_id, code: 6 });
    expect(sixth.status).toBe(200);
    expect(sixth.body).toMatchObject({ code: 'SKIP', sheet: 'queued', next: { attempt_id: null, scheduled_at: expect.any(String) } });
    expect(sixth.body).not.toHaveProperty('next_error');
    const scheduledAt = Date.parse((sixth.body as { next: { scheduled_at: string } }).next.scheduled_at);
    expect(scheduledAt).toBeGreaterThan(asked);
    expect(scheduledAt).toBeLessThanOrEqual(asked + 3000 + 500);
    const announced = await socket.waitFor((m) => m.event === 'DIAL_SCHEDULED');
    expect(announced).toMatchObject({ scheduled_at: new Date(scheduledAt).toISOString() });
    expect(cells('M5')).toMatchObject({ Status1: 'SKIPPED', LastOutcome: 'SKIP' });
    expect(cells('M6').Status1).toBe('NEW');
    expect([...(await reserved())]).toEqual([]);

    const dial = await lim.dial();
    expectErrorShape(dial, 429);
    const retryAfter = Number(dial.headers['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(cells('M6').Status1).toBe('NEW');
    expect([...(await reserved())]).toEqual([]);
    expect(w.dialpad.calls.filter((c) => c.user_id === w.dialpad.users[2]!.id)).toHaveLength(5);
    const failed = await pool.query(`SELECT row_id, status FROM dialer_attempts WHERE app_id = $1 AND status = 'failed' ORDER BY dialed_at`, [w.app.id]);
    expect(failed.rows).toEqual([
      { row_id: 'M6', status: 'failed' },
      { row_id: 'M6', status: 'failed' },
    ]);

    // the slot frees: the scheduled dial is placed, once, and its result pushed
    const result = await socket.waitFor((m) => m.event === 'DIAL_RESULT', 6000);
    expect(Date.now()).toBeGreaterThanOrEqual(scheduledAt);
    expect(result).toMatchObject({ attempt_id: expect.any(String), row_id: 'M6', number_index: 1, dialpad_call_id: expect.any(String) });
    await w.flushed();
    expect(cells('M6').Status1).toBe('IN_PROGRESS');
    expect(w.dialpad.calls.filter((c) => c.user_id === w.dialpad.users[2]!.id)).toHaveLength(6);
    const current = await lim.current();
    expect(current.body).toMatchObject({ current_attempt_id: result.attempt_id });
    // one dial only: nothing more comes
    await new Promise((r) => setTimeout(r, 300));
    expect(socket.events().filter((m) => m.event === 'DIAL_RESULT')).toHaveLength(1);
  });
});
