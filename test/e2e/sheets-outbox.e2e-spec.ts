import { SheetsOutboxRepository } from '../../src/integrations/sheets/sheets-outbox.repository.js';
import { SheetsOutboxWorker } from '../../src/integrations/sheets/sheets-outbox.worker.js';
import { applyDisposition, resolvePolicy } from '../../src/policy/index.js';
import { FakeSheets } from '../../demo/fakes/fake-sheets.js';
import { type SheetsHarness, startSheetsHarness } from '../support/sheets-harness.js';
import { AGENT_HEADER, agentTab, leadCells, type LeadSpec, PHONES } from '../support/sheets-fixtures.js';
import { waitFor } from '../support/webhooks.js';

const BOOK = 'agent-book-storm';
const GID = 4242;
const ref = { spreadsheetId: BOOK, tab: String(GID) };
const NOW = new Date('2024-11-20T17:00:00.000Z');
const policy = resolvePolicy();
const FAST = {
  SHEETS_RETRY_BASE_DELAY_MS: '5',
  SHEETS_RETRY_MAX_DELAY_MS: '40',
  SHEETS_WRITE_INLINE_RETRIES: '2',
  SHEETS_RETRY_MAX_ATTEMPTS: '3',
  SHEETS_BREAKER_THRESHOLD: '5',
  SHEETS_BREAKER_HALF_OPEN_MS: '60',
  SHEETS_OUTBOX_POLL_INTERVAL_MS: '25',
};

const leads: LeadSpec[] = [
  { RowID: 'A', Name: 'Ada', Num1: PHONES.ny1, Num2: PHONES.ny2, Status1: 'IN_PROGRESS', AttemptCount: 1 },
  { RowID: 'B', Name: 'Bob', Num1: PHONES.chi, Status1: 'IN_PROGRESS', AttemptCount: 0 },
  { RowID: 'C', Name: 'Cy', Num1: PHONES.ny4, Status1: 'IN_PROGRESS', AttemptCount: 4 },
];

const dispose = (code: string, notes?: string) => ({
  changes: (row: Parameters<typeof applyDisposition>[0]['row']) => applyDisposition({ row, numberIndex: 1, code, notes, now: NOW, policy }).changes,
});

describe('Sheets writes survive 429 storms and outages: the durable outbox (medium)', () => {
  let fake: FakeSheets;
  let h: SheetsHarness;

  beforeAll(async () => {
    fake = await FakeSheets.start();
  });
  afterAll(async () => {
    await fake?.close();
  });
  beforeEach(async () => {
    fake.reset();
    fake.setSheet(BOOK, 'Leads', agentTab(leads, [...AGENT_HEADER, 'LastCalledAt']), { sheetId: GID });
    h = await startSheetsHarness({ SHEETS_API_ROOT_URL: fake.url, ...FAST });
    await h.gateway.readAgentSheet(ref);
    fake.clearRequests();
  });
  afterEach(async () => {
    await h?.close();
  });

  const outbox = () => h.module.get(SheetsOutboxRepository);
  const drained = () => waitFor(async () => !(await outbox().hasPending(BOOK)), 10_000);

  it('a 429 storm delays the dispositions but loses none: queued, then written in order', async () => {
    fake.failNext(14, 429);
    const first = await h.gateway.writeLead(h.appId, ref, { rowId: 'A', rowIndex: 2, ...dispose('NO_ANSWER', 'storm 1') });
    expect(first.status).toBe('queued');
    // the cache already shows the disposition, so the dialer's next decision sees it
    const cached = await h.gateway.readAgentSheet(ref);
    expect(cached.rows.find((r) => r.rowId === 'A')!.statuses[0]).toBe('NO_ANSWER');
    // later writes queue behind the first, whatever Google answers now
    const second = await h.gateway.writeLead(h.appId, ref, { rowId: 'B', rowIndex: 3, ...dispose('CORRECT') });
    const third = await h.gateway.writeLead(h.appId, ref, { rowId: 'A', rowIndex: 2, changes: { values: [{ column: 'Notes', value: 'last word' }], formats: [] } });
    expect([second.status, third.status]).toEqual(['queued', 'queued']);

    await drained();
    const grid = fake.cells(BOOK, 'Leads');
    expect(leadCells(grid, 'A')).toMatchObject({ Status1: 'NO_ANSWER', LastOutcome: 'NO_ANSWER', AttemptCount: '2', NextIndex: '2', LastCalledAt: NOW.toISOString(), Notes: 'last word' });
    expect(leadCells(grid, 'B')).toMatchObject({ Status1: 'CORRECT', LastOutcome: 'CORRECT', AttemptCount: '1' });
    expect(leadCells(grid, 'C')).toMatchObject({ Status1: 'IN_PROGRESS', AttemptCount: '4' });

    // the storm was real, and the successful writes came in the order they were made
    expect(fake.requests.filter((r) => r.status === 429).length).toBe(14);
    // every cell set, in the order Google applied them (one or more flushes, each one spreadsheets.batchUpdate)
    const applied = fake.calls('spreadsheets.batchUpdate', { ok: true }).flatMap((r) => updatedCells(r.body));
    expect(fake.calls('values.batchUpdate')).toHaveLength(0);
    const notesOfA = applied.filter((c) => c.row === 2 && c.column === AGENT_HEADER.indexOf('Notes')).map((c) => c.value);
    expect(notesOfA).toEqual([expect.stringMatching(/NO_ANSWER: storm 1$/), 'last word']); // A's note 'storm 1', then A's 'last word'
    expect(await outbox().listForApp(h.appId, { status: 'done' })).toHaveLength(3);
    expect(await outbox().listForApp(h.appId, { status: 'dead' })).toHaveLength(0);
  });

  it('a 500 outage opens the circuit: writes queue at once, reads answer 503, and all lands when Google is back', async () => {
    fake.failNext(1000, 500);
    const t0 = Date.now();
    const results = [];
    for (let i = 0; i < 4; i++) results.push(await h.gateway.writeLead(h.appId, ref, { rowId: 'C', rowIndex: 4, changes: { values: [{ column: 'Notes', value: `try ${i}` }], formats: [] } }));
    expect(results.map((r) => r.status)).toEqual(['queued', 'queued', 'queued', 'queued']);
    await expect(h.gateway.readAgentSheet(ref, { refresh: true })).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    expect(Date.now() - t0).toBeLessThan(5000);
    // the breaker keeps most calls from reaching Google while open
    await new Promise((r) => setTimeout(r, 300));
    const attemptsWhileDown = fake.requests.length;
    expect(attemptsWhileDown).toBeLessThan(40);

    fake.reset();
    fake.setSheet(BOOK, 'Leads', agentTab(leads, [...AGENT_HEADER, 'LastCalledAt']), { sheetId: GID });
    await drained();
    expect(leadCells(fake.cells(BOOK, 'Leads'), 'C').Notes).toBe('try 3');
    // the four writes waited in the queue and went in as few requests as the flush interval allowed
    const flushes = fake.calls('spreadsheets.batchUpdate', { ok: true });
    expect(flushes.length).toBeGreaterThanOrEqual(1);
    expect(flushes.length).toBeLessThanOrEqual(4);
    expect(flushes.flatMap((r) => updatedCells(r.body)).map((c) => c.value)).toEqual(expect.arrayContaining(['try 3']));
    expect(await outbox().listForApp(h.appId, { status: 'done' })).toHaveLength(4);
  });

  it('a queued write whose lead was deleted meanwhile is kept as dead and does not block the writes behind it', async () => {
    // someone deletes Bob's row while Google is failing (our cache still has him)
    fake.editRows(BOOK, 'Leads', (rows) => rows.filter((r) => r[AGENT_HEADER.indexOf('RowID')] !== 'B'));
    fake.failNext(3, 503);
    expect((await h.gateway.writeLead(h.appId, ref, { rowId: 'B', rowIndex: 3, ...dispose('WRONG') })).status).toBe('queued');
    expect((await h.gateway.writeLead(h.appId, ref, { rowId: 'A', rowIndex: 2, ...dispose('WRONG') })).status).toBe('queued');
    await drained();
    const dead = await outbox().listForApp(h.appId, { status: 'dead' });
    expect(dead.map((d) => [d.rowId, d.lastError])).toEqual([['B', 'Lead B is no longer in agent sheet "Leads" (spreadsheet agent-book-storm)']]);
    expect(leadCells(fake.cells(BOOK, 'Leads'), 'A')).toMatchObject({ Status1: 'WRONG', AttemptCount: '2' });
  });

  it('a queued write the sheet refuses (a column renamed) waits for a person to fix the sheet, then lands', async () => {
    // the flush reads the tab first, as it does once the positions are older than SHEETS_ROW_POSITIONS_MAX_AGE_MS
    // (within it, this write's cells are where they were, so it lands; the header's echo makes the tab read again)
    await h.close();
    h = await startSheetsHarness({ SHEETS_API_ROOT_URL: fake.url, ...FAST, SHEETS_ROW_POSITIONS_MAX_AGE_MS: '0' });
    await h.gateway.readAgentSheet(ref);
    const header = [...AGENT_HEADER, 'LastCalledAt'];
    const num1 = header.indexOf('Num1');
    fake.failNext(3, 503);
    expect((await h.gateway.writeLead(h.appId, ref, { rowId: 'A', rowIndex: 2, ...dispose('NO_ANSWER') })).status).toBe('queued');
    fake.editRows(BOOK, 'Leads', (rows) => {
      rows[0]![num1] = 'Phone 1';
      return rows;
    });
    const waiting = await waitFor(async () => (await outbox().listForApp(h.appId)).find((e) => e.lastError?.includes('is missing column Num1')), 5000);
    expect(waiting.status).toBe('pending');
    fake.editRows(BOOK, 'Leads', (rows) => {
      rows[0]![num1] = 'Num1';
      return rows;
    });
    await drained();
    expect(leadCells(fake.cells(BOOK, 'Leads'), 'A')).toMatchObject({ Status1: 'NO_ANSWER', AttemptCount: '2' });
    expect(await outbox().listForApp(h.appId, { status: 'dead' })).toEqual([]);
  });

  it('queued writes survive a restart: another node applies them', async () => {
    await h.close();
    h = await startSheetsHarness({ SHEETS_API_ROOT_URL: fake.url, ...FAST, SHEETS_OUTBOX_ENABLED: 'false' });
    const db = h.db;
    fake.failNext(3, 429);
    const queued = await h.gateway.writeLeads(h.appId, ref, [
      { rowId: 'A', rowIndex: 2, changes: { values: [{ column: 'Status1', value: 'VOICEMAIL' }], formats: [] } },
      { rowId: 'C', rowIndex: 4, changes: { values: [{ column: 'Status1', value: 'WRONG' }], formats: [] } },
    ]);
    expect(queued.status).toBe('queued');
    await new Promise((r) => setTimeout(r, 200));
    expect(fake.calls('values.batchUpdate')).toHaveLength(0); // no worker on this node
    // this node stops; a node with a worker starts on the same database
    await h.module.close();
    h = await startSheetsHarness({ SHEETS_API_ROOT_URL: fake.url, ...FAST }, db);
    const close = h.close;
    h.close = async () => {
      await close();
      await db.drop();
    };
    await drained();
    expect(leadCells(fake.cells(BOOK, 'Leads'), 'A').Status1).toBe('VOICEMAIL');
    expect(leadCells(fake.cells(BOOK, 'Leads'), 'C').Status1).toBe('WRONG');
    await h.module.get(SheetsOutboxWorker).idle();
  });
});

/** The cells an updateCells-only spreadsheets.batchUpdate body sets, in request order (row 1-based, column 0-based). */
function updatedCells(body: unknown): { row: number; column: number; value: unknown }[] {
  const requests = (body as { requests: { updateCells?: { start: { rowIndex: number; columnIndex: number }; rows: { values: { userEnteredValue: Record<string, unknown> }[] }[] } }[] }).requests;
  return requests
    .filter((r) => r.updateCells)
    .map((r) => {
      const uc = r.updateCells!;
      return { row: uc.start.rowIndex + 1, column: uc.start.columnIndex, value: Object.values(uc.rows[0]!.values[0]!.userEnteredValue)[0] };
    });
}
