import type { Response } from 'supertest';
import { RedisLock } from '../../src/infra/redis/redis-lock.js';
import { Sql } from '../../src/infra/database/sql.js';
import { SheetsGateway } from '../../src/integrations/sheets/sheets.gateway.js';
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
  sameServiceEnv,
  sheetsFlushed,
  startDialerWorld,
} from '../support/dialer-harness.js';
import { expectErrorShape } from '../support/http-expect.js';
import { leadCells } from '../support/sheets-fixtures.js';
import { createTestDatabase, startTestApp, type TestApp, type TestDatabase } from '../support/test-app.js';

const SHARED = { title: 'Shared', gid: 51, leads: 16 };
const SOLO = { title: 'Solo', gid: 52, leads: 10 };
const EDITED = { title: 'Edited', gid: 53, leads: 2 };
const RESTART = { title: 'Restart', gid: 54, leads: 3 };
const TWICE = { title: 'Twice', gid: 55, leads: 3 };

const leadsOf = (prefix: string, count: number, from: number) =>
  Array.from({ length: count }, (_, i) => lead(`${prefix}${i + 1}`, `${prefix} lead ${i + 1}`, [phone(from + i)]));

/** Issue 7's concurrency promises: shared tabs, idempotent and double-clicked dispositions, a restart mid-session. */
describe('Dialer under concurrency (e2e)', () => {
  let db: TestDatabase;
  let w: DialerWorld;
  const agents: Record<string, AgentClient> = {};

  beforeAll(async () => {
    db = await createTestDatabase();
    w = await startDialerWorld({ db, env: { DIALPAD_CALLS_PER_USER_PER_MINUTE: '1000' } });
    const users = w.dialpad.users;
    w.sheets.setSheet(
      ROUTER_BOOK,
      'Router',
      routerRows([
        { email: 'amy@example.com', dialpadUserId: users[0]!.id, tabId: SHARED.gid },
        { email: 'ben@example.com', dialpadUserId: users[1]!.id, tabId: SHARED.gid },
        { email: 'cat@example.com', dialpadUserId: users[2]!.id, tabId: SOLO.gid },
        { email: 'dan@example.com', dialpadUserId: users[0]!.id, tabId: EDITED.title },
        { email: 'eva@example.com', dialpadUserId: users[1]!.id, tabId: RESTART.gid },
        { email: 'fay@example.com', dialpadUserId: users[2]!.id, tabId: TWICE.gid },
      ]),
    );
    w.sheets.setSheet(AGENT_BOOK, SHARED.title, agentTab(leadsOf('S', SHARED.leads, 0)), { sheetId: SHARED.gid });
    w.sheets.setSheet(AGENT_BOOK, SOLO.title, agentTab(leadsOf('C', SOLO.leads, 100)), { sheetId: SOLO.gid });
    w.sheets.setSheet(AGENT_BOOK, EDITED.title, agentTab(leadsOf('E', EDITED.leads, 200)), { sheetId: EDITED.gid });
    w.sheets.setSheet(AGENT_BOOK, RESTART.title, agentTab(leadsOf('R', RESTART.leads, 300)), { sheetId: RESTART.gid });
    w.sheets.setSheet(AGENT_BOOK, TWICE.title, agentTab(leadsOf('T', TWICE.leads, 400)), { sheetId: TWICE.gid });
    for (const name of ['amy', 'ben', 'cat', 'dan', 'eva', 'fay']) {
      agents[name] = new AgentClient(w.t.baseUrl, await agentToken(w.t, w.app, `${name}@example.com`), w.flushed);
      const started = await agents[name].start();
      if (started.status !== 200) throw new Error(`${name}: start answered ${started.status}: ${started.text}`);
    }
  });
  afterAll(async () => {
    await w?.close();
    await db?.drop();
  });

  /** lead writes queued (each lead's cells of one decision: a disposition, an IN_PROGRESS) */
  const queuedWrites = async () => Number((await w.t.app.get(Sql).query<{ n: string }>(`SELECT count(*) AS n FROM sheets_outbox`))[0]!.n);
  /** write requests Google took */
  const googleWrites = () => w.sheets.calls('spreadsheets.batchUpdate', { ok: true }).length + w.sheets.calls('values.batchUpdate', { ok: true }).length;
  const cellsOf = (title: string, rowId: string) => leadCells(w.sheets.cells(AGENT_BOOK, title), rowId);
  const placed = (res: Response): DialBody & { attempt_id: string } => {
    expect({ status: res.status, text: res.status === 200 ? '' : res.text }).toEqual({ status: 200, text: '' });
    expect((res.body as DialBody).attempt_id).toEqual(expect.any(String));
    return res.body as DialBody & { attempt_id: string };
  };

  it('two agents dialing one tab at the same time never get the same lead', async () => {
    const shift = async (agent: AgentClient): Promise<string[]> => {
      const rows: string[] = [];
      let next = (await agent.dial()).body as DialBody;
      while (next.attempt_id) {
        rows.push(next.row_id!);
        const res = await agent.disposition({ attempt_id: next.attempt_id, code: 'WRONG' });
        expect({ status: res.status, text: res.status === 200 ? '' : res.text }).toEqual({ status: 200, text: '' });
        next = (res.body as DispositionBody).next!;
      }
      return rows;
    };
    const [amy, ben] = await Promise.all([shift(agents.amy!), shift(agents.ben!)]);
    // both worked, and between them every lead was dialed exactly once
    expect(amy.length).toBeGreaterThan(0);
    expect(ben.length).toBeGreaterThan(0);
    expect([...amy, ...ben].sort()).toEqual(Array.from({ length: SHARED.leads }, (_, i) => `S${i + 1}`).sort());
    const dialedNumbers = w.dialpad.calls.map((c) => c.phone_number);
    expect(new Set(dialedNumbers).size).toBe(dialedNumbers.length);
    for (let i = 1; i <= SHARED.leads; i++) expect(cellsOf(SHARED.title, `S${i}`)).toMatchObject({ Status1: 'WRONG', AttemptCount: '1' });
  });

  it('a disposition sent twice at once with one Idempotency-Key writes once, dials once, and both answers end up equal', async () => {
    const cat = agents.cat!;
    const first = placed(await cat.dial());
    const writes = await queuedWrites();
    const requests = googleWrites();
    const calls = w.dialpad.calls.length;
    const body = { attempt_id: first.attempt_id, code: 5, notes: 'no pickup' };
    // a slow Google: the second surely arrives while the first is still running
    w.sheets.delay(150);
    let both: Response[];
    try {
      both = await Promise.all([cat.disposition(body, 'dispo-key-1'), cat.disposition(body, 'dispo-key-1')]);
    } finally {
      w.sheets.delay(0);
    }
    expect(both.map((r) => r.status).sort()).toEqual([200, 409]);
    const inFlight = both.find((r) => r.status === 409)!;
    expectErrorShape(inFlight, 409);
    expect(inFlight.body.message).toMatch(/still in progress/);
    // retried, it gets the first one's answer
    const again = await cat.disposition(body, 'dispo-key-1');
    expect(again.status).toBe(200);
    expect(again.headers['idempotent-replayed']).toBe('true');
    const answer = both.find((r) => r.status === 200)!.body as DispositionBody;
    expect(again.body).toEqual(answer);
    expect(answer).toMatchObject({ attempt_id: first.attempt_id, code: 'NO_ANSWER', next: { row_id: 'C2' } });
    // one lead write for the disposition and one for the chained dial's IN_PROGRESS (one or two flushes); one new call
    expect((await queuedWrites()) - writes).toBe(2);
    expect(googleWrites() - requests).toBeGreaterThanOrEqual(1);
    expect(googleWrites() - requests).toBeLessThanOrEqual(2);
    expect(w.dialpad.calls.length - calls).toBe(1);
    expect(cellsOf(SOLO.title, 'C1')).toMatchObject({ Status1: 'NO_ANSWER', AttemptCount: '1', Notes: expect.stringMatching(/Num1 NO_ANSWER: no pickup$/) });

    // later replays: the same answer, nothing written
    const replay = await cat.disposition(body, 'dispo-key-1');
    expect({ status: replay.status, body: replay.body as unknown, replayed: replay.headers['idempotent-replayed'] }).toEqual({ status: 200, body: answer, replayed: 'true' });
    expect((await queuedWrites()) - writes).toBe(2);

    // the same key with another body → 422
    const misuse = await cat.disposition({ ...body, code: 1 }, 'dispo-key-1');
    expectErrorShape(misuse, 422);
  });

  it('a double-clicked disposition without a key: one succeeds, the other gets a clean 409, never two writes or two dials', async () => {
    const cat = agents.cat!;
    const current = (await cat.current()).body as { current_attempt_id: string };
    expect(current.current_attempt_id).toEqual(expect.any(String));
    const writes = await queuedWrites();
    const calls = w.dialpad.calls.length;
    w.sheets.delay(150);
    let both: Response[];
    try {
      both = await Promise.all([cat.disposition({ attempt_id: current.current_attempt_id, code: 2 }), cat.disposition({ attempt_id: current.current_attempt_id, code: 2 })]);
    } finally {
      w.sheets.delay(0);
    }
    expect(both.map((r) => r.status).sort()).toEqual([200, 409]);
    const refused = both.find((r) => r.status === 409)!;
    expectErrorShape(refused, 409);
    expect(refused.body.message).toMatch(/in progress|already has a disposition/);
    expect((await queuedWrites()) - writes).toBe(2);
    expect(w.dialpad.calls.length - calls).toBe(1);
    expect(cellsOf(SOLO.title, 'C2')).toMatchObject({ Status1: 'WRONG', AttemptCount: '1', LastOutcome: 'WRONG' });
    // clicked again later: already has a disposition
    const late = await cat.disposition({ attempt_id: current.current_attempt_id, code: 2 });
    expectErrorShape(late, 409);
    expect(late.body.message).toMatch(/already has a disposition/);
  });

  it('an Idempotency-Key whose request was refused for a busy session runs again when retried (a transient 409 is not replayed)', async () => {
    const cat = agents.cat!;
    const session = (await cat.current()).body as { id: string; current_attempt_id: string };
    const held = await w.t.app.get(RedisLock).tryAcquire(`session:${session.id}`);
    expect(held).not.toBeNull();
    const body = { attempt_id: session.current_attempt_id, code: 'SKIP' };
    let refused: Response;
    try {
      refused = await cat.disposition(body, 'dispo-key-2');
    } finally {
      await held!.release();
    }
    expectErrorShape(refused, 409);
    const retried = await cat.disposition(body, 'dispo-key-2');
    expect({ status: retried.status, replayed: retried.headers['idempotent-replayed'] }).toEqual({ status: 200, replayed: undefined });
    expect(retried.body).toMatchObject({ code: 'SKIP', next: { row_id: 'C4' } });
  });

  it('a double-clicked dial: one call is placed, the other click gets a clean 409', async () => {
    const fay = agents.fay!;
    const calls = w.dialpad.calls.length;
    const both = await Promise.all([fay.dial(), fay.dial()]);
    expect(both.map((r) => r.status).sort()).toEqual([200, 409]);
    expectErrorShape(both.find((r) => r.status === 409)!, 409);
    expect(w.dialpad.calls.length - calls).toBe(1);
    const rows = [1, 2, 3].map((i) => cellsOf(TWICE.title, `T${i}`).Status1);
    expect(rows).toEqual(['IN_PROGRESS', 'NEW', 'NEW']);
    // and once the first click's call is placed, another click is refused for the attempt waiting
    const later = await fay.dial();
    expectErrorShape(later, 409);
    expect(later.body.message).toMatch(/waiting for its disposition/);
  });

  it('a number a person marked in the sheet is not dialed once the cached read is refreshed (SHEETS_CACHE_TTL_SECONDS)', async () => {
    const dan = agents.dan!;
    // a person marks E1's number WRONG after the session read the tab
    w.sheets.editRows(AGENT_BOOK, EDITED.title, (rows) => rows.map((r, i) => (i === 1 ? r.map((v, c) => (c === 4 ? 'WRONG' : v)) : r)));
    expect(cellsOf(EDITED.title, 'E1').Status1).toBe('WRONG');
    w.t.app.get(SheetsGateway).refresh(); // the cache's time to live ends
    const calls = w.dialpad.calls.length;
    const next = placed(await dan.dial());
    expect(next.row_id).toBe('E2');
    expect(w.dialpad.calls.length - calls).toBe(1);
    expect(cellsOf(EDITED.title, 'E1').Status1).toBe('WRONG');
    expect(cellsOf(EDITED.title, 'E2').Status1).toBe('IN_PROGRESS');
  });

  it('a restart mid-session: the session comes back (recovered) and its pending attempt can still be dispositioned', async () => {
    const eva = agents.eva!;
    const before = (await eva.start()).body as { session: { id: string }; recovered: boolean };
    expect(before.recovered).toBe(true);
    const pending = placed(await eva.dial());
    expect(pending.row_id).toBe('R1');

    // the node goes away; another starts on the same database, Redis prefix and secrets
    const env = sameServiceEnv(w, { DIALPAD_CALLS_PER_USER_PER_MINUTE: '1000' });
    await w.closeApp();
    const t2: TestApp = await startTestApp(env, db);
    try {
      w.dialpad.setWebhookTarget(`${t2.baseUrl}/webhooks/dialpad/${w.app.id}`, w.app.webhook_secret);
      const again = new AgentClient(t2.baseUrl, eva.token, () => sheetsFlushed(t2));
      const recovered = await again.start();
      expect(recovered.status).toBe(200);
      expect(recovered.body).toMatchObject({ recovered: true, session: { id: before.session.id, state: 'PLAY', current_attempt_id: pending.attempt_id } });
      // still exactly one attempt waiting: a dial is refused
      expectErrorShape(await again.dial(), 409);
      const disposed = await again.disposition({ attempt_id: pending.attempt_id, code: 4 });
      expect(disposed.status).toBe(200);
      expect(disposed.body).toMatchObject({ code: 'VM_OR_NA_UNKNOWN', next: { row_id: 'R2' } });
      expect(cellsOf(RESTART.title, 'R1')).toMatchObject({ Status1: 'VOICEMAIL', LastOutcome: 'VM_OR_NA_UNKNOWN', AttemptCount: '1' });
    } finally {
      await t2.close();
    }
  });
});
