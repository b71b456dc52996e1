import pg from 'pg';
import request from 'supertest';
import { loadFixture } from '../fixtures/dialpad/index.js';
import { startTestApp, TestApp } from '../support/test-app.js';
import { CreatedApp, createApp, postJwt, waitFor } from '../support/webhooks.js';
import { TestWsClient, wsUrl } from '../support/ws-client.js';

/**
 * Conversations and voicemail once (docs/wire-protocol.md, "Conversations", "Voicemail"): Dialpad's legs of one
 * caller's call, fed through the real webhook route as JWT bodies, make one conversation with one outcome; a
 * ring-group member who did not pick up is not a missed call; the voicemail row and its single
 * `voicemail.received` come from the event that brings the message, whatever the order and repetitions.
 */

type Json = Record<string, unknown>;

const ENTRY = '6822191146123264';
const LEG1 = '6822191146254336';
const LEG2 = '6822191146385408';
const LEG3 = '6822191146516480';
const CONSULT = '6822191146647552';
const SKY = '5064843451351040';

/** inbound → ring group of three → Sky answers → warm transfer to Quinn → hangup (test/fixtures/dialpad/README.md). */
const TRANSFER = [
  'transfer-01-entry-queued.json',
  'transfer-02-leg1-ringing.json',
  'transfer-03-leg2-ringing.json',
  'transfer-04-leg3-ringing.json',
  'transfer-05-leg2-connected.json',
  'transfer-06-leg1-hangup.json',
  'transfer-07-leg3-missed.json',
  'transfer-08-consult-ringing.json',
  'transfer-09-consult-connected.json',
  'transfer-10-leg2-hangup.json',
  'transfer-11-consult-hangup.json',
  'transfer-12-entry-hangup.json',
];

/** The same ring group, nobody picks up. */
const NOBODY = [
  'transfer-01-entry-queued.json',
  'transfer-02-leg1-ringing.json',
  'transfer-03-leg2-ringing.json',
  'transfer-04-leg3-ringing.json',
  'transfer-06-leg1-hangup.json',
  'ring-group-leg2-hangup-unanswered.json',
  'transfer-07-leg3-missed.json',
  'ring-group-entry-hangup-unanswered.json',
];

/** A fixed pseudo-random order of a list, with some items repeated (a redelivery: same bytes, a duplicate). */
function shuffledWithRepeats<T>(items: readonly T[], seed: number): T[] {
  let s = seed;
  const next = () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
  const out = [...items, ...items.filter(() => next() < 0.3)];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

describe('conversations and voicemail once (e2e)', () => {
  let t: TestApp;
  let db: pg.Pool;

  beforeAll(async () => {
    t = await startTestApp({ EVENT_POLL_INTERVAL_MS: '60000' });
    db = new pg.Pool({ connectionString: t.db.url, max: 3 });
  });
  afterAll(async () => {
    await db?.end();
    await t?.close();
  });

  const api = (app: CreatedApp, path: string) => request(t.baseUrl).get(path).set('x-app-api-key', app.api_key);

  /** Delivers the fixtures in order; waits until every stored event of the app is processed without error. */
  async function deliverAll(app: CreatedApp, names: readonly string[]): Promise<string[]> {
    const ids: string[] = [];
    for (const name of names) {
      const res = await postJwt(t, app, loadFixture(name));
      expect({ name, status: res.status }).toEqual({ name, status: 200 });
      ids.push((res.body as { event_id: string }).event_id);
    }
    await waitFor(async () => {
      const { rows } = await db.query<{ pending: number; failed: number }>(
        `SELECT count(*) FILTER (WHERE processed_at IS NULL)::int AS pending, count(*) FILTER (WHERE last_error IS NOT NULL)::int AS failed
           FROM webhook_events WHERE app_id = $1`,
        [app.id],
      );
      if (rows[0]!.failed > 0) throw new Error('an event failed');
      return rows[0]!.pending === 0;
    }, 10000);
    return ids;
  }

  /** The app's call rows, as the processor left them (ids and bookkeeping times left out). */
  async function callRows(app: CreatedApp): Promise<Json[]> {
    const { rows } = await db.query<Json>(
      `SELECT dialpad_call_id, conversation_id, status, dialpad_user_id, master_call_id, entry_point_call_id,
              started_at, ringing_at, connected_at, ended_at, duration_ms::float8 AS duration_ms, contact_name
         FROM calls WHERE app_id = $1 ORDER BY dialpad_call_id`,
      [app.id],
    );
    return rows;
  }

  async function conversation(app: CreatedApp, id: string): Promise<Json> {
    const res = await api(app, `/api/conversations/${id}`);
    expect(res.status).toBe(200);
    return res.body as Json;
  }

  describe('a transfer: inbound → ring group of three → one answers → warm transfer → hangup', () => {
    let app: CreatedApp;
    let socket: TestWsClient;
    let eventIds: string[];

    beforeAll(async () => {
      app = await createApp(t, 'Transfer');
      socket = await TestWsClient.connect(wsUrl(t.baseUrl), { 'x-app-api-key': app.api_key });
      eventIds = await deliverAll(app, TRANSFER);
    });
    afterAll(() => socket?.close());

    it('is one conversation: its five legs in order, answered by the agent who picked up', async () => {
      const c = await conversation(app, ENTRY);
      expect(c).toMatchObject({
        conversation_id: ENTRY,
        outcome: 'answered',
        answered_by: { dialpad_call_id: LEG2, dialpad_user_id: SKY, connected_at: '2024-11-19T07:06:46.000Z' },
        voicemail: null,
        direction: 'inbound',
        from_number: '+14155550155',
        contact: { id: '6131436978913291', name: 'Casey Caller', email: null, phone: '+14155550155', type: 'local' },
        started_at: '2024-11-19T07:06:40.000Z',
        ended_at: '2024-11-19T07:09:40.200Z',
      });
      const legs = c.legs as Json[];
      expect(legs.map((l) => [l.dialpad_call_id, l.status])).toEqual([
        [ENTRY, 'unanswered'],
        [LEG1, 'unanswered'],
        [LEG2, 'ended'],
        [LEG3, 'unanswered'],
        [CONSULT, 'ended'],
      ]);
      expect(new Set(legs.map((l) => l.conversation_id))).toEqual(new Set([ENTRY]));
    });

    it('counts zero missed calls; ?conversation_id= lists the legs', async () => {
      const missed = await api(app, '/api/calls?status=missed&limit=200');
      expect((missed.body as { items: Json[] }).items).toEqual([]);
      const legs = await api(app, `/api/calls?conversation_id=${ENTRY}&limit=200`);
      expect((legs.body as { items: Json[] }).items.map((c) => c.dialpad_call_id).sort()).toEqual([ENTRY, LEG1, LEG2, LEG3, CONSULT].sort());
      expect((await api(app, `/api/calls/${CONSULT}`)).body).toMatchObject({ conversation_id: ENTRY, master_call_id: LEG2 });
    });

    it('every call message names the conversation', async () => {
      const messages = await Promise.all(eventIds.map((id) => socket.waitFor((m) => m.event_id === id, 8000)));
      expect(new Set(messages.map((m) => m.conversation_id))).toEqual(new Set([ENTRY]));
      // the unanswered legs' ends say so, never `missed`
      expect(messages.filter((m) => m.status === 'missed')).toEqual([]);
    });

    it('any order and any repetition of its events give the same rows and the same conversation', async () => {
      const expectedRows = await callRows(app);
      const expected = await conversation(app, ENTRY);
      for (const seed of [7, 42, 1234]) {
        const other = await createApp(t, `Transfer ${seed}`);
        await deliverAll(other, shuffledWithRepeats(TRANSFER, seed));
        expect({ seed, rows: await callRows(other) }).toEqual({ seed, rows: expectedRows });
        const again = await conversation(other, ENTRY);
        const strip = (c: Json) => ({ ...c, legs: (c.legs as Json[]).map(({ id: _i, created_at: _c, updated_at: _u, ...l }) => l) });
        expect({ seed, c: strip(again) }).toEqual({ seed, c: strip(expected) });
      }
    });
  });

  it('a ring-group call nobody answers is one missed conversation (and one missed call)', async () => {
    const app = await createApp(t, 'Nobody answers');
    await deliverAll(app, NOBODY);
    expect(await conversation(app, ENTRY)).toMatchObject({ outcome: 'missed', answered_by: null, voicemail: null });
    const missed = await api(app, '/api/calls?status=missed&limit=200');
    expect((missed.body as { items: Json[] }).items.map((c) => c.dialpad_call_id)).toEqual([ENTRY]);
    // the same events in another order
    const other = await createApp(t, 'Nobody answers, shuffled');
    await deliverAll(other, shuffledWithRepeats(NOBODY, 99));
    expect(await callRows(other)).toEqual(await callRows(app));
  });

  it('a lone call is its own conversation', async () => {
    const app = await createApp(t, 'Lone call');
    await deliverAll(app, ['inbound-ringing.json', 'inbound-connected.json', 'inbound-hangup.json']);
    const c = await conversation(app, '5910447283257344');
    expect(c).toMatchObject({ conversation_id: '5910447283257344', outcome: 'answered', answered_by: { dialpad_user_id: '4785129047965696' } });
    expect(c.legs).toHaveLength(1);
  });

  it('answers 400 for a malformed id, 404 for an unknown or another app’s conversation, 401 without a key', async () => {
    const app = await createApp(t, 'Errors');
    const other = await createApp(t, 'Errors, other app');
    await deliverAll(other, ['inbound-ringing.json']);
    for (const [path, status] of [
      ['/api/conversations/not-a-call', 400],
      ['/api/conversations/12e4', 400],
      ['/api/calls?conversation_id=abc', 400],
      ['/api/conversations/123456', 404],
      ['/api/conversations/5910447283257344', 404],
    ] as const) {
      const res = await api(app, path);
      expect({ path, status: res.status }).toEqual({ path, status });
      expect(typeof (res.body as Json).message).not.toBe('undefined');
    }
    expect((await request(t.baseUrl).get('/api/conversations/5910447283257344')).status).toBe(401);
  });

  describe('voicemail exactly once', () => {
    const CALL = '6302920190263296';
    const VOICEMAIL_EVENTS = ['missed.json', 'voicemail-started.json', 'voicemail-uploaded-with-recording.json', 'voicemail.json'];

    it('one row and one voicemail.received, with the link, the message’s own duration and its transcript, in any order', async () => {
      const rows: Json[] = [];
      for (const seed of [0, 3, 11, 2024]) {
        const app = await createApp(t, `Voicemail ${seed}`);
        const socket = await TestWsClient.connect(wsUrl(t.baseUrl), { 'x-app-api-key': app.api_key });
        const order = seed === 0 ? VOICEMAIL_EVENTS : shuffledWithRepeats(VOICEMAIL_EVENTS, seed);
        const ids = [...new Set(await deliverAll(app, order))];
        const messages = await Promise.all(ids.map((id) => socket.waitFor((m) => m.event_id === id, 8000)));
        socket.close();
        const received = messages.filter((m) => m.event === 'voicemail.received');
        expect({ seed, received: received.length }).toEqual({ seed, received: 1 });
        // the first event that brought the message: its duration when it carried the voicemail recording, else a
        // `voicemail.updated` brings it when that event comes
        const first = order.find((n) => n.startsWith('voicemail') && n !== 'voicemail-started.json');
        expect(received[0]).toMatchObject({
          call_id: CALL,
          conversation_id: CALL,
          voicemail_url: 'https://dialpad.com/v/EXAMPLEvoicemail6302920190263296',
          voicemail_duration_ms: first === 'voicemail-uploaded-with-recording.json' ? 21400 : null,
          transcription: 'Hi, this is Alex, please call me back about the quote.',
          status: 'voicemail',
        });
        const updated = messages.filter((m) => m.event === 'voicemail.updated');
        // a later event that changes the voicemail (here: its duration, or an earlier receipt time) is `voicemail.updated`
        expect(updated.length).toBeLessThanOrEqual(1);
        if (first !== 'voicemail-uploaded-with-recording.json') expect(updated).toHaveLength(1);
        for (const m of updated) expect(m).toMatchObject({ voicemail_duration_ms: 21400, call_id: CALL });
        // the greeting (no message yet) is `call.voicemail`, never a second pop
        expect(messages.filter((m) => m.event !== 'voicemail.received').map((m) => m.event).sort()).toEqual(
          expect.arrayContaining(['call.missed']),
        );
        const { rows: vm } = await db.query<Json>(
          `SELECT voicemail_url, recording_id, transcription, duration_ms::float8 AS duration_ms, received_at FROM voicemails WHERE app_id = $1`,
          [app.id],
        );
        expect(vm).toHaveLength(1);
        rows.push(vm[0]!);
        expect(await conversation(app, CALL)).toMatchObject({ outcome: 'voicemail', voicemail: { duration_ms: 21400, dialpad_call_id: CALL } });
      }
      for (const row of rows) expect(row).toEqual(rows[0]);
      expect(rows[0]).toMatchObject({ recording_id: '5733953138851840', duration_ms: 21400 });
    });

    it('a greeting hung up on leaves no voicemail row and a missed conversation', async () => {
      const app = await createApp(t, 'Greeting hung up');
      const socket = await TestWsClient.connect(wsUrl(t.baseUrl), { 'x-app-api-key': app.api_key });
      const ids = await deliverAll(app, ['voicemail-started.json', 'voicemail-greeting-hangup.json']);
      const messages = await Promise.all(ids.map((id) => socket.waitFor((m) => m.event_id === id, 8000)));
      socket.close();
      expect(messages.map((m) => m.event)).toEqual(['call.voicemail', 'call.ended']);
      const { rows } = await db.query(`SELECT 1 FROM voicemails WHERE app_id = $1`, [app.id]);
      expect(rows).toEqual([]);
      expect(await conversation(app, CALL)).toMatchObject({ outcome: 'missed', voicemail: null });
    });
  });
});
