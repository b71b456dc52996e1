import pg from 'pg';
import type { Response } from 'supertest';
import {
  AGENT_BOOK,
  AgentClient,
  agentTab,
  agentToken,
  type DialBody,
  type DialerWorld,
  type DispositionBody,
  FINAL_HEADER,
  lead,
  LEADS_GID,
  LEADS_TAB,
  phone,
  ROUTER_BOOK,
  routerRows,
  startDialerWorld,
} from '../support/dialer-harness.js';
import { errorText, expectErrorShape, UUID_V4 } from '../support/http-expect.js';
import { columnOf, leadCells } from '../support/sheets-fixtures.js';
import type { TestWsClient } from '../support/ws-client.js';

const EMAIL = 'ada.agent@example.com';
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const PURPLE = '#8E7CC3';

const LEADS = [
  lead('L1', 'Ada', [phone(1), phone(2), phone(3)], { Company: 'Acme' }),
  lead('L2', 'Bob', [phone(4), phone(5)], { Company: 'Beta' }),
  lead('L3', 'Cy', [phone(6)]),
  lead('L4', 'Dee', [phone(7)]),
  lead('L5', 'Eve', [phone(8), phone(9)]),
  lead('L6', 'Fay', [phone(10)]),
];

/** A whole shift (docs/architecture.md, "Dial to next dial"; issue 7 "Done when"): every step against the fake Dialpad and fake Sheets servers. */
describe('Dialer: a whole shift against fake Dialpad and fake Sheets (e2e)', () => {
  let w: DialerWorld;
  let agent: AgentClient;
  let ws: TestWsClient;
  let pool: pg.Pool;

  beforeAll(async () => {
    // Dialpad's own 429 is tested here; our limiter of 5 initiations a minute in dialer-auth
    w = await startDialerWorld({ env: { DIALPAD_CALLS_PER_USER_PER_MINUTE: '100' } });
    pool = new pg.Pool({ connectionString: w.t.db.url, max: 2 });
    w.sheets.setSheet(ROUTER_BOOK, 'Router', routerRows([{ email: EMAIL, dialpadUserId: w.dialpad.users[0]!.id }]));
    w.sheets.setSheet(AGENT_BOOK, LEADS_TAB, agentTab(LEADS), { sheetId: LEADS_GID });
    agent = new AgentClient(w.t.baseUrl, await agentToken(w.t, w.app, EMAIL), w.flushed);
    ws = await agent.socket();
  });
  afterAll(async () => {
    ws?.close();
    await pool?.end();
    await w?.close();
  });

  const showDispo = (attemptId: string) => ws.waitFor((m) => m.event === 'SHOW_DISPO' && m.attempt_id === attemptId);
  const dialed = (res: Response, rowId: string): DialBody & { attempt_id: string } => {
    expect({ status: res.status, body: res.body as unknown }).toMatchObject({ status: 200, body: { row_id: rowId } });
    return res.body as DialBody & { attempt_id: string };
  };
  const disposed = (res: Response): DispositionBody => {
    expect({ status: res.status, text: res.status === 200 ? '' : res.text }).toEqual({ status: 200, text: '' });
    return res.body as DispositionBody;
  };
  const cell = (rowId: string, column: string) => leadCells(w.sheets.cells(AGENT_BOOK, LEADS_TAB), rowId)[column];

  it('start → dial → webhooks → SHOW_DISPO → the six dispositions with chained dials → pause → resume → stop; the sheet ends as SPEC §9 says', async () => {
    // --- start: PLAY, a new session
    const started = await agent.start();
    expect(started.status).toBe(200);
    expect(started.body).toMatchObject({ recovered: false, session: { state: 'PLAY', agent_email: EMAIL, spreadsheet_id: AGENT_BOOK, tab_id: String(LEADS_GID), campaign_name: 'Spring' } });
    expect(started.body.session.id).toMatch(UUID_V4);
    // the dialer added LastCalledAt to the header
    expect(w.sheets.cells(AGENT_BOOK, LEADS_TAB)[0]).toEqual(FINAL_HEADER);

    // --- 1. L1 Num1, unanswered → NO_ANSWER (5)
    w.dialpad.callScenario = 'unanswered';
    const first = dialed(await agent.dial(), 'L1');
    expect(first).toEqual({ attempt_id: expect.stringMatching(UUID_V4), row_id: 'L1', name: 'Ada', number_index: 1, phone: `+1${phone(1)}`, dialpad_call_id: expect.stringMatching(/^\d+$/) });
    expect(cell('L1', 'Status1')).toBe('IN_PROGRESS');
    // Dialpad got custom_data = attempt id, for the agent's Dialpad user
    expect(w.dialpad.calls.at(-1)).toMatchObject({ call_id: first.dialpad_call_id, custom_data: first.attempt_id, user_id: w.dialpad.users[0]!.id, phone_number: `+1${phone(1)}` });
    // a second dial while this attempt waits for its disposition → 409
    const busy = await agent.dial();
    expectErrorShape(busy, 409);
    expect(errorText(busy)).toContain(first.attempt_id);
    expect(await showDispo(first.attempt_id)).toMatchObject({ row_id: 'L1', number_index: 1, phone: `+1${phone(1)}`, dialpad_call_id: first.dialpad_call_id, connected: false });

    w.dialpad.callScenario = 'answered';
    const d1 = disposed(await agent.disposition({ attempt_id: first.attempt_id, code: 5 }));
    expect(d1).toMatchObject({ attempt_id: first.attempt_id, code: 'NO_ANSWER', sheet: 'queued' });
    // L1 waits 60 min (retry delay): the chained dial is L2
    const second = dialed({ status: 200, body: d1.next } as Response, 'L2');
    expect(second).toMatchObject({ number_index: 1, phone: `+1${phone(4)}` });
    expect(await showDispo(second.attempt_id)).toMatchObject({ row_id: 'L2', connected: true, talk_time_ms: 1000 });

    // --- 2. L2 → CORRECT (1, by name), with notes: its other number SKIPPED in purple
    const d2 = disposed(await agent.disposition({ attempt_id: second.attempt_id, code: 'CORRECT', notes: 'call back Tuesday' }));
    expect(d2.code).toBe('CORRECT');
    const third = dialed({ status: 200, body: d2.next } as Response, 'L3');
    await showDispo(third.attempt_id);

    // --- 3. L3 → WRONG (2, as text)
    w.dialpad.callScenario = 'unanswered';
    const d3 = disposed(await agent.disposition({ attempt_id: third.attempt_id, code: '2' }));
    expect(d3.code).toBe('WRONG');
    const fourth = dialed({ status: 200, body: d3.next } as Response, 'L4');
    await showDispo(fourth.attempt_id);

    // --- 4. L4 → VM_SAME_NAME (3)
    const d4 = disposed(await agent.disposition({ attempt_id: fourth.attempt_id, code: 3 }));
    expect(d4.code).toBe('VM_SAME_NAME');
    const fifth = dialed({ status: 200, body: d4.next } as Response, 'L5');
    await showDispo(fifth.attempt_id);

    // --- pause: the call's disposition is taken, but nothing is chained; dial is refused while paused
    const paused = await agent.pause();
    expect(paused.status).toBe(200);
    expect(paused.body).toMatchObject({ state: 'PAUSE', current_attempt_id: fifth.attempt_id });
    const d5 = disposed(await agent.disposition({ attempt_id: fifth.attempt_id, code: 'vm_or_na_unknown' }));
    expect(d5).toMatchObject({ code: 'VM_OR_NA_UNKNOWN', next: null });
    const notPlaying = await agent.dial();
    expectErrorShape(notPlaying, 409);
    expect(errorText(notPlaying)).toMatch(/PAUSE/);
    expect(w.dialpad.calls).toHaveLength(5);

    // --- resume; Dialpad rate limits the next call: 429 + Retry-After, the number back to NEW, the lead not held
    expect((await agent.resume()).body).toMatchObject({ state: 'PLAY' });
    w.dialpad.callScenario = 'answered';
    w.dialpad.setFailure('call', 'rate_limited', { times: 1, retryAfterSeconds: 30 });
    const limited = await agent.dial();
    expectErrorShape(limited, 429);
    expect(limited.headers['retry-after']).toBe('30');
    expect(cell('L6', 'Status1')).toBe('NEW');
    const sixth = dialed(await agent.dial(), 'L6');
    expect(sixth.number_index).toBe(1);
    await showDispo(sixth.attempt_id);

    // --- 6. L6 → SKIP (6): nothing is left to dial now, so the chained answer says why
    const d6 = disposed(await agent.disposition({ attempt_id: sixth.attempt_id, code: 6 }));
    expect(d6.code).toBe('SKIP');
    expect(d6.next).toMatchObject({ attempt: null, attempt_id: null, reason: expect.stringMatching(/RETRY_PENDING/) });
    const nothing = await agent.dial();
    expect(nothing.status).toBe(200);
    expect(nothing.body).toMatchObject({ attempt: null, reason: expect.stringMatching(/^no lead can be dialed now: 3 RETRY_PENDING, 3 done$/) });

    // --- stats: on GET /session/current and on the agent's socket
    const current = await agent.current();
    expect(current.status).toBe(200);
    expect(current.body.stats).toMatchObject({
      dials: 6,
      connects: 3,
      talk_time_ms: 3000,
      dispositions: { NO_ANSWER: 1, CORRECT: 1, WRONG: 1, VM_SAME_NAME: 1, VM_OR_NA_UNKNOWN: 1, SKIP: 1 },
    });
    expect(ws.messages.some((m) => m.event === 'STATS' && (m.stats as { dials: number }).dials === 6)).toBe(true);

    // --- stop: the session ends
    const stopped = await agent.stop();
    expect(stopped.body).toMatchObject({ state: 'STOPPED', current_attempt_id: null });
    expectErrorShape(await agent.current(), 404);
    expectErrorShape(await agent.dial(), 404);

    // --- SHOW_DISPO exactly once per placed call
    const shown = ws.messages.filter((m) => m.event === 'SHOW_DISPO').map((m) => m.attempt_id);
    expect(shown.sort()).toEqual([first, second, third, fourth, fifth, sixth].map((a) => a.attempt_id).sort());

    // --- the sheet, cell by cell (docs/architecture.md, "Dispositions")
    const grid = w.sheets.cells(AGENT_BOOK, LEADS_TAB);
    expect(grid[0]).toEqual(FINAL_HEADER);
    const base = (i: number) => Object.fromEntries(FINAL_HEADER.map((h) => [h, String(LEADS[i]![h] ?? '')]));
    const after = (i: number, changes: Record<string, unknown>) => ({ ...base(i), LastCalledAt: expect.stringMatching(ISO), AttemptCount: '1', ...changes });
    expect(leadCells(grid, 'L1')).toEqual(after(0, { Status1: 'NO_ANSWER', LastOutcome: 'NO_ANSWER', NextIndex: '2' }));
    expect(leadCells(grid, 'L2')).toEqual(
      after(1, { Status1: 'CORRECT', Status2: 'SKIPPED', LastOutcome: 'CORRECT', Notes: expect.stringMatching(/^\[\d{4}-\d\d-\d\d \d\d:\d\d UTC\] Num1 CORRECT: call back Tuesday$/) }),
    );
    expect(leadCells(grid, 'L3')).toEqual(after(2, { Status1: 'WRONG', LastOutcome: 'WRONG' }));
    expect(leadCells(grid, 'L4')).toEqual(after(3, { Status1: 'VOICEMAIL', LastOutcome: 'VM_SAME_NAME', NextIndex: '1' }));
    expect(leadCells(grid, 'L5')).toEqual(after(4, { Status1: 'VOICEMAIL', LastOutcome: 'VM_OR_NA_UNKNOWN', NextIndex: '2' }));
    expect(leadCells(grid, 'L6')).toEqual(after(5, { Status1: 'SKIPPED', LastOutcome: 'SKIP' }));
    // only CORRECT's sibling is coloured
    expect(w.sheets.colours(AGENT_BOOK, LEADS_TAB)).toEqual({ [`${columnOf(FINAL_HEADER, 'Status2')}3`]: PURPLE });

    // --- the durable history
    const attempts = await pool.query(
      `SELECT row_id, number_index, phone, status, disposition, notes, dialpad_call_id, connected_at IS NOT NULL AS connected, ended_at IS NOT NULL AS ended, error
         FROM dialer_attempts WHERE app_id = $1 ORDER BY dialed_at`,
      [w.app.id],
    );
    const done = (row_id: string, disposition: string, connected: boolean, call: string, notes: string | null = null) => ({
      row_id, number_index: 1, status: 'dispositioned', disposition, notes, dialpad_call_id: call, connected, ended: true, error: null, phone: expect.stringMatching(/^\+1\d{10}$/),
    });
    expect(attempts.rows).toEqual([
      done('L1', 'NO_ANSWER', false, first.dialpad_call_id!),
      done('L2', 'CORRECT', true, second.dialpad_call_id!, 'call back Tuesday'),
      done('L3', 'WRONG', true, third.dialpad_call_id!),
      done('L4', 'VM_SAME_NAME', false, fourth.dialpad_call_id!),
      done('L5', 'VM_OR_NA_UNKNOWN', false, fifth.dialpad_call_id!),
      { row_id: 'L6', number_index: 1, phone: `+1${phone(10)}`, status: 'failed', disposition: null, notes: null, dialpad_call_id: null, connected: false, ended: false, error: expect.stringMatching(/rate limit/i) },
      done('L6', 'SKIP', true, sixth.dialpad_call_id!),
    ]);

    // --- counters in /metrics
    const metrics = await (await fetch(`${w.t.baseUrl}/metrics`)).text();
    expect(metrics).toMatch(/cti_dialer_dials_total\{result="placed"[^}]*\} 6\n/);
    expect(metrics).toMatch(/cti_dialer_dials_total\{result="failed"[^}]*\} 1\n/);
    for (const code of ['CORRECT', 'WRONG', 'VM_SAME_NAME', 'VM_OR_NA_UNKNOWN', 'NO_ANSWER', 'SKIP']) {
      expect(metrics).toMatch(new RegExp(`cti_dialer_dispositions_total\\{code="${code}"[^}]*\\} 1\\n`));
    }
  });
});
