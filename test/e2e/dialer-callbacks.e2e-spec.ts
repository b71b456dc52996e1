import request from 'supertest';
import {
  AGENT_BOOK,
  AgentClient,
  agentTab,
  agentToken,
  type DialBody,
  type DialerWorld,
  lead,
  LEADS_GID,
  LEADS_TAB,
  phone,
  ROUTER_BOOK,
  routerRows,
  startDialerWorld,
} from '../support/dialer-harness.js';
import { errorText, expectErrorShape } from '../support/http-expect.js';
import { leadCells } from '../support/sheets-fixtures.js';
import type { TestWsClient } from '../support/ws-client.js';

const EMAIL = 'carl.callbacks@example.com';

/** Scheduled callbacks (issue 16): a lead who says "call me at 3" is dialed first when 3 o'clock comes. */
describe('Dialer: scheduled callbacks (e2e)', () => {
  let w: DialerWorld;
  let agent: AgentClient;
  let ws: TestWsClient;

  beforeAll(async () => {
    w = await startDialerWorld({ env: { DIALPAD_CALLS_PER_USER_PER_MINUTE: '100' } });
    w.sheets.setSheet(ROUTER_BOOK, 'Router', routerRows([{ email: EMAIL, dialpadUserId: w.dialpad.users[0]!.id }]));
    w.sheets.setSheet(
      AGENT_BOOK,
      LEADS_TAB,
      agentTab([lead('K1', 'Kim', [phone(1)], { Timezone: 'America/Chicago' }), lead('K2', 'Lou', [phone(2)]), lead('K3', 'Max', [phone(3)]), lead('K4', 'Ned', [phone(4)])]),
      { sheetId: LEADS_GID },
    );
    agent = new AgentClient(w.t.baseUrl, await agentToken(w.t, w.app, EMAIL), w.flushed);
    ws = await agent.socket();
  });
  afterAll(async () => {
    ws?.close();
    await w?.close();
  });

  const ended = (attemptId: string) => ws.waitFor((m) => m.event === 'SHOW_DISPO' && m.attempt_id === attemptId);
  const callbacks = () => request(w.t.baseUrl).get('/api/callbacks').set('Authorization', `Bearer ${agent.token}`);

  it('a callback for "in 2 s" is dialed before any other lead once due; listed in the lead\'s local time; editable and cancellable', async () => {
    expect((await agent.start()).status).toBe(200);
    const first = (await agent.dial()).body as DialBody & { attempt_id: string };
    expect(first.row_id).toBe('K1');
    await ended(first.attempt_id);

    // bad times refuse the disposition before anything is written
    for (const bad of ['2020-01-01T10:00', 'tomorrow', '2026-13-40T99:00']) {
      const refused = await agent.disposition({ attempt_id: first.attempt_id, code: 1, callback_at: bad });
      expectErrorShape(refused, 400);
      expect(errorText(refused)).toContain('callback_at');
    }
    expect(leadCells(w.sheets.cells(AGENT_BOOK, LEADS_TAB), 'K1').Status1).toBe('IN_PROGRESS');

    const due = new Date(Date.now() + 2000).toISOString();
    const dispo = await agent.disposition({ attempt_id: first.attempt_id, code: 5, callback_at: due });
    expect(dispo.status).toBe(200);
    expect(dispo.body.callback).toMatchObject({ row_id: 'K1', lead_name: 'Kim', phone: `+1${phone(1)}`, time_zone: 'America/Chicago', status: 'pending', only_me: false });
    // shown in the lead's own time: Chicago's offset
    expect(dispo.body.callback.due_local).toMatch(/-0[56]:00$/);
    // not due yet: the chained dial is the next lead
    const second = dispo.body.next as DialBody & { attempt_id: string };
    expect(second.row_id).toBe('K2');
    const listed = await callbacks();
    expect(listed.body).toEqual([expect.objectContaining({ row_id: 'K1', missed: false })]);

    await ended(second.attempt_id);
    await new Promise((r) => setTimeout(r, 2100));
    // due now: K1 (whose retry delay still runs) jumps ahead of K3
    const third = await agent.disposition({ attempt_id: second.attempt_id, code: 5 });
    expect(third.body.next).toMatchObject({ row_id: 'K1', callback_id: dispo.body.callback.id });
    expect((await callbacks()).body).toEqual([]);
    const thirdAttempt = third.body.next as DialBody & { attempt_id: string };
    await ended(thirdAttempt.attempt_id);

    // schedule another, move it, make it mine only, cancel it
    const day = (ahead: number) => new Date(Date.now() + ahead * 24 * 3600_000).toISOString().slice(0, 10);
    const again = await agent.disposition({ attempt_id: thirdAttempt.attempt_id, code: 5, callback_at: `${day(60)}T15:00`, callback_only_me: true });
    expect(again.body.callback).toMatchObject({ only_me: true, due_local: expect.stringMatching(new RegExp(`^${day(60)}T15:00:00-0[56]:00$`)) });
    const id = again.body.callback.id as string;
    const moved = await request(w.t.baseUrl).patch(`/api/callbacks/${id}`).set('Authorization', `Bearer ${agent.token}`).send({ due_at: `${day(61)}T09:30` });
    expect(moved.body.due_local).toMatch(new RegExp(`^${day(61)}T09:30:00-0[56]:00$`));
    // the instant is 09:30 in Chicago: 14:30 or 15:30 UTC
    expect(moved.body.due_at).toMatch(new RegExp(`^${day(61)}T1[45]:30:00.000Z$`));
    expectErrorShape(await request(w.t.baseUrl).patch(`/api/callbacks/${id}`).set('Authorization', `Bearer ${agent.token}`).send({ due_at: 'soon' }), 400);
    const stranger = new AgentClient(w.t.baseUrl, await agentToken(w.t, w.app, 'someone.else@example.com'), w.flushed);
    expectErrorShape(await request(w.t.baseUrl).delete(`/api/callbacks/${id}`).set('Authorization', `Bearer ${stranger.token}`), 404);
    const admin = await request(w.t.baseUrl).get(`/internal/apps/${w.app.id}/callbacks`).set('Authorization', `Bearer ${w.t.adminToken}`);
    expect((admin.body as { id: string }[]).map((c) => c.id)).toContain(id);
    const cancelled = await request(w.t.baseUrl).delete(`/api/callbacks/${id}`).set('Authorization', `Bearer ${agent.token}`);
    expect(cancelled.body).toMatchObject({ id, status: 'cancelled' });
    expectErrorShape(await request(w.t.baseUrl).delete(`/api/callbacks/${id}`).set('Authorization', `Bearer ${agent.token}`), 409);
  });
});
