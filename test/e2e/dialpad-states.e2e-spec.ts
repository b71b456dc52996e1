import pg from 'pg';
import request from 'supertest';
import { CALL_STATE_FIXTURES, loadFixture } from '../fixtures/dialpad/index.js';
import { eventTypeForState } from '../../src/integrations/dialpad/wire/call-states.js';
import { startTestApp, TestApp } from '../support/test-app.js';
import { CreatedApp, createApp, fixtureWith, postJwt, processedEvent } from '../support/webhooks.js';
import { TestWsClient, wsUrl } from '../support/ws-client.js';

/**
 * Real Dialpad traffic, every state (docs/wire-protocol.md, "Dialpad call states"): each fixture of
 * test/fixtures/dialpad/ goes through the real webhook route as Dialpad sends it (a JWT body), and
 * the call rows, the REST answers and the WebSocket messages say what the table says.
 */

const RIVER = '4785129047965696';
const RIVER_CRM = 'river@crm.example';

/** What one event of each state makes of a call it is the first news of (the fixtures' dates count too). */
const STATUS_AFTER: Record<keyof typeof CALL_STATE_FIXTURES, string> = {
  admin: 'ended', // the post-call fixtures carry date_connected and date_ended: a finished conversation
  admin_recording: 'ended',
  ai_playbook: 'ended',
  barge: 'connected',
  blocked: 'blocked',
  call_transcription: 'ended',
  calling: 'initiated',
  connected: 'connected',
  csat: 'ended',
  dispositions: 'ended',
  eavesdrop: 'connected',
  hangup: 'ended',
  hold: 'on_hold',
  merged: 'connected',
  missed: 'missed',
  monitor: 'connected',
  parked: 'parked',
  pcsat: 'ended',
  postcall: 'ended',
  preanswer: 'initiated',
  queued: 'queued',
  recap_action_items: 'ended',
  recap_outcome: 'ended',
  recap_purposes: 'ended',
  recap_summary: 'ended',
  recording: 'ended',
  ringing: 'ringing',
  takeover: 'connected',
  transcription: 'ended',
  voicemail: 'voicemail',
  voicemail_uploaded: 'voicemail',
};

/** The contact each call fixture names, as read ("email": "" is unknown). */
const CONTACTS: Record<string, Record<string, string | null>> = {
  '6131436978913281': { id: '6131436978913281', name: 'Sam Caller', email: null, phone: '+14155550123', type: 'local' },
  '6131436978913290': { id: '6131436978913290', name: 'Dana Caller', email: null, phone: '+14155550166', type: 'local' },
  '6131436978913283': { id: '6131436978913283', name: 'Alex Caller', email: null, phone: '+14155550188', type: 'local' },
  '6131436978913282': { id: '6131436978913282', name: 'Pat Prospect', email: null, phone: '+14155550177', type: 'local' },
  '6131436978913287': { id: '6131436978913287', name: 'Morgan Client', email: 'morgan.client@example.net', phone: '+14155550133', type: 'shared' },
  '6131436978913299': { id: '6131436978913299', name: 'San Francisco, CA', email: null, phone: '+14155550111', type: 'local' },
};

type Json = Record<string, unknown>;

describe('every Dialpad state and event kind through the webhook route (e2e)', () => {
  let t: TestApp;
  let app: CreatedApp;
  let db: pg.Pool;
  /** every event of the app */
  let all: TestWsClient;
  /** River's events only */
  let river: TestWsClient;
  /** the events of River's CRM user only */
  let riverCrm: TestWsClient;
  let nextId = 7_100_000_000_000_001n;
  const freshId = () => String(nextId++);
  const api = (path: string) => request(t.baseUrl).get(path).set('x-app-api-key', app.api_key);

  /** Posts a fixture's text as Dialpad does; resolves with the answer once it is 200. */
  const deliver = async (json: string): Promise<{ event_id: string; dialpad_event_id: string; duplicate: boolean }> => {
    const res = await postJwt(t, app, json);
    expect({ status: res.status, body: res.body as unknown }).toMatchObject({ status: 200, body: { received: true } });
    return res.body as { event_id: string; dialpad_event_id: string; duplicate: boolean };
  };
  const messageOf = (client: TestWsClient, eventId: string) => client.waitFor((m) => m.event_id === eventId, 8000);
  const processed = (eventId: string) => processedEvent(db, eventId);
  const callDto = async (callId: string): Promise<Json> => {
    const res = await api(`/api/calls/${callId}`);
    expect(res.status).toBe(200);
    return res.body as Json;
  };

  beforeAll(async () => {
    t = await startTestApp({ EVENT_POLL_INTERVAL_MS: '60000' });
    app = await createApp(t, 'Every state');
    db = new pg.Pool({ connectionString: t.db.url, max: 3 });
    const mapped = await request(t.baseUrl)
      .post(`/internal/apps/${app.id}/users/map`)
      .set('Authorization', `Bearer ${t.adminToken}`)
      .send({ dialpad_user_id: RIVER, crm_user_id: RIVER_CRM, display_name: 'River' });
    expect(mapped.status).toBeLessThan(300);
    all = await TestWsClient.connect(wsUrl(t.baseUrl), { 'x-app-api-key': app.api_key });
    river = await TestWsClient.connect(wsUrl(t.baseUrl, { api_key: app.api_key, dialpad_user_id: RIVER }));
    riverCrm = await TestWsClient.connect(wsUrl(t.baseUrl, { api_key: app.api_key, crm_user_id: RIVER_CRM }));
  });
  afterAll(async () => {
    all?.close();
    river?.close();
    riverCrm?.close();
    await db?.end();
    await t?.close();
  });

  describe('call states', () => {
    it.each(Object.entries(CALL_STATE_FIXTURES))('%s (%s): row, REST and message as the table says', async (state, fixture) => {
      const callId = freshId();
      const { event_id } = await deliver(fixtureWith(fixture, { call_id: callId }));
      const message = await messageOf(all, event_id);
      const expected = STATUS_AFTER[state as keyof typeof CALL_STATE_FIXTURES];
      const contactId = /"contact":\s*\{[^}]*"id":\s*(\d+)/.exec(loadFixture(fixture))![1]!;
      // issue 13, milestone 2: the greeting (state `voicemail` without a message) is `call.voicemail`; only the event
      // that brings the message is `voicemail.received` (conversations.e2e-spec.ts, "voicemail exactly once")
      const event = state === 'voicemail' ? 'call.voicemail' : eventTypeForState(state);
      expect(message).toMatchObject({ event, call_id: callId, status: expected, contact: CONTACTS[contactId] });

      const dto = await callDto(callId);
      expect(dto).toMatchObject({ dialpad_call_id: callId, status: expected, contact: CONTACTS[contactId] });
      // the screen pop and REST agree on who is calling and what the call is now
      expect({ status: message.status, contact: message.contact, user: message.user_id }).toEqual({ status: dto.status, contact: dto.contact, user: dto.dialpad_user_id });
      if (dto.dialpad_user_id === RIVER) {
        expect(message.target_crm_user).toBe(RIVER_CRM);
        await messageOf(river, event_id);
        await messageOf(riverCrm, event_id);
      }
    });

    it('queued: the queue time; admin_recording: kept, not shown; voicemail: the voicemail row', async () => {
      const queued = freshId();
      await messageOf(all, (await deliver(fixtureWith('queued.json', { call_id: queued }))).event_id);
      expect(await callDto(queued)).toMatchObject({ status: 'queued', queued_at: '2024-11-16T23:33:24.000Z', ringing_at: null });

      const recorded = freshId();
      const rec = await messageOf(all, (await deliver(fixtureWith('admin_recording.json', { call_id: recorded }))).event_id);
      // an admin recording is kept in the call's details, never as its recording_url, and shown only to apps that allow it
      expect(rec).toMatchObject({ event: 'call.recording.completed', recordings: [] });
      expect(rec.recording_url).toBeUndefined();
      const { rows: kept } = await db.query(`SELECT details->'recordings' AS r FROM call_details WHERE app_id = $1 AND dialpad_call_id = $2`, [app.id, recorded]);
      expect(kept).toEqual([{ r: [expect.objectContaining({ type: 'admincallrecording', url: 'https://dialpad.com/r/EXAMPLEadminrecording6611852337315840' })] }]);

      const vm = freshId();
      await messageOf(all, (await deliver(fixtureWith('voicemail-started.json', { call_id: vm }))).event_id);
      const uploaded = await messageOf(all, (await deliver(fixtureWith('voicemail.json', { call_id: vm }))).event_id);
      expect(uploaded).toMatchObject({ event: 'voicemail.received', status: 'voicemail', voicemail_url: 'https://dialpad.com/v/EXAMPLEvoicemail6302920190263296' });
      const { rows } = await db.query(`SELECT voicemail_url, recording_id, transcription FROM voicemails WHERE app_id = $1 AND dialpad_call_id = $2`, [app.id, vm]);
      expect(rows).toEqual([
        {
          voicemail_url: 'https://dialpad.com/v/EXAMPLEvoicemail6302920190263296',
          recording_id: '5733953138851840',
          transcription: 'Hi, this is Alex, please call me back about the quote.',
        },
      ]);
    });

    /** The agent's leg of the call-centre call: hold, back to connected, parked, merged. */
    const LEG = ['hold.json', 'connected-after-hold.json', 'parked.json', 'merged.json'] as const;
    const ORDERS: (typeof LEG)[number][][] = [
      ['hold.json', 'connected-after-hold.json'],
      ['connected-after-hold.json', 'hold.json'],
      ['hold.json', 'connected-after-hold.json', 'parked.json'],
      ['parked.json', 'hold.json', 'connected-after-hold.json'],
      ['connected-after-hold.json', 'parked.json', 'hold.json', 'hold.json'],
      ['merged.json', 'parked.json', 'hold.json', 'connected-after-hold.json'],
      ['hold.json', 'merged.json', 'connected-after-hold.json', 'parked.json', 'merged.json'],
    ];

    it('hold ↔ connected is decided by Dialpad’s time: any order and any repetition give the same row', async () => {
      const finals: Record<string, unknown>[] = [];
      for (const order of ORDERS) {
        const callId = freshId();
        let last = '';
        for (const name of order) last = (await deliver(fixtureWith(name, { call_id: callId }))).event_id;
        await processed(last);
        const { rows } = await db.query(
          `SELECT status, position, position_at, connected_at, queued_at, contact_name, master_call_id, entry_point_call_id
             FROM calls WHERE app_id = $1 AND dialpad_call_id = $2`,
          [app.id, callId],
        );
        const latest = [...new Set(order)].sort((a, b) => LEG.indexOf(b) - LEG.indexOf(a))[0]!;
        const status = { 'hold.json': 'on_hold', 'connected-after-hold.json': 'connected', 'parked.json': 'parked', 'merged.json': 'connected' }[latest];
        expect(rows[0]).toMatchObject({ status, contact_name: 'Dana Caller', master_call_id: '6547300912087040', entry_point_call_id: '6547300912087040' });
        finals.push({ set: [...new Set(order)].sort().join(), row: rows[0] });
      }
      // the same set of events, whatever the order and repetitions: the same row
      const bySet = new Map<string, unknown>();
      for (const f of finals) {
        if (bySet.has(f.set as string)) expect(f.row).toEqual(bySet.get(f.set as string));
        else bySet.set(f.set as string, f.row);
      }
    });

    it('the messages follow the call in order: on_hold, then connected again, then ended', async () => {
      const callId = freshId();
      const steps = [
        ['hold.json', 'call.hold', 'on_hold'],
        ['connected-after-hold.json', 'call.connected', 'connected'],
        ['parked.json', 'call.parked', 'parked'],
      ] as const;
      for (const [name, event, status] of steps) {
        // parked now: the call is in progress, so /api/calls/active lists it
        const json = fixtureWith(name, name === 'parked.json' ? { call_id: callId, event_timestamp: Date.now() } : { call_id: callId });
        const m = await messageOf(river, (await deliver(json)).event_id);
        expect(m).toMatchObject({ event, status, user_id: RIVER, target_crm_user: RIVER_CRM });
      }
      const active = await api('/api/calls/active');
      expect((active.body as { items: Json[] }).items.find((c) => c.dialpad_call_id === callId)).toMatchObject({ status: 'parked' });
      const onlyParked = await api('/api/calls?status=parked&limit=200');
      expect((onlyParked.body as { items: Json[] }).items.map((c) => c.dialpad_call_id)).toContain(callId);
      const ended = await messageOf(
        all,
        (await deliver(fixtureWith('hold.json', { call_id: callId, state: 'hangup', event_timestamp: Date.now() + 1000, date_ended: Date.now() }))).event_id,
      );
      expect(ended).toMatchObject({ event: 'call.ended', status: 'ended' });
    });

    it('a redelivered event is a duplicate and changes nothing', async () => {
      const callId = freshId();
      const json = fixtureWith('hold.json', { call_id: callId });
      const first = await deliver(json);
      await messageOf(all, first.event_id);
      const before = await callDto(callId);
      const again = await deliver(json);
      expect(again).toMatchObject({ duplicate: true, event_id: first.event_id });
      expect(await callDto(callId)).toEqual(before);
    });

    it('an unknown state is stored, processed, counted, and changes nothing', async () => {
      const callId = freshId();
      const { event_id, dialpad_event_id } = await deliver(fixtureWith('inbound-connected.json', { call_id: callId, state: 'teleport' }));
      expect(dialpad_event_id).toBe(`${callId}:teleport:1731700006600`);
      await processed(event_id);
      const { rows } = await db.query(`SELECT event_type, last_error FROM webhook_events WHERE id = $1`, [event_id]);
      expect(rows).toEqual([{ event_type: 'call.teleport', last_error: null }]);
      expect((await api(`/api/calls/${callId}`)).status).toBe(404);
      await new Promise((r) => setTimeout(r, 150));
      expect(all.events().some((m) => m.event_id === event_id)).toBe(false);
      const metrics = await request(t.baseUrl).get('/metrics');
      expect(metrics.text).toMatch(/cti_dialpad_unknown_states_total\{[^}]*state="teleport"[^}]*\} 1\b/);
    });
  });

  describe('SMS', () => {
    it('sms.received and sms.sent: stored, listed by /api/sms, pushed with the contact and the Dialpad user', async () => {
      const inId = freshId();
      const outId = freshId();
      const received = await deliver(loadFixture('sms-received.json').replaceAll('5362913218412544', inId));
      const sent = await deliver(loadFixture('sms-sent.json').replaceAll('5362913499430912', outId));
      const contact = { id: '6131436978913281', name: 'Sam Caller', email: null, phone: '+14155550123', type: null };
      expect(await messageOf(all, received.event_id)).toMatchObject({
        event: 'sms.received',
        sms_id: inId,
        direction: 'inbound',
        from_number: '+14155550123',
        to_numbers: ['+15105550142'],
        text: 'Hi River, is the quote from yesterday still valid?',
        user_id: RIVER,
        target_crm_user: RIVER_CRM,
        contact,
        target: { id: RIVER, type: 'user', name: 'River Example', phone: '+15105550142' },
        timestamp: '2024-11-17T10:40:00.000Z',
      });
      // sent from the call centre's line by River: the sender is the user, the same filters apply
      expect(await messageOf(river, sent.event_id)).toMatchObject({ event: 'sms.sent', sms_id: outId, user_id: RIVER, sender_id: RIVER, message_status: 'pending', contact });
      await messageOf(riverCrm, sent.event_id);

      const list = await api('/api/sms?limit=200');
      expect(list.status).toBe(200);
      const items = (list.body as { items: Json[] }).items;
      expect(items.find((i) => i.dialpad_sms_id === inId)).toMatchObject({
        direction: 'inbound',
        text: 'Hi River, is the quote from yesterday still valid?',
        dialpad_user_id: RIVER,
        crm_user_id: RIVER_CRM,
        contact,
        target: { id: RIVER, type: 'user' },
        sent_at: '2024-11-17T10:40:00.000Z',
      });
      expect(items.find((i) => i.dialpad_sms_id === outId)).toMatchObject({ direction: 'outbound', message_status: 'pending', sender_id: RIVER, target: { type: 'callcenter' } });
    });

    it('a delivery-status event updates the message; any order gives the same row', async () => {
      const rows: Json[] = [];
      for (const order of [
        ['sms-sent.json', 'sms-sent-delivered.json'],
        ['sms-sent-delivered.json', 'sms-sent.json', 'sms-sent-delivered.json'],
      ]) {
        const id = freshId();
        let last = '';
        for (const name of order) last = (await deliver(loadFixture(name).replaceAll('5362913499430912', id))).event_id;
        await processed(last);
        const list = await api(`/api/sms?direction=outbound&dialpad_user_id=${RIVER}&limit=200`);
        const { id: _uuid, dialpad_sms_id: _id, created_at: _c, updated_at: _u, ...row } = (list.body as { items: Json[] }).items.find((i) => i.dialpad_sms_id === id)!;
        expect(row).toMatchObject({ message_status: 'success', delivery_result: 'accepted' });
        rows.push(row);
      }
      expect(rows[1]).toEqual(rows[0]);
    });

    it('pages with next_cursor and refuses a bad cursor or filter', async () => {
      for (let i = 0; i < 3; i++) await processed((await deliver(loadFixture('sms-received.json').replaceAll('5362913218412544', freshId()))).event_id);
      const first = await api('/api/sms?limit=2');
      const page1 = first.body as { items: Json[]; next_cursor: string };
      expect(page1.items).toHaveLength(2);
      const second = await api(`/api/sms?limit=2&cursor=${page1.next_cursor}`);
      const page2 = second.body as { items: Json[] };
      expect(page2.items.length).toBeGreaterThan(0);
      expect(page2.items.map((i) => i.id)).not.toContain(page1.items[0]!.id);
      expect((await api('/api/sms?cursor=nope')).status).toBe(400);
      expect((await api('/api/sms?direction=sideways')).status).toBe(400);
      expect((await request(t.baseUrl).get('/api/sms')).status).toBe(401);
    });
  });

  describe('agent status', () => {
    const STATUSES = ['available', 'occupied', 'wrapup', 'busy', 'unavailable'] as const;

    it('each status is pushed; GET /api/agents/status shows the latest, whatever the arrival order', async () => {
      const order = ['unavailable', 'available', 'busy', 'occupied', 'wrapup', 'available'] as const;
      const seen: Json[] = [];
      for (const s of order) {
        const { event_id, duplicate } = await deliver(loadFixture(`agent-status-${s}.json`));
        if (duplicate) continue; // the second 'available' is a redelivery
        seen.push(await messageOf(river, event_id));
      }
      expect(seen.map((m) => m.on_duty_status).sort()).toEqual([...STATUSES].sort());
      expect(seen.find((m) => m.on_duty_status === 'occupied')).toMatchObject({
        event: 'agent.status',
        user_id: RIVER,
        target_crm_user: RIVER_CRM,
        availability_status: 'unavailable',
        call_center_ids: ['5814237162618880', '6214545667777792'],
        agent: { name: 'River Example', email: 'river.example@example.com', phone: '+15105550142' },
      });
      const res = await api('/api/agents/status');
      expect(res.status).toBe(200);
      expect((res.body as { items: Json[] }).items).toEqual([
        {
          dialpad_user_id: RIVER,
          crm_user_id: RIVER_CRM,
          name: 'River Example',
          email: 'river.example@example.com',
          phone: '+15105550142',
          on_duty_status: 'unavailable',
          availability_status: 'unavailable',
          on_duty_status_reason: 'Lunch',
          call_center_ids: [],
          powerdialer_mode: false,
          powerdialer_session: null,
          status_changed_at: '2024-11-17T07:58:20.000Z',
          event_at: '2024-11-17T07:58:20.090Z',
          updated_at: expect.any(String),
        },
      ]);
      expect((await api(`/api/agents/status?dialpad_user_id=${RIVER}`)).body).toMatchObject({ items: [{ dialpad_user_id: RIVER }] });
      expect((await api('/api/agents/status?crm_user_id=nobody')).body).toEqual({ items: [], next_cursor: null });
      expect((await api('/api/agents/status?cursor=%%%')).status).toBe(400);
    });
  });

  describe('contact events', () => {
    it('contact.created, contact.updated, contact.deleted: stored and pushed to unfiltered sockets', async () => {
      for (const word of ['created', 'updated', 'deleted']) {
        const { event_id, dialpad_event_id } = await deliver(loadFixture(`contact-${word}.json`));
        expect(dialpad_event_id).toMatch(new RegExp(`^contact:5908860123456789:${word}:[0-9a-f]{32}$`));
        expect(await messageOf(all, event_id)).toMatchObject({
          event: `contact.${word}`,
          user_id: null,
          contact: { id: '5908860123456789', name: 'Sam Caller', email: 'sam.caller@example.com', phone: '+14155550123', type: 'shared' },
          company_name: 'Acme Example',
        });
        const { rows } = await db.query(`SELECT event_type, dialpad_call_id FROM webhook_events WHERE id = $1`, [event_id]);
        expect(rows).toEqual([{ event_type: `contact.${word}`, dialpad_call_id: null }]);
      }
      await new Promise((r) => setTimeout(r, 150));
      expect(river.events().some((m) => String(m.event).startsWith('contact.'))).toBe(false);
    });

    it('a second update of the same contact is a new event; the same bytes again are a duplicate', async () => {
      const changed = loadFixture('contact-updated.json').replace('"Head of Purchasing"', '"CEO"');
      const first = await deliver(changed);
      expect(first.duplicate).toBe(false);
      expect((await deliver(changed)).duplicate).toBe(true);
    });
  });

  it('nothing failed or was dead-lettered', async () => {
    const { rows } = await db.query(`SELECT id, event_type, last_error FROM webhook_events WHERE app_id = $1 AND (attempts > 0 OR dead_at IS NOT NULL)`, [app.id]);
    expect(rows).toEqual([]);
  });
});
