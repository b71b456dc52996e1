import pg from 'pg';
import request from 'supertest';
import { startTestApp, TestApp } from '../support/test-app.js';
import { CreatedApp, createApp, fixtureWith, postHmac, postJwt, waitFor } from '../support/webhooks.js';

/**
 * Real-format call stories through the running processor (docs/architecture.md, "Call status"): whatever the
 * order and however often each event arrives, the call row ends the same.
 */

const INBOUND = {
  ringing: 'inbound-ringing.json',
  connected: 'inbound-connected.json',
  hangup: 'inbound-hangup.json',
} as const;
type InboundStep = keyof typeof INBOUND;

const ORDERS: InboundStep[][] = [
  ['ringing', 'connected', 'hangup'],
  ['ringing', 'hangup', 'connected'],
  ['connected', 'ringing', 'hangup'],
  ['connected', 'hangup', 'ringing'],
  ['hangup', 'ringing', 'connected'],
  ['hangup', 'connected', 'ringing'],
];

interface CallRowView {
  id: string;
  app_id: string;
  dialpad_call_id: string;
  master_call_id: string | null;
  entry_point_call_id: string | null;
  direction: string | null;
  from_number: string | null;
  to_number: string | null;
  status: string;
  dialpad_user_id: string | null;
  crm_user_id: string | null;
  started_at: number | null;
  ringing_at: number | null;
  connected_at: number | null;
  ended_at: number | null;
  duration_ms: number | null;
  recording_url: string | null;
  custom_data: string | null;
  last_event_at: number | null;
}

/** Epoch ms of the fixtures' dates (inbound-*.json, outbound-*.json, …). */
const T = {
  inStarted: 1731700000000,
  inRang: 1731700001200,
  inConnected: 1731700006500,
  inEnded: 1731700071500,
  inHangupEvent: 1731700072900,
  outStarted: 1731703000000,
  outRang: 1731703001000,
  outEnded: 1731703031000,
};

const USER = '4785129047965696';

describe('webhook scenarios through the processor (e2e)', () => {
  let t: TestApp;
  let app: CreatedApp;
  let db: pg.Pool;
  let nextCallId = 5_910_447_283_300_001;
  const freshCallId = () => String(nextCallId++);

  beforeAll(async () => {
    t = await startTestApp({ EVENT_POLL_INTERVAL_MS: '60000' }); // NOTIFY must do the waking
    app = await createApp(t, 'scenarios');
    db = new pg.Pool({ connectionString: t.db.url, max: 3 });
  });
  afterAll(async () => {
    await db.end();
    await t.close();
  });

  const callRows = async (callId: string): Promise<CallRowView[]> =>
    (
      await db.query<CallRowView>(
        `SELECT id, app_id, dialpad_call_id, master_call_id, entry_point_call_id, direction, from_number, to_number, status,
                dialpad_user_id, crm_user_id, custom_data, recording_url, duration_ms::float8 AS duration_ms,
                (extract(epoch FROM started_at) * 1000)::float8 AS started_at,
                (extract(epoch FROM ringing_at) * 1000)::float8 AS ringing_at,
                (extract(epoch FROM connected_at) * 1000)::float8 AS connected_at,
                (extract(epoch FROM ended_at) * 1000)::float8 AS ended_at,
                (extract(epoch FROM last_event_at) * 1000)::float8 AS last_event_at
           FROM calls WHERE app_id = $1 AND dialpad_call_id = $2`,
        [app.id, callId],
      )
    ).rows;

  /** The one calls row of a call (fails if there are two). */
  const callRow = async (callId: string): Promise<CallRowView> => {
    const rows = await callRows(callId);
    expect(rows).toHaveLength(1);
    return rows[0]!;
  };

  /** Waits until `n` stored events of this call are processed (and none is pending or failed). */
  async function processed(callId: string, n: number): Promise<void> {
    await waitFor(async () => {
      const { rows } = await db.query<{ done: number; open: number; failed: number }>(
        `SELECT count(*) FILTER (WHERE processed_at IS NOT NULL)::int AS done,
                count(*) FILTER (WHERE processed_at IS NULL)::int AS open,
                count(*) FILTER (WHERE attempts > 0 OR dead_at IS NOT NULL)::int AS failed
           FROM webhook_events WHERE app_id = $1 AND dialpad_call_id = $2`,
        [app.id, callId],
      );
      const r = rows[0]!;
      if (r.failed > 0) throw new Error(`an event of call ${callId} failed processing`);
      return r.done === n && r.open === 0;
    });
  }

  /** Delivers one event twice (JWT then HMAC, as a redelivery would); the second answer is a duplicate. */
  async function deliverTwice(json: string): Promise<string> {
    const first = await postJwt(t, app, json);
    const second = await postHmac(t, app, json);
    expect([first.status, second.status]).toEqual([200, 200]);
    expect(first.body).toMatchObject({ received: true, duplicate: false });
    expect(second.body).toEqual({ ...first.body, duplicate: true });
    return (first.body as { event_id: string }).event_id;
  }

  const expectedInbound = (callId: string) => ({
    dialpad_call_id: callId,
    app_id: app.id,
    status: 'ended',
    direction: 'inbound',
    from_number: '+14155550123',
    to_number: '+15105550142',
    dialpad_user_id: USER,
    crm_user_id: null,
    master_call_id: null,
    entry_point_call_id: null,
    custom_data: null,
    recording_url: null,
    started_at: T.inStarted,
    ringing_at: T.inRang,
    connected_at: T.inConnected,
    ended_at: T.inEnded,
    // the hangup's `duration` (65000 ms) = date_ended − date_connected
    duration_ms: 65000,
    last_event_at: T.inHangupEvent,
  });

  /** What the status must be once these steps (in any order) are applied. */
  const statusAfter = (seen: Set<InboundStep>) => (seen.has('hangup') ? 'ended' : seen.has('connected') ? 'connected' : 'ringing');

  describe.each(ORDERS.map((order) => [order.join(' → '), order] as const))('inbound %s, each event delivered twice', (_label, order) => {
    it('ends as one call: ended, inbound, numbers, timestamps and duration exact; status never went backwards', async () => {
      const callId = freshCallId();
      const seen = new Set<InboundStep>();
      for (const step of order) {
        await deliverTwice(fixtureWith(INBOUND[step], { call_id: callId }));
        seen.add(step);
        await processed(callId, seen.size);
        expect((await callRow(callId)).status).toBe(statusAfter(seen));
      }
      // a late redelivery of everything (already processed) changes nothing
      for (const step of order) {
        const res = await postJwt(t, app, fixtureWith(INBOUND[step], { call_id: callId }));
        expect(res.body).toMatchObject({ duplicate: true });
      }
      const row = await callRow(callId);
      expect(row).toEqual({ ...expectedInbound(callId), id: expect.any(String) });

      // the API serves the same facts, and raw_payload is the newest event (the hangup) whatever the order
      const api = await request(t.baseUrl).get(`/api/calls/${callId}`).set('x-app-api-key', app.api_key).expect(200);
      expect(api.body).toMatchObject({
        id: row.id,
        dialpad_call_id: callId,
        status: 'ended',
        direction: 'inbound',
        from_number: '+14155550123',
        to_number: '+15105550142',
        started_at: new Date(T.inStarted).toISOString(),
        connected_at: new Date(T.inConnected).toISOString(),
        ended_at: new Date(T.inEnded).toISOString(),
        duration_ms: 65000,
        dialpad_user_id: USER,
      });
      expect(api.body.raw_payload).toMatchObject({ state: 'hangup', event_timestamp: T.inHangupEvent, call_id: Number(callId) });
    });
  });

  it('all three events and their duplicates arriving at once give the same call', async () => {
    const callId = freshCallId();
    const bodies = (['hangup', 'ringing', 'connected'] as const).map((s) => fixtureWith(INBOUND[s], { call_id: callId }));
    const answers = await Promise.all([...bodies, ...bodies].map((json, i) => (i % 2 ? postHmac(t, app, json) : postJwt(t, app, json))));
    expect(answers.map((r) => r.status)).toEqual(Array(6).fill(200));
    expect(answers.filter((r) => (r.body as { duplicate: boolean }).duplicate)).toHaveLength(3);
    await processed(callId, 3);
    expect(await callRow(callId)).toEqual({ ...expectedInbound(callId), id: expect.any(String) });
  });

  it('replaying every event of a finished call (processed again) leaves the row as it was', async () => {
    const callId = freshCallId();
    const ids: string[] = [];
    for (const step of ['connected', 'hangup', 'ringing'] as const) ids.push(await deliverTwice(fixtureWith(INBOUND[step], { call_id: callId })));
    await processed(callId, 3);
    const before = await callRow(callId);
    for (const id of ids) {
      await request(t.baseUrl)
        .post(`/internal/apps/${app.id}/events/${id}/replay`)
        .set('Authorization', `Bearer ${t.adminToken}`)
        .expect(202);
    }
    await processed(callId, 3);
    expect(await callRow(callId)).toEqual(before);
    expect(before).toEqual({ ...expectedInbound(callId), id: before.id });
  });

  it('recording after the call: recording_url set, status stays ended', async () => {
    const callId = freshCallId();
    for (const step of ['ringing', 'connected', 'hangup'] as const) await deliverTwice(fixtureWith(INBOUND[step], { call_id: callId }));
    await deliverTwice(fixtureWith('recording.json', { call_id: callId }));
    await processed(callId, 4);
    expect(await callRow(callId)).toEqual({
      ...expectedInbound(callId),
      id: expect.any(String),
      recording_url: 'https://dialpad.com/r/EXAMPLErecording5910447283257344',
      last_event_at: 1731700075100,
    });
  });

  it('recording arriving first: the call still ends ended with the url', async () => {
    const callId = freshCallId();
    await deliverTwice(fixtureWith('recording.json', { call_id: callId }));
    await processed(callId, 1);
    const early = await callRow(callId);
    expect(early).toMatchObject({ status: 'ended', recording_url: 'https://dialpad.com/r/EXAMPLErecording5910447283257344' });
    for (const step of ['ringing', 'hangup', 'connected'] as const) await deliverTwice(fixtureWith(INBOUND[step], { call_id: callId }));
    await processed(callId, 4);
    expect(await callRow(callId)).toMatchObject({
      status: 'ended',
      recording_url: 'https://dialpad.com/r/EXAMPLErecording5910447283257344',
      connected_at: T.inConnected,
      ended_at: T.inEnded,
      duration_ms: 65000,
    });
  });

  it.each([
    ['calling → hangup', ['outbound-calling.json', 'outbound-hangup-unanswered.json']],
    ['hangup → calling', ['outbound-hangup-unanswered.json', 'outbound-calling.json']],
  ])('outbound %s, never answered: missed, from = our line', async (_label, files) => {
    const callId = freshCallId();
    for (const file of files) await deliverTwice(fixtureWith(file, { call_id: callId }));
    await processed(callId, 2);
    expect(await callRow(callId)).toEqual({
      id: expect.any(String),
      app_id: app.id,
      dialpad_call_id: callId,
      status: 'missed',
      direction: 'outbound',
      from_number: '+15105550142',
      to_number: '+14155550177',
      dialpad_user_id: USER,
      crm_user_id: null,
      master_call_id: null,
      entry_point_call_id: null,
      custom_data: null,
      recording_url: null,
      started_at: T.outStarted,
      ringing_at: T.outRang,
      connected_at: null,
      ended_at: T.outEnded,
      duration_ms: 0,
      last_event_at: 1731703031600,
    });
  });

  it('outbound calling alone is initiated', async () => {
    const callId = freshCallId();
    await deliverTwice(fixtureWith('outbound-calling.json', { call_id: callId }));
    await processed(callId, 1);
    expect(await callRow(callId)).toMatchObject({ status: 'initiated', direction: 'outbound', started_at: T.outStarted, ended_at: null });
  });

  it('missed.json: missed', async () => {
    const callId = freshCallId();
    await deliverTwice(fixtureWith('missed.json', { call_id: callId }));
    await processed(callId, 1);
    expect(await callRow(callId)).toMatchObject({
      status: 'missed',
      direction: 'inbound',
      from_number: '+14155550188',
      to_number: '+15105550142',
      dialpad_user_id: USER,
      started_at: 1731706000000,
      ringing_at: 1731706000900,
      connected_at: null,
    });
  });

  it.each([
    ['missed → voicemail', ['missed.json', 'voicemail.json']],
    ['voicemail → missed', ['voicemail.json', 'missed.json']],
    ['voicemail alone', ['voicemail.json']],
  ])('%s: a voicemails row and call status voicemail', async (_label, files) => {
    const callId = freshCallId();
    for (const file of files) await deliverTwice(fixtureWith(file, { call_id: callId }));
    await processed(callId, files.length);
    expect(await callRow(callId)).toMatchObject({
      status: 'voicemail',
      direction: 'inbound',
      from_number: '+14155550188',
      to_number: '+15105550142',
      dialpad_user_id: USER,
      started_at: 1731706000000,
      ended_at: 1731706058000,
      connected_at: null,
    });
    const { rows } = await db.query(
      `SELECT app_id, dialpad_call_id, dialpad_user_id, from_number, to_number, voicemail_url, recording_id, transcription,
              (extract(epoch FROM received_at) * 1000)::float8 AS received_at
         FROM voicemails WHERE app_id = $1 AND dialpad_call_id = $2`,
      [app.id, callId],
    );
    expect(rows).toEqual([
      {
        app_id: app.id,
        dialpad_call_id: callId,
        dialpad_user_id: USER,
        from_number: '+14155550188',
        to_number: '+15105550142',
        voicemail_url: 'https://dialpad.com/v/EXAMPLEvoicemail6302920190263296',
        recording_id: '5733953138851840',
        transcription: 'Hi, this is Alex, please call me back about the quote.',
        received_at: 1731706061000,
      },
    ]);
  });

  it('a leg with master_call_id above 2^53: ids stored as exact strings', async () => {
    const callId = '9007199254740993';
    await deliverTwice(fixtureWith('leg-with-master.json', { master_call_id: '9007199254740995' }));
    await processed(callId, 1);
    expect(await callRow(callId)).toEqual({
      id: expect.any(String),
      app_id: app.id,
      dialpad_call_id: '9007199254740993',
      master_call_id: '9007199254740995',
      entry_point_call_id: '6755399441055744',
      status: 'connected',
      direction: 'inbound',
      from_number: '+14155550199',
      to_number: '+15105550100',
      dialpad_user_id: USER,
      crm_user_id: null,
      custom_data: 'crm-lead-4711',
      recording_url: null,
      started_at: 1731709000000,
      ringing_at: 1731709002000,
      connected_at: 1731709009000,
      ended_at: null,
      duration_ms: null,
      last_event_at: 1731709009100,
    });
    const api = await request(t.baseUrl).get('/api/calls/9007199254740993').set('x-app-api-key', app.api_key).expect(200);
    expect(api.text).toContain('"master_call_id":"9007199254740995"');
    expect(api.text).toContain('"dialpad_call_id":"9007199254740993"');
  });

  it('leg-with-master.json as shipped: master_call_id 6755399441055744', async () => {
    const callId = freshCallId();
    await deliverTwice(fixtureWith('leg-with-master.json', { call_id: callId }));
    await processed(callId, 1);
    expect(await callRow(callId)).toMatchObject({ master_call_id: '6755399441055744', entry_point_call_id: '6755399441055744', status: 'connected' });
  });

  it('the real captured office hangup: missed, no dialpad_user_id', async () => {
    await deliverTwice(fixtureWith('real-hangup-unanswered-office.json'));
    await processed('6421977457180672', 1);
    expect(await callRow('6421977457180672')).toEqual({
      id: expect.any(String),
      app_id: app.id,
      dialpad_call_id: '6421977457180672',
      status: 'missed',
      direction: 'inbound',
      from_number: '+15105550100',
      to_number: '+15105550187',
      dialpad_user_id: null,
      crm_user_id: null,
      master_call_id: null,
      entry_point_call_id: null,
      custom_data: null,
      recording_url: null,
      started_at: 1731624039404,
      ringing_at: null,
      connected_at: null,
      ended_at: 1731624048355,
      duration_ms: 0,
      last_event_at: 1731624049994,
    });
  });

  it('the seed format (event_type, ISO timestamp) with HMAC: ringing', async () => {
    const res = await postHmac(t, app, fixtureWith('seed-call-ring.json'), String(Math.floor(Date.now() / 1000)));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ dialpad_event_id: '123456789:call.ring:2026-01-28T10:30:00Z', duplicate: false });
    await processed('123456789', 1);
    expect(await callRow('123456789')).toMatchObject({
      status: 'ringing',
      direction: 'inbound',
      from_number: '+14155550123',
      to_number: '+15105550142',
      dialpad_user_id: '987654',
      ringing_at: Date.parse('2026-01-28T10:30:00Z'),
      ended_at: null,
    });
  });

  it('a late ring after the call ended leaves it ended (ringing_at keeps the earliest)', async () => {
    const callId = freshCallId();
    for (const step of ['ringing', 'connected', 'hangup'] as const) await deliverTwice(fixtureWith(INBOUND[step], { call_id: callId }));
    await processed(callId, 3);
    // a second ring event of the same call (another event timestamp, so not a duplicate), later than everything
    await deliverTwice(fixtureWith('inbound-ringing.json', { call_id: callId, event_timestamp: 1731700090000, date_first_rang: 1731700089000, date_rang: 1731700089000 }));
    await processed(callId, 4);
    expect(await callRow(callId)).toEqual({ ...expectedInbound(callId), id: expect.any(String), last_event_at: 1731700090000 });
  });

  it('a late connected with an earlier date_started keeps started_at earliest and ended_at latest', async () => {
    const callId = freshCallId();
    for (const step of ['ringing', 'connected', 'hangup'] as const) await deliverTwice(fixtureWith(INBOUND[step], { call_id: callId }));
    await deliverTwice(fixtureWith('inbound-hangup.json', { call_id: callId, event_timestamp: 1731700080000, date_ended: 1731700079000, date_started: 1731699990000 }));
    await processed(callId, 4);
    const row = await callRow(callId);
    expect(row).toMatchObject({ status: 'ended', started_at: 1731699990000, ended_at: 1731700079000 });
  });

  it('an unknown state is stored as call.<state>, marked processed, and creates no call row', async () => {
    const callId = freshCallId();
    const res = await postJwt(t, app, fixtureWith('inbound-connected.json', { call_id: callId, state: 'teleported' }));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ dialpad_event_id: `${callId}:teleported:1731700006600`, duplicate: false });
    await processed(callId, 1);
    const list = await request(t.baseUrl)
      .get(`/internal/apps/${app.id}/events?status=processed&limit=200`)
      .set('Authorization', `Bearer ${t.adminToken}`)
      .expect(200);
    const item = (list.body.items as { id: string; event_type: string; dialpad_call_id: string; status: string; attempts: number; last_error: string | null }[]).find(
      (i) => i.dialpad_call_id === callId,
    );
    expect(item).toMatchObject({
      id: (res.body as { event_id: string }).event_id,
      event_type: 'call.teleported',
      status: 'processed',
      attempts: 0,
      last_error: null,
    });
    expect(await callRows(callId)).toEqual([]);
    const dead = await request(t.baseUrl).get(`/internal/apps/${app.id}/events?status=dead`).set('Authorization', `Bearer ${t.adminToken}`).expect(200);
    expect(dead.body.items).toEqual([]);
  });

  it('a hold puts the call on hold (a held call was answered); a transcription fills in but changes no status', async () => {
    const callId = freshCallId();
    await deliverTwice(fixtureWith('inbound-ringing.json', { call_id: callId }));
    await deliverTwice(fixtureWith('inbound-ringing.json', { call_id: callId, state: 'hold', event_timestamp: 1731700002000 }));
    await deliverTwice(fixtureWith('inbound-ringing.json', { call_id: callId, state: 'call_transcription', event_timestamp: 1731700003000 }));
    await processed(callId, 3);
    const types = await db.query(`SELECT event_type FROM webhook_events WHERE app_id = $1 AND dialpad_call_id = $2 ORDER BY id`, [app.id, callId]);
    expect(types.rows.map((r) => r.event_type)).toEqual(['call.ring', 'call.hold', 'call.transcription']);
    expect(await callRow(callId)).toMatchObject({ status: 'on_hold', last_event_at: 1731700003000 });
  });

  it('never holds two calls rows for one (app, Dialpad call id), and nothing failed', async () => {
    const dupes = await db.query(`SELECT app_id, dialpad_call_id, count(*)::int AS n FROM calls GROUP BY 1, 2 HAVING count(*) > 1`);
    expect(dupes.rows).toEqual([]);
    const failed = await db.query(`SELECT id, event_type, last_error FROM webhook_events WHERE attempts > 0 OR dead_at IS NOT NULL`);
    expect(failed.rows).toEqual([]);
    const open = await db.query(`SELECT count(*)::int AS n FROM webhook_events WHERE processed_at IS NULL`);
    expect(open.rows[0].n).toBe(0);
  });
});
