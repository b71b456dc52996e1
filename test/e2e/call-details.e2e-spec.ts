import pg from 'pg';
import request from 'supertest';
import { errorText, expectErrorShape } from '../support/http-expect.js';
import { startTestApp, TestApp } from '../support/test-app.js';
import { CreatedApp, createApp, fixtureWith, postJwt, processedEvent } from '../support/webhooks.js';
import { TestWsClient, wsUrl } from '../support/ws-client.js';

/**
 * A call's details (issue 13, docs/wire-protocol.md "Call details"): every recording by type, the transcript, the AI
 * recap, CSAT, Dialpad's dispositions, labels, talk/hold/queue time. The after-call fixtures of one answered call
 * (test/fixtures/dialpad/README.md, call 6611852337315840) go through the real webhook route as JWT bodies; REST,
 * the transcript route and each event type's WebSocket message say the same.
 */

type Json = Record<string, unknown>;

/** Top-level fields added to a fixture (Dialpad documents no recap field: call-insights.ts says what is read). */
function withFields(text: string, fields: Json): string {
  const extra = Object.entries(fields)
    .map(([k, v]) => `${JSON.stringify(k)}: ${JSON.stringify(v)}`)
    .join(', ');
  return text.replace(/^\{/, `{${extra}, `);
}

/** The fixture's `recording_details` replaced (the entries' ids stay bare numbers, as Dialpad sends them). */
function withRecordings(text: string, recordings: { id: string; type: string; url: string; start: number; duration: number }[]): string {
  const list = recordings
    .map((r) => `{"duration": ${r.duration}, "id": ${r.id}, "recording_type": ${JSON.stringify(r.type)}, "start_time": ${r.start}, "url": ${JSON.stringify(r.url)}}`)
    .join(', ');
  const replaced = text.replace(/"recording_details":\s*\[[\s\S]*?\]\s*,/, `"recording_details": [${list}],`);
  if (replaced === text) throw new Error('no recording_details to replace');
  return replaced;
}

const ADMIN_URL = 'https://dialpad.com/r/EXAMPLEadminrecording6611852337315840';
const FIRST_URL = 'https://dialpad.com/r/EXAMPLEcallrecording-first';
const SECOND_URL = 'https://dialpad.com/r/EXAMPLEcallrecording-second';
const TRANSCRIPT = 'River: Thanks for calling Example Legal, this is River. Alex: Hi, I am calling about the quote you sent.';

/** The after-call events of one answered call, by name. */
function afterCall(callId: string): Record<string, string> {
  const f = (name: string) => fixtureWith(name, { call_id: callId });
  return {
    postcall: f('postcall.json'),
    admin_recording: f('admin_recording.json'),
    // two call recordings (the call was paused and resumed): the newer one is `recording_url`
    recording_second: withRecordings(fixtureWith('admin_recording.json', { call_id: callId, state: 'recording', event_timestamp: 1731810188000 }), [
      { id: '6614007362322499', type: 'callrecording', url: SECOND_URL, start: 1731810100000, duration: 85000 },
    ]),
    recording_first: withRecordings(fixtureWith('admin_recording.json', { call_id: callId, state: 'recording', event_timestamp: 1731810188500 }), [
      { id: '6614007362322433', type: 'callrecording', url: FIRST_URL, start: 1731810005500, duration: 90000 },
    ]),
    call_transcription: f('call_transcription.json'),
    transcription: f('transcription.json'),
    dispositions: f('dispositions.json'),
    csat: withFields(f('csat.json'), { csat_transcriptions: ['Very helpful, thanks'] }),
    pcsat: f('pcsat.json'),
    recap_summary: withFields(f('recap_summary.json'), { recap_summary: 'Alex asked about the quote River sent.' }),
    recap_outcome: withFields(f('recap_outcome.json'), { recap_outcome: 'Quote accepted' }),
    recap_purposes: withFields(f('recap_purposes.json'), { recap_purposes: ['Sales inquiry'] }),
    recap_action_items: withFields(f('recap_action_items.json'), { recap_action_items: [{ text: 'Send the contract' }, 'Call back Friday'] }),
  };
}

describe('call details: recordings, transcript, recap, CSAT, dispositions, labels, times (e2e)', () => {
  let t: TestApp;
  let app: CreatedApp;
  let other: CreatedApp;
  let db: pg.Pool;
  let ws: TestWsClient;
  let nextId = 7_300_000_000_000_001n;
  const freshId = () => String(nextId++);
  const api = (path: string, key = app.api_key) => request(t.baseUrl).get(path).set('x-app-api-key', key);
  const patchApp = (body: Json) => request(t.baseUrl).patch(`/internal/apps/${app.id}`).set('Authorization', `Bearer ${t.adminToken}`).send(body);

  const deliver = async (json: string, to = app): Promise<string> => {
    const res = await postJwt(t, to, json);
    expect({ status: res.status, body: res.body as unknown }).toMatchObject({ status: 200, body: { received: true, duplicate: false } });
    return (res.body as { event_id: string }).event_id;
  };
  const messageOf = (eventId: string) => ws.waitFor((m) => m.event_id === eventId, 8000);
  const processed = (eventId: string) => processedEvent(db, eventId);

  beforeAll(async () => {
    t = await startTestApp();
    app = await createApp(t, 'Call details');
    other = await createApp(t, 'Call details, another tenant');
    db = new pg.Pool({ connectionString: t.db.url, max: 3 });
    ws = await TestWsClient.connect(wsUrl(t.baseUrl), { 'x-app-api-key': app.api_key });
  });
  afterAll(async () => {
    ws?.close();
    await db?.end();
    await t?.close();
  });

  it('one answered call’s after-call events: each message carries its part, REST and the transcript route the whole', async () => {
    const callId = freshId();
    const events = afterCall(callId);
    const messages: Record<string, Json> = {};
    for (const [name, json] of Object.entries(events)) messages[name] = await messageOf(await deliver(json));

    expect(messages.recording_first).toMatchObject({
      event: 'call.recording.completed',
      recording_url: SECOND_URL,
      recordings: [
        { id: '6614007362322433', type: 'callrecording', url: FIRST_URL, duration_ms: 90000, started_at: '2024-11-17T02:20:05.500Z' },
        { id: '6614007362322499', type: 'callrecording', url: SECOND_URL, duration_ms: 85000, started_at: '2024-11-17T02:21:40.000Z' },
      ],
    });
    // an admin recording is never the call's recording_url, and this app does not show admin recordings
    expect(messages.admin_recording).toMatchObject({ event: 'call.recording.completed', recordings: [] });
    expect(messages.admin_recording!.recording_url).toBeUndefined();
    expect(messages.transcription).toMatchObject({ event: 'call.transcription', transcript: TRANSCRIPT });
    expect(messages.dispositions).toMatchObject({ event: 'call.dispositions', dispositions: ['Quote sent'], labels: ['Quote sent'] });
    expect(messages.csat).toMatchObject({ event: 'call.csat', csat: { score: '5', predicted_score: null, transcriptions: ['Very helpful, thanks'] } });
    expect(messages.pcsat).toMatchObject({ event: 'call.pcsat', csat: { score: '5', predicted_score: '4' } });
    expect(messages.recap_summary).toMatchObject({ event: 'call.recap_summary', recap: { summary: 'Alex asked about the quote River sent.', outcome: null } });
    expect(messages.recap_action_items).toMatchObject({
      event: 'call.recap_action_items',
      recap: {
        summary: 'Alex asked about the quote River sent.',
        outcome: 'Quote accepted',
        purposes: ['Sales inquiry'],
        action_items: ['Send the contract', 'Call back Friday'],
      },
    });
    // a message carries only its own part
    expect(messages.csat!.transcript).toBeUndefined();
    expect(messages.transcription!.recap).toBeUndefined();

    const call = await api(`/api/calls/${callId}`);
    expect(call.status).toBe(200);
    expect(call.body).toMatchObject({
      dialpad_call_id: callId,
      status: 'ended',
      recording_url: SECOND_URL,
      transcript_available: true,
      dispositions: ['Quote sent'],
      labels: ['Quote sent'],
      csat: { score: '5', predicted_score: '4', transcriptions: ['Very helpful, thanks'], recording_urls: [] },
      recap: { summary: 'Alex asked about the quote River sent.', outcome: 'Quote accepted', purposes: ['Sales inquiry'] },
      talk_time_ms: 180000,
      hold_time_ms: null,
      queue_time_ms: null,
    });
    expect((call.body as { recordings: Json[] }).recordings.map((r) => r.url)).toEqual([FIRST_URL, SECOND_URL]);

    const byUuid = await api(`/api/calls/${(call.body as { id: string }).id}/transcript`);
    expect(byUuid.status).toBe(200);
    expect(byUuid.body).toEqual({ id: (call.body as { id: string }).id, dialpad_call_id: callId, text: TRANSCRIPT, updated_at: '2024-11-17T02:23:11.000Z' });
    expect((await api(`/api/calls/${callId}/transcript`)).body).toEqual(byUuid.body);
  });

  it('admin recordings reach the CRM only when the app allows it', async () => {
    const callId = freshId();
    await messageOf(await deliver(afterCall(callId).admin_recording!));
    expect((await api(`/api/calls/${callId}`)).body).toMatchObject({ recordings: [], recording_url: null });

    expect((await patchApp({ show_admin_recordings: true })).body).toMatchObject({ show_admin_recordings: true });
    try {
      const shown = await api(`/api/calls/${callId}`);
      expect(shown.body).toMatchObject({ recordings: [{ type: 'admincallrecording', url: ADMIN_URL, duration_ms: 179000 }], recording_url: null });
      const next = freshId();
      const message = await messageOf(await deliver(afterCall(next).admin_recording!));
      expect(message).toMatchObject({ recordings: [{ type: 'admincallrecording', url: ADMIN_URL }] });
    } finally {
      expect((await patchApp({ show_admin_recordings: false })).status).toBe(200);
    }
    const refused = await patchApp({ show_admin_recordings: 'yes' });
    expectErrorShape(refused, 400);
    expect(errorText(refused)).toMatch(/show_admin_recordings/);
  });

  it('any order and any repetition of the events: the same details and the same recording_url', async () => {
    const names = Object.keys(afterCall('1'));
    /** deterministic shuffles with repeats (a small LCG: the orders are the same on every run) */
    let seed = 42;
    const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    const orders = [names, [...names].reverse()];
    for (let i = 0; i < 3; i++) {
      const order = [...names, ...names.filter(() => random() < 0.3)];
      for (let j = order.length - 1; j > 0; j--) {
        const k = Math.floor(random() * (j + 1));
        [order[j], order[k]] = [order[k]!, order[j]!];
      }
      orders.push(order);
    }
    const outcomes: unknown[] = [];
    for (const order of orders) {
      const callId = freshId();
      const events = afterCall(callId);
      let last = '';
      for (const name of order) {
        // a repeat is a new delivery of the same event: give it its own event id so it is processed, not deduplicated
        const json = order.indexOf(name) === order.lastIndexOf(name) ? events[name]! : withFields(events[name]!, { event_id: `repeat-${callId}-${name}-${last}` });
        last = await deliver(json);
      }
      await processed(last);
      const { rows } = await db.query(
        `SELECT c.recording_url, c.status, d.details FROM calls c JOIN call_details d USING (app_id, dialpad_call_id)
          WHERE c.app_id = $1 AND c.dialpad_call_id = $2`,
        [app.id, callId],
      );
      outcomes.push(rows[0]);
    }
    expect(outcomes[0]).toMatchObject({ recording_url: SECOND_URL, status: 'ended' });
    for (const o of outcomes.slice(1)) expect(o).toEqual(outcomes[0]);
  });

  it('404 for a call without a transcript, another tenant’s call and a malformed id', async () => {
    const callId = freshId();
    await processed(await deliver(afterCall(callId).postcall!));
    const none = await api(`/api/calls/${callId}/transcript`);
    expectErrorShape(none, 404);
    expect(errorText(none)).toMatch(/transcript/i);

    const theirs = freshId();
    await processed(await deliver(afterCall(theirs).transcription!, other));
    expect((await api(`/api/calls/${theirs}/transcript`, other.api_key)).status).toBe(200);
    expectErrorShape(await api(`/api/calls/${theirs}/transcript`), 404);
    expectErrorShape(await api(`/api/calls/not-a-call/transcript`), 404);
    expectErrorShape(await api(`/api/calls/${theirs}/transcript`, 'not-a-key'), 401);
  });

  it('malformed details never fail the event: what can be read is kept, the rest stays in the stored payload', async () => {
    const callId = freshId();
    const junk = withFields(fixtureWith('postcall.json', { call_id: callId, csat_score: null }), {
      recap: { summary: { nested: true }, action_items: [null, 7, { title: 'Follow up' }] },
      csat_transcriptions: 'not a list',
    })
      .replace(/"labels":\s*\[\]/, '"labels": {"x": 1}')
      .replace(/"recording_details":\s*\[[\s\S]*?\]\s*,/, '"recording_details": ["x", null, {"duration": -5}, {"id": 123, "recording_type": "callrecording"}],');
    const eventId = await deliver(junk);
    await processed(eventId);
    const dto = (await api(`/api/calls/${callId}`)).body as Json;
    expect(dto).toMatchObject({
      status: 'ended',
      labels: [],
      recap: { summary: null, action_items: ['Follow up'] },
      csat: { score: null, transcriptions: ['not a list'] },
      recordings: [{ id: '123', type: 'callrecording', url: null }],
      recording_url: null,
    });
  });
});
