import { AGENT_REQUIRED_COLUMNS, AGENT_OPTIONAL_COLUMNS, cellString, mapHeader, toAgentRow } from '../../src/integrations/sheets/sheet-layout.js';
import { applyChanges, applyDisposition, markInProgress, resolvePolicy, type AgentRow, type RowChanges } from '../../src/policy/index.js';
import type { CellValue } from '../../demo/fakes/fake-sheets.js';
import {
  ALL_HOURS_POLICY,
  AgentClient,
  agentTab,
  agentToken,
  type DialBody,
  type DialerWorld,
  type DispositionBody,
  FINAL_HEADER,
  lead,
  phone,
  ROUTER_BOOK,
  routerRows,
  sameServiceEnv,
  sheetsFlushed,
  startDialerWorld,
} from '../support/dialer-harness.js';
import request from 'supertest';
import { columnOf } from '../support/sheets-fixtures.js';
import { Sql } from '../../src/infra/database/sql.js';
import { createTestDatabase, startTestApp, type TestDatabase } from '../support/test-app.js';

/** Google's minute, compressed: the fake and the service both count quotas over this window. */
const WINDOW_MS = 10_000;
const QUOTA = { SHEETS_WRITE_REQUESTS_PER_MINUTE: '60', SHEETS_READ_REQUESTS_PER_MINUTE: '60', SHEETS_QUOTA_WINDOW_MS: String(WINDOW_MS) };
const BOOKS = ['quota-book-1', 'quota-book-2', 'quota-book-3'];
const AGENTS = 20;
const DISPOSITIONS_EACH = 10;
const LEADS_EACH = 14;
const CODES = ['WRONG', 'NO_ANSWER', 'CORRECT', 'VM_SAME_NAME', 'SKIP', 'VM_OR_NA_UNKNOWN', 'WRONG'];
const policy = resolvePolicy(ALL_HOURS_POLICY);

interface Agent {
  n: number;
  email: string;
  book: string;
  gid: number;
  title: string;
  initial: CellValue[][];
  client: AgentClient;
  /** what the agent did, in order: the dials (IN_PROGRESS) and dispositions, as the policy engine applies them */
  steps: ({ kind: 'dial'; rowId: string; numberIndex: number } | { kind: 'disposition'; rowId: string; numberIndex: number; code: string })[];
}

/** The agent tab's rows as the dialer reads them (through the same header mapping). */
function rowsOf(grid: CellValue[][]): AgentRow[] {
  const { layout } = mapHeader((grid[0] ?? []).map(cellString), AGENT_REQUIRED_COLUMNS, AGENT_OPTIONAL_COLUMNS);
  return grid.slice(1).flatMap((cells, i) => toAgentRow(layout, cells, i + 2) ?? []);
}

/** What a row says, LastCalledAt aside (a clock time). */
const comparable = (r: AgentRow) => ({ rowId: r.rowId, statuses: r.statuses, notes: r.notes, lastOutcome: r.lastOutcome, attemptCount: String(r.attemptCount), nextIndex: String(r.nextIndex) });

describe('A whole call center on one Google user: Sheets quotas (e2e, compressed minute)', () => {
  let w: DialerWorld;
  const agents: Agent[] = [];

  beforeAll(async () => {
    // Google's quotas are what this measures: Dialpad's own limits (5 calls a minute per user, 20 requests a second) are lifted
    w = await startDialerWorld({ env: { ...QUOTA, SHEETS_FLUSH_INTERVAL_MS: '100', DIALPAD_CALLS_PER_USER_PER_MINUTE: '1000', DIALPAD_REQUESTS_PER_SECOND: '1000' } });
    const users = w.dialpad.users;
    for (let n = 0; n < AGENTS; n++) {
      const book = BOOKS[n % BOOKS.length]!;
      const gid = 500 + n;
      const leads = Array.from({ length: LEADS_EACH }, (_, i) => lead(`A${n}-L${i + 1}`, `Lead ${n}/${i + 1}`, [phone(1000 + n * 40 + i * 2), phone(1001 + n * 40 + i * 2)]));
      const initial = agentTab(leads, FINAL_HEADER);
      agents.push({ n, email: `agent${n}@example.com`, book, gid, title: `Agent ${n}`, initial, client: undefined as unknown as AgentClient, steps: [] });
    }
    w.sheets.setSheet(ROUTER_BOOK, 'Router', routerRows(agents.map((a) => ({ email: a.email, dialpadUserId: users[a.n % users.length]!.id, spreadsheetId: a.book, tabId: a.gid }))));
    for (const a of agents) w.sheets.setSheet(a.book, a.title, a.initial.map((r) => [...r]), { sheetId: a.gid });
    // from here on, Google's per-user quotas hold: 60 reads and 60 writes per window
    w.sheets.enforceQuota({ readsPerWindow: 60, writesPerWindow: 60, windowMs: WINDOW_MS });
    for (const a of agents) a.client = new AgentClient(w.t.baseUrl, await agentToken(w.t, w.app, a.email)); // answers as soon as the write is queued
  }, 60_000);
  afterAll(async () => {
    await w?.close();
  });

  it('20 agents on 3 spreadsheets, 10 dispositions each with chained dials: every cell as if applied one by one, nothing lost, no 429 seen, no lead dialed twice, within the quota', async () => {
    const started = Date.now();
    const shift = async (a: Agent): Promise<void> => {
      const start = await a.client.start();
      expect({ status: start.status, text: start.status === 200 ? '' : start.text }).toEqual({ status: 200, text: '' });
      let next = (await a.client.dial()).body as DialBody;
      for (let d = 0; d < DISPOSITIONS_EACH; d++) {
        expect(next).toMatchObject({ attempt_id: expect.any(String), row_id: expect.any(String), number_index: expect.any(Number) });
        a.steps.push({ kind: 'dial', rowId: next.row_id!, numberIndex: next.number_index! });
        const code = CODES[(a.n + d) % CODES.length]!;
        const res = await a.client.disposition({ attempt_id: next.attempt_id!, code });
        // answered at once, whatever Google's quota: the chain never breaks on a 429
        expect({ status: res.status, text: res.status === 200 ? '' : res.text }).toEqual({ status: 200, text: '' });
        const body = res.body as DispositionBody & { next_error?: unknown };
        expect(body.next_error).toBeUndefined();
        expect(body.sheet).toBe('queued');
        a.steps.push({ kind: 'disposition', rowId: next.row_id!, numberIndex: next.number_index!, code });
        next = body.next!;
      }
      // the 11th dial is placed: its IN_PROGRESS stays
      a.steps.push({ kind: 'dial', rowId: next.row_id!, numberIndex: next.number_index! });
    };
    await Promise.all(agents.map(shift));
    const answeredMs = Date.now() - started;
    await w.flushed();
    const flushedMs = Date.now() - started;

    // the sheet as if every step had been applied one by one
    for (const a of agents) {
      let rows = rowsOf(a.initial);
      const colours: Record<string, string> = {};
      const apply = (rowId: string, changes: RowChanges) => {
        rows = rows.map((r) => (r.rowId === rowId ? applyChanges(r, changes) : r));
        const row = rows.find((r) => r.rowId === rowId)!;
        for (const f of changes.formats) colours[`${f.column}@${row.rowIndex}`] = f.backgroundColor;
      };
      for (const s of a.steps) {
        const row = rows.find((r) => r.rowId === s.rowId)!;
        if (s.kind === 'dial') apply(s.rowId, markInProgress(row, s.numberIndex).changes);
        else apply(s.rowId, applyDisposition({ row, numberIndex: s.numberIndex, code: s.code, now: new Date(), policy }).changes);
      }
      const grid = w.sheets.cells(a.book, a.title);
      expect(rowsOf(grid).map(comparable)).toEqual(rows.map(comparable));
      const header = grid[0]!.map(cellString);
      const expectedColours = Object.fromEntries(
        Object.entries(colours).map(([key, hex]) => {
          const [column, rowIndex] = key.split('@');
          return [`${columnOf(header, column!)}${rowIndex}`, hex];
        }),
      );
      expect(w.sheets.colours(a.book, a.title)).toEqual(expectedColours);
      // LastCalledAt of every disposed lead is a time of this test
      for (const r of rowsOf(grid).filter((x) => x.attemptCount !== '0' && x.attemptCount !== '')) {
        if (r.lastOutcome) expect(Date.parse(r.lastCalledAt)).toBeGreaterThanOrEqual(started - 1000);
      }
    }

    // no lead number dialed twice, and Dialpad got exactly the calls the agents saw
    const dialed = agents.flatMap((a) => a.steps.filter((s) => s.kind === 'dial').map((s) => `${s.rowId}#${s.numberIndex}`));
    expect(new Set(dialed).size).toBe(dialed.length);
    expect(w.dialpad.calls).toHaveLength(dialed.length);

    // within Google's quota all along (the fake refuses beyond it), and coalesced
    expect(w.sheets.quotaRefusals()).toEqual([]);
    const writes = w.sheets.requests.filter((r) => r.call === 'spreadsheets.batchUpdate' || r.call === 'values.batchUpdate').length;
    const dispositions = AGENTS * DISPOSITIONS_EACH;
    process.stdout.write(
      `sheets-quota: ${dispositions} dispositions answered in ${answeredMs} ms, the sheets written by ${flushedMs} ms, ` +
        `${writes} write requests (${(writes / dispositions).toFixed(2)} per disposition), ${w.sheets.requests.length - writes} reads\n`,
    );
    // within the quota of every window the run spanned (the fake refused nothing beyond it), and coalesced:
    // 400 lead writes (a disposition and an IN_PROGRESS each) in fewer requests than dispositions
    expect(writes).toBeLessThanOrEqual(60 * Math.ceil(flushedMs / WINDOW_MS));
    expect(writes).toBeLessThan(dispositions);
    // the budget and its use on /metrics
    const metrics = await request(w.t.baseUrl).get('/metrics');
    expect(metrics.text).toMatch(/^cti_sheets_quota_limit\{[^}]*kind="write"[^}]*\} 60$/m);
    expect(metrics.text).toMatch(/^cti_sheets_quota_used_total\{[^}]*kind="write"[^}]*\} \d+$/m);
    expect(metrics.text).toMatch(/^cti_sheets_flushes_total\{[^}]*result="written"[^}]*\} \d+$/m);
    const [dead] = await w.t.app.get(Sql).query<{ n: number }>(`SELECT count(*)::int AS n FROM sheets_outbox WHERE dead_at IS NOT NULL OR held`);
    expect(dead!.n).toBe(0);
  }, 120_000);
});

describe('A node that stops after answering, before the flush (e2e)', () => {
  let db: TestDatabase;
  let w: DialerWorld;

  beforeAll(async () => {
    db = await createTestDatabase();
    // this node queues but never flushes: it goes away with the write only in the queue
    w = await startDialerWorld({ db, env: { SHEETS_OUTBOX_ENABLED: 'false', DIALPAD_CALLS_PER_USER_PER_MINUTE: '1000' } });
    w.sheets.setSheet(ROUTER_BOOK, 'Router', routerRows([{ email: 'kim@example.com', dialpadUserId: w.dialpad.users[0]!.id, spreadsheetId: 'crash-book', tabId: 77 }]));
    w.sheets.setSheet('crash-book', 'Kim', agentTab([lead('K1', 'Kay', [phone(1)]), lead('K2', 'Lou', [phone(2)])], FINAL_HEADER), { sheetId: 77 });
  });
  afterAll(async () => {
    await w?.close();
    await db?.drop();
  });

  it('the disposition answered before the node stopped is written after the restart, once', async () => {
    const kim = new AgentClient(w.t.baseUrl, await agentToken(w.t, w.app, 'kim@example.com'));
    expect((await kim.start()).status).toBe(200);
    const first = (await kim.dial()).body as DialBody;
    expect(first.row_id).toBe('K1');
    const disposed = await kim.disposition({ attempt_id: first.attempt_id!, code: 'WRONG' });
    expect(disposed.body).toMatchObject({ sheet: 'queued', next: { row_id: 'K2' } });
    // nothing reached Google: the answer came from the queue
    expect(w.sheets.calls('spreadsheets.batchUpdate')).toHaveLength(0);
    expect(rowsOf(w.sheets.cells('crash-book', 'Kim'))[0]!.statuses[0]).toBe('NEW');

    await w.closeApp();
    const t2 = await startTestApp(sameServiceEnv(w), db);
    try {
      await sheetsFlushed(t2);
      const rows = rowsOf(w.sheets.cells('crash-book', 'Kim'));
      expect(rows.map((r) => [r.rowId, r.statuses[0], r.lastOutcome, String(r.attemptCount)])).toEqual([
        ['K1', 'WRONG', 'WRONG', '1'],
        ['K2', 'IN_PROGRESS', '', ''],
      ]);
      // once: one request carried both writes, and a second pass finds nothing to do
      expect(w.sheets.calls('spreadsheets.batchUpdate', { ok: true })).toHaveLength(1);
      await new Promise((r) => setTimeout(r, 300));
      await sheetsFlushed(t2);
      expect(w.sheets.calls('spreadsheets.batchUpdate')).toHaveLength(1);
    } finally {
      await t2.close();
    }
  });
});
