import pg from 'pg';
import request from 'supertest';
import {
  AGENT_BOOK,
  AgentClient,
  agentTab,
  agentToken,
  ALL_HOURS_POLICY,
  type DialBody,
  type DialerWorld,
  lead,
  LEADS_GID,
  LEADS_TAB,
  phone,
  putDialerConfig,
  ROUTER_BOOK,
  routerRows,
  startDialerWorld,
} from '../support/dialer-harness.js';
import { errorText, expectErrorShape } from '../support/http-expect.js';
import { leadCells } from '../support/sheets-fixtures.js';
import type { TestWsClient } from '../support/ws-client.js';

const EMAIL = 'cora.compliance@example.com';
const e164 = (n: number) => `+1${phone(n)}`;

/** What a call center needs before it may dial (issue 16): do-not-call, pause reasons, history and reports. */
describe('Dialer compliance: do-not-call, pause reasons, history (e2e)', () => {
  let w: DialerWorld;
  let agent: AgentClient;
  let ws: TestWsClient;
  let pool: pg.Pool;
  const admin = () => `Bearer ${w.t.adminToken}`;
  const dnc = (path = '') => `/internal/apps/${w.app.id}/dnc${path}`;

  beforeAll(async () => {
    w = await startDialerWorld({ env: { DIALPAD_CALLS_PER_USER_PER_MINUTE: '100' } });
    pool = new pg.Pool({ connectionString: w.t.db.url, max: 2 });
    w.sheets.setSheet(ROUTER_BOOK, 'Router', routerRows([{ email: EMAIL, dialpadUserId: w.dialpad.users[0]!.id }]));
    w.sheets.setSheet(
      AGENT_BOOK,
      LEADS_TAB,
      agentTab([lead('C1', 'Ann', [phone(1), phone(2)]), lead('C2', 'Ben', [phone(3)]), lead('C3', 'Cat', [phone(4)]), lead('C4', 'Dan', [phone(5)])]),
      { sheetId: LEADS_GID },
    );
    const config = await putDialerConfig(w.t, w.app.id, { router_spreadsheet_id: ROUTER_BOOK, policy: ALL_HOURS_POLICY, pause_reasons: ['Break', 'Lunch', 'Training'] });
    expect(config.status).toBe(200);
    agent = new AgentClient(w.t.baseUrl, await agentToken(w.t, w.app, EMAIL), w.flushed);
    ws = await agent.socket();
  });
  afterAll(async () => {
    ws?.close();
    await pool?.end();
    await w?.close();
  });

  const placed = (body: unknown): DialBody & { attempt_id: string } => {
    expect(body).toMatchObject({ attempt_id: expect.any(String) });
    return body as DialBody & { attempt_id: string };
  };
  const ended = (attemptId: string) => ws.waitFor((m) => m.event === 'SHOW_DISPO' && m.attempt_id === attemptId);

  it('the list: add (national or E.164, normalised), import CSV with invalid lines reported, list, remove; bad input is a 400', async () => {
    const added = await request(w.t.baseUrl).post(dnc()).set('Authorization', admin()).send({ phone: `(212) 555-0199`, reason: 'asked on the call' });
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({ phone: '+12125550199', reason: 'asked on the call', added_by: expect.any(String) });
    const imported = await request(w.t.baseUrl)
      .post(dnc('/import'))
      .set('Authorization', admin())
      .send({ csv: 'name,phone\nX,+1 312 555 0198\nY,not a number\nZ,212-555-0199\n', reason: 'state list' });
    expect(imported.status).toBe(200);
    expect(imported.body).toEqual({ added: 1, already_listed: 1, invalid: [{ line: 3, value: 'not a number' }], invalid_count: 1 });
    const list = await request(w.t.baseUrl).get(dnc()).set('Authorization', admin());
    expect(list.body.total).toBe(2);
    expect((list.body.items as { phone: string }[]).map((i) => i.phone).sort()).toEqual(['+12125550199', '+13125550198']);
    const removed = await request(w.t.baseUrl).delete(dnc('/%2B13125550198')).set('Authorization', admin());
    expect(removed.body).toEqual({ phone: '+13125550198', removed: true });
    expectErrorShape(await request(w.t.baseUrl).delete(dnc('/%2B13125550198')).set('Authorization', admin()), 404);
    for (const bad of [{ phone: '12' }, { phone: 'call me' }, {}, { phone: '+12125550100', region: 'usa' }]) {
      expectErrorShape(await request(w.t.baseUrl).post(dnc()).set('Authorization', admin()).send(bad), 400);
    }
    expectErrorShape(await request(w.t.baseUrl).post(dnc()).send({ phone: '+12125550100' }), 401);
    // another (unknown) app's routes answer 404, the agent routes need a token, a malformed body is a 400
    const stranger = `/internal/apps/${'00000000-0000-4000-8000-000000000000'}`;
    for (const path of ['/dnc', '/attempts', '/attempts/summary?group_by=agent', '/callbacks']) {
      expectErrorShape(await request(w.t.baseUrl).get(`${stranger}${path}`).set('Authorization', admin()), 404);
    }
    expectErrorShape(await request(w.t.baseUrl).get('/api/callbacks'), 401);
    expectErrorShape(await request(w.t.baseUrl).post(dnc('/import')).set('Authorization', admin()).set('content-type', 'application/json').send('{"csv":'), 400);
    await request(w.t.baseUrl).delete(dnc('/%2B12125550199')).set('Authorization', admin()).expect(200);
  });

  it('a number on the list is never dialed; one added behind the node\'s back a moment before the dial is caught before the call', async () => {
    expect((await agent.start()).status).toBe(200);
    // C1 Num1 via the API (every node's set is dropped): the policy passes it over, C1 Num2 is dialed
    await request(w.t.baseUrl).post(dnc()).set('Authorization', admin()).send({ phone: e164(1) }).expect(201);
    const firstDial = await agent.dial();
    const first = placed(firstDial.body);
    expect(first).toMatchObject({ row_id: 'C1', number_index: 2, phone: e164(2) });
    await ended(first.attempt_id);
    // now the race: the next pick would be C2 (phone 3); it is listed straight in PostgreSQL, as another node
    // would whose change notice has not arrived here yet — this node's in-memory set does not know it
    await pool.query(`INSERT INTO dnc_numbers (app_id, phone, added_by) VALUES ($1, $2, 'another node')`, [w.app.id, e164(3)]);
    const callsBefore = w.dialpad.calls.length;
    const dispo = await agent.disposition({ attempt_id: first.attempt_id, code: 5 });
    expect(dispo.status).toBe(200);
    const next = placed(dispo.body.next);
    expect(next.row_id).toBe('C3');
    expect(w.dialpad.calls.slice(callsBefore).map((c) => c.phone_number)).toEqual([e164(4)]);
    expect(w.dialpad.calls.some((c) => c.phone_number === e164(3) || c.phone_number === e164(1))).toBe(false);
    // the sheet still offers C2: it was never marked IN_PROGRESS
    expect(leadCells(w.sheets.cells(AGENT_BOOK, LEADS_TAB), 'C2').Status1).not.toBe('IN_PROGRESS');
    await ended(next.attempt_id);
    // hotkey 7: "do not call" — the sheet says DNC and the number joins the list
    const seventh = await agent.disposition({ attempt_id: next.attempt_id, code: 7 });
    expect(seventh.body).toMatchObject({ code: 'DNC', sheet: 'queued' });
    expect(leadCells(w.sheets.cells(AGENT_BOOK, LEADS_TAB), 'C3').Status1).toBe('DNC');
    const listed = await request(w.t.baseUrl).get(dnc()).query({ phone: phone(4) }).set('Authorization', admin());
    expect(listed.body.items).toEqual([expect.objectContaining({ phone: e164(4), added_by: `agent:${EMAIL}` })]);
    const last = placed(seventh.body.next);
    expect(last.row_id).toBe('C4');
    await ended(last.attempt_id);
  });

  it('pause with a reason from the app\'s list, resume; GET /session/current and the report show the pause', async () => {
    const current = (await agent.current()).body as { current_attempt: { attempt_id: string } | null; pause_reasons: string[] };
    const open = current.current_attempt!;
    // the console's pause menu: the app's reasons, on the agent's token (start answers them too)
    expect(current.pause_reasons).toEqual(['Break', 'Lunch', 'Training']);
    expect((await agent.start()).body).toMatchObject({ recovered: true, session: { pause_reasons: ['Break', 'Lunch', 'Training'] } });
    const refused = await request(w.t.baseUrl).post('/session/pause').set('Authorization', `Bearer ${agent.token}`).send({ reason: 'Nap' });
    expectErrorShape(refused, 400);
    expect(errorText(refused)).toContain('Break, Lunch, Training');
    const paused = await request(w.t.baseUrl).post('/session/pause').set('Authorization', `Bearer ${agent.token}`).send({ reason: 'lunch' });
    expect(paused.status).toBe(200);
    expect(paused.body).toMatchObject({ state: 'PAUSE', pause: { reason: 'Lunch', since: expect.any(String) } });
    // paused: the disposition chains no dial
    const dispo = await agent.disposition({ attempt_id: open.attempt_id, code: 5 });
    expect(dispo.body).toMatchObject({ next: null });
    await new Promise((r) => setTimeout(r, 300));
    const resumed = await agent.resume();
    expect(resumed.body).toMatchObject({ state: 'PLAY', pause: null, pause_time_ms: { Lunch: expect.any(Number) } });
    expect(resumed.body.pause_time_ms.Lunch).toBeGreaterThanOrEqual(250);
    const summary = await request(w.t.baseUrl).get(`/internal/apps/${w.app.id}/attempts/summary`).query({ group_by: 'agent' }).set('Authorization', admin());
    expect(summary.status).toBe(200);
    expect(summary.body.rows).toEqual([
      expect.objectContaining({ key: EMAIL, dials: 3, dispositions: { NO_ANSWER: 2, DNC: 1 }, pause_time_ms: { Lunch: expect.any(Number) } }),
    ]);
    const byCampaign = await request(w.t.baseUrl).get(`/internal/apps/${w.app.id}/attempts/summary`).query({ group_by: 'campaign' }).set('Authorization', admin());
    expect(byCampaign.body.rows).toEqual([expect.objectContaining({ key: 'Spring', dials: 3 })]);
  });

  it('history: filters and cursor pages; a CSV export of 10,000 attempts streams in pages', async () => {
    const history = (q: Record<string, string | number>) => request(w.t.baseUrl).get(`/internal/apps/${w.app.id}/attempts`).query(q).set('Authorization', admin());
    const dnc7 = await history({ outcome: 'DNC' });
    expect(dnc7.body.items).toEqual([expect.objectContaining({ row_id: 'C3', phone: e164(4), disposition: 'DNC', campaign_name: 'Spring', agent_email: EMAIL })]);
    const p1 = await history({ limit: 2 });
    const p2 = await history({ limit: 2, cursor: p1.body.next_cursor as string });
    expect([...p1.body.items, ...p2.body.items].map((i: { id: string }) => i.id)).toHaveLength(3);
    expect(p2.body.next_cursor).toBeNull();
    const bads: Record<string, string | number>[] = [{ from: 'yesterday' }, { phone: '212' }, { cursor: 'nope' }, { limit: 0 }, { format: 'xml' }, { from: '2026-02-01T00:00:00Z', to: '2026-01-01T00:00:00Z' }];
    for (const bad of bads) {
      expectErrorShape(await history(bad), 400);
    }

    await pool.query(
      `INSERT INTO dialer_attempts (id, app_id, session_id, agent_email, spreadsheet_id, tab_id, row_id, number_index, phone, status, disposition, campaign_name, dialed_at)
       SELECT gen_random_uuid(), $1, gen_random_uuid(), 'bulk@example.com', 'book', '1', 'B' || i, 1, '+12125550100', 'dispositioned', 'NO_ANSWER', 'Bulk',
              now() - (i || ' seconds')::interval
         FROM generate_series(1, 10000) AS i`,
      [w.app.id],
    );
    const chunks: number[] = [];
    const csv = await history({ format: 'csv', campaign: 'Bulk' })
      .buffer(true)
      .parse((res, done) => {
        let text = '';
        res.on('data', (c: Buffer) => {
          chunks.push(c.length);
          text += c.toString('utf8');
        });
        res.on('end', () => done(null, text));
      });
    expect(csv.status).toBe(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    const lines = (csv.body as string).trimEnd().split('\n');
    expect(lines[0]).toBe('id,dialed_at,agent_email,campaign_name,row_id,number_index,phone,status,disposition,notes,connected_at,ended_at,talk_time_ms,dialpad_call_id,spreadsheet_id,tab_id');
    expect(lines).toHaveLength(10_001);
    expect(new Set(lines.slice(1).map((l) => l.split(',')[0])).size).toBe(10_000);
    // sent as it was read: many chunks, not one body built in memory
    expect(chunks.length).toBeGreaterThan(5);
  });
});
