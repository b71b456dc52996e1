import { DomainError, httpStatusOf } from '../../src/common/errors/domain-error.js';
import { type AppId, asAppId } from '../../src/common/app-id.js';
import { SheetsOutboxRepository } from '../../src/integrations/sheets/sheets-outbox.repository.js';
import { SheetsGateway } from '../../src/integrations/sheets/sheets.gateway.js';
import { applyDisposition, markInProgress, pickNext, resolvePolicy } from '../../src/policy/index.js';
import { FakeSheets } from '../../demo/fakes/fake-sheets.js';
import { AGENT_HEADER, agentTab, columnOf, leadCells, PHONES, ROUTER_HEADER } from '../support/sheets-fixtures.js';
import { MetricsService } from '../../src/infra/metrics/metrics.service.js';
import { type SheetsHarness, startSheetsHarness } from '../support/sheets-harness.js';

const ROUTER_BOOK = 'router-book-1';
const AGENT_BOOK = 'agent-book-1';
const LEADS_GID = 770001;
const NOW = new Date('2024-11-20T17:00:00.000Z'); // noon in New York
const policy = resolvePolicy();

/** Ada's lead: Num1 is dialed; Num2 new; Num3 left a voicemail before; Num4 known wrong. */
const ADA = {
  RowID: 'L-1',
  Name: 'Ada',
  Company: 'Analytical Engines',
  Num1: PHONES.ny1,
  Num2: PHONES.ny2,
  Num3: PHONES.chi,
  Num4: PHONES.ny4,
  Status1: 'NEW',
  Status2: 'NEW',
  Status3: 'VOICEMAIL',
  Status4: 'WRONG',
  AttemptCount: 2,
  NextIndex: 1,
  LastOutcome: 'VM_SAME_NAME',
  Notes: 'met at the expo',
};
const GRACE = { RowID: 'L-2', Name: 'Grace', Num1: '(212) 555-0199', Status1: 'NEW', AttemptCount: 0 };

describe('SheetsGateway against a fake Sheets v4 server (medium: real client, real PostgreSQL)', () => {
  let fake: FakeSheets;
  let h: SheetsHarness;
  let gateway: SheetsGateway;
  let appId: AppId;
  const ref = { spreadsheetId: AGENT_BOOK, tab: String(LEADS_GID) };

  beforeAll(async () => {
    fake = await FakeSheets.start();
    h = await startSheetsHarness({
      SHEETS_API_ROOT_URL: fake.url,
      SHEETS_RETRY_BASE_DELAY_MS: '5',
      SHEETS_RETRY_MAX_DELAY_MS: '40',
      SHEETS_BREAKER_HALF_OPEN_MS: '50',
      SHEETS_OUTBOX_POLL_INTERVAL_MS: '25',
    });
    gateway = h.gateway;
    appId = h.appId;
  });
  afterAll(async () => {
    await h?.close();
    await fake?.close();
  });
  /** A second node on its own database with SHEETS_ROW_POSITIONS_MAX_AGE_MS set, for the length of `fn`. */
  const withNode = async (positionsMaxAgeMs: string, fn: (node: SheetsHarness) => Promise<void>) => {
    const node = await startSheetsHarness({ SHEETS_API_ROOT_URL: fake.url, SHEETS_OUTBOX_POLL_INTERVAL_MS: '25', SHEETS_ROW_POSITIONS_MAX_AGE_MS: positionsMaxAgeMs });
    try {
      await fn(node);
    } finally {
      await node.close();
    }
  };
  beforeEach(async () => {
    await h.flushed();
    // the fake starts over: so does the queue of writes to it
    await h.sql.execute(`DELETE FROM sheets_outbox`);
    fake.reset();
    fake.setSheet(ROUTER_BOOK, 'Router', [
      ROUTER_HEADER,
      ['ada@example.com', '5001', AGENT_BOOK, String(LEADS_GID), 'Q4 renewals', true],
      ['bob@example.com', '5002', AGENT_BOOK, 'Leads', 'Q4 renewals', 'no'],
    ]);
    fake.setSheet(AGENT_BOOK, 'Leads', agentTab([ADA, GRACE]), { sheetId: LEADS_GID, columnCount: 40 });
    gateway.refresh();
    fake.clearRequests();
  });

  it('reads the router and an agent tab with one values.batchGet each, by header name, extra columns kept', async () => {
    const route = await gateway.findRoute(ROUTER_BOOK, 'Router', ' ADA@example.com ');
    expect(route).toEqual({
      rowIndex: 2,
      agentEmail: 'ada@example.com',
      dialpadUserId: '5001',
      spreadsheetId: AGENT_BOOK,
      tabId: String(LEADS_GID),
      campaignName: 'Q4 renewals',
      active: true,
      extra: {},
    });
    expect((await gateway.findRoute(ROUTER_BOOK, 'Router', 'bob@example.com'))?.active).toBe(false);
    expect(await gateway.findRoute(ROUTER_BOOK, 'Router', 'nobody@example.com')).toBeNull();
    expect(fake.calls('values.batchGet')).toHaveLength(1);

    const sheet = await gateway.readAgentSheet({ spreadsheetId: AGENT_BOOK, tab: route!.tabId });
    expect(sheet).toMatchObject({ spreadsheetId: AGENT_BOOK, sheetId: LEADS_GID, title: 'Leads' });
    expect(sheet.rows).toHaveLength(2);
    expect(sheet.rows[0]).toEqual({
      rowIndex: 2,
      rowId: 'L-1',
      name: 'Ada',
      numbers: [PHONES.ny1, PHONES.ny2, PHONES.chi, PHONES.ny4, '', '', '', '', '', ''],
      statuses: ['NEW', 'NEW', 'VOICEMAIL', 'WRONG', '', '', '', '', '', ''],
      notes: 'met at the expo',
      lastOutcome: 'VM_SAME_NAME',
      attemptCount: '2',
      nextIndex: '1',
      lastCalledAt: '',
      timezone: '',
      extra: { Company: 'Analytical Engines' },
    });
    // the agent tab: tab ids from one spreadsheets.get, values from one batchGet
    expect(fake.calls('spreadsheets.get').map((r) => r.spreadsheetId)).toEqual([ROUTER_BOOK, AGENT_BOOK]);
    expect(fake.calls('values.batchGet')).toHaveLength(2);
    expect(fake.calls('values.batchGet')[1]!.query.ranges).toEqual(["'Leads'"]);
    // emulator mode: a root URL and no credentials → no Authorization header
    expect(fake.requests.every((r) => r.authorization === null)).toBe(true);
  });

  it('adds LastCalledAt to a header that lacks it, right after the last header cell', async () => {
    await gateway.readAgentSheet(ref);
    const header = fake.cells(AGENT_BOOK, 'Leads')[0]!;
    expect(header).toEqual([...AGENT_HEADER, 'LastCalledAt']);
    const writes = fake.calls('values.batchUpdate');
    expect(writes).toHaveLength(1);
    expect(writes[0]!.body).toEqual({ valueInputOption: 'RAW', data: [{ range: `'Leads'!${columnOf([...AGENT_HEADER, 'LastCalledAt'], 'LastCalledAt')}1`, values: [['LastCalledAt']] }] });
    // present already: nothing written
    gateway.refresh();
    fake.clearRequests();
    await gateway.readAgentSheet(ref);
    expect(fake.calls('values.batchUpdate')).toHaveLength(0);
  });

  it('grows a tab that is full to the last column before adding LastCalledAt', async () => {
    fake.setSheet(AGENT_BOOK, 'Leads', agentTab([ADA]), { sheetId: LEADS_GID, columnCount: AGENT_HEADER.length });
    await gateway.readAgentSheet(ref);
    expect(fake.calls('spreadsheets.batchUpdate')[0]!.body).toEqual({ requests: [{ appendDimension: { sheetId: LEADS_GID, dimension: 'COLUMNS', length: 1 } }] });
    expect(fake.cells(AGENT_BOOK, 'Leads')[0]!.at(-1)).toBe('LastCalledAt');
  });

  it('TabId is the numeric sheetId, a title is accepted too, and the cache answers until refreshed', async () => {
    const byId = await gateway.readAgentSheet(ref);
    fake.clearRequests();
    const byTitle = await gateway.readAgentSheet({ spreadsheetId: AGENT_BOOK, tab: 'leads' });
    expect(byTitle).toBe(byId);
    expect(fake.requests).toHaveLength(0);
    const fresh = await gateway.readAgentSheet(ref, { refresh: true });
    expect(fresh).not.toBe(byId);
    expect(fake.calls('values.batchGet')).toHaveLength(1);
  });

  it('finds a tab renamed since it was cached by its sheetId', async () => {
    await gateway.readAgentSheet(ref);
    fake.renameSheet(AGENT_BOOK, 'Leads', 'Leads (old)');
    const sheet = await gateway.readAgentSheet(ref, { refresh: true });
    expect(sheet.title).toBe('Leads (old)');
    expect(sheet.rows.map((r) => r.rowId)).toEqual(['L-1', 'L-2']);
  });

  it('refuses a header missing Num1 with a 400 naming it', async () => {
    fake.setSheet(AGENT_BOOK, 'Leads', agentTab([ADA], AGENT_HEADER.filter((h) => h !== 'Num1' && h !== 'Status7')), { sheetId: LEADS_GID });
    const err = await gateway.readAgentSheet(ref).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DomainError);
    expect((err as DomainError).message).toMatch(/^Agent sheet "Leads" \(spreadsheet agent-book-1\) is missing columns Num1, Status7; expected columns/);
    expect(httpStatusOf((err as DomainError).code)).toBe(400);
    expect((err as DomainError).details).toEqual({ missing: ['Num1', 'Status7'], duplicates: [] });
  });

  it('refuses a router tab without Active, and answers 404 for a tab or spreadsheet that is not there', async () => {
    fake.setSheet(ROUTER_BOOK, 'Router', [ROUTER_HEADER.slice(0, 5), ['ada@example.com', '1', 'x', '1', 'c']]);
    await expect(gateway.readRouter(ROUTER_BOOK)).rejects.toThrow(/Router sheet "Router" \(spreadsheet router-book-1\) is missing column Active/);
    await expect(gateway.readAgentSheet({ spreadsheetId: AGENT_BOOK, tab: 'Nope' })).rejects.toMatchObject({ code: 'NOT_FOUND', message: expect.stringContaining('Tab "Nope" is not in spreadsheet agent-book-1 (tabs: Leads [770001])') });
    await expect(gateway.readAgentSheet({ spreadsheetId: 'missing-book', tab: 0 })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  describe('the six dispositions write exactly what SPEC §9 says', () => {
    const header = [...AGENT_HEADER, 'LastCalledAt'];
    const cellOf = (name: string) => `${columnOf(header, name)}2`;
    const iso = NOW.toISOString();

    it.each([
      ['CORRECT', { Status1: 'CORRECT', Status2: 'SKIPPED', Status3: 'SKIPPED', LastOutcome: 'CORRECT', AttemptCount: '3', LastCalledAt: iso }, ['Status2', 'Status3']],
      ['WRONG', { Status1: 'WRONG', LastOutcome: 'WRONG', AttemptCount: '3', NextIndex: '2', LastCalledAt: iso }, []],
      ['VM_SAME_NAME', { Status1: 'VOICEMAIL', AttemptCount: '3', NextIndex: '2', LastCalledAt: iso }, []],
      ['VM_OR_NA_UNKNOWN', { Status1: 'VOICEMAIL', LastOutcome: 'VM_OR_NA_UNKNOWN', AttemptCount: '3', NextIndex: '2', LastCalledAt: iso }, []],
      ['NO_ANSWER', { Status1: 'NO_ANSWER', LastOutcome: 'NO_ANSWER', AttemptCount: '3', NextIndex: '2', LastCalledAt: iso }, []],
      ['SKIP', { Status1: 'SKIPPED', LastOutcome: 'SKIP', AttemptCount: '3', NextIndex: '2', LastCalledAt: iso }, []],
    ])('%s', async (code, changed, coloured) => {
      // read, pick, mark in progress: the flow of a dial
      const sheet = await gateway.readAgentSheet(ref);
      const { pick } = pickNext({ readyState: 'PLAY', rows: sheet.rows, policy, now: NOW });
      expect(pick).toMatchObject({ rowId: 'L-1', numberIndex: 1, phone: '+12125550101' });
      const row = sheet.rows.find((r) => r.rowId === pick!.rowId)!;
      await gateway.writeLead(appId, ref, { rowId: row.rowId, rowIndex: row.rowIndex, changes: markInProgress(row, 1).changes });
      await h.flushed();
      expect(fake.cell(AGENT_BOOK, 'Leads', cellOf('Status1'))).toBe('IN_PROGRESS');
      const before = leadCells(fake.cells(AGENT_BOOK, 'Leads'), 'L-1');
      const graceBefore = leadCells(fake.cells(AGENT_BOOK, 'Leads'), 'L-2');
      fake.clearRequests();

      // the disposition, computed on the row as the dialer sees it (the sheet with every queued write on top)
      const result = await gateway.writeLead(appId, ref, {
        rowId: 'L-1',
        rowIndex: 2,
        changes: (current) => applyDisposition({ row: current, numberIndex: 1, code, now: NOW, policy }).changes,
      });
      expect(result.status).toBe('queued');
      expect(result.outboxIds).toHaveLength(1);
      // the next decision sees it at once, with no request to Google
      const cached = await gateway.readAgentSheet(ref);
      expect(cached.rows[0]!.statuses[0]).toBe(changed.Status1);
      await h.flushed();

      const after = leadCells(fake.cells(AGENT_BOOK, 'Leads'), 'L-1');
      expect(after).toEqual({ ...before, ...changed });
      expect(leadCells(fake.cells(AGENT_BOOK, 'Leads'), 'L-2')).toEqual(graceBefore);
      expect(fake.colours(AGENT_BOOK, 'Leads')).toEqual(Object.fromEntries(coloured.map((c) => [cellOf(c), '#8E7CC3'])));

      // the flush: ONE write of values and colours, L-1 found in the positions the last write's echo confirmed (no read);
      // the write asks Google to echo the header row and the RowID column, which showed every cell where it was meant to be
      expect(fake.requests.map((r) => r.call)).toEqual(['spreadsheets.batchUpdate']);
      const write = fake.calls('spreadsheets.batchUpdate')[0]!.body as {
        requests: { updateCells?: { start: { sheetId: number; rowIndex: number; columnIndex: number }; fields: string }; repeatCell?: { range: { sheetId: number }; fields: string } }[];
        includeSpreadsheetInResponse: boolean;
        responseRanges: string[];
      };
      expect([write.includeSpreadsheetInResponse, write.responseRanges]).toEqual([true, ["'Leads'!1:1", `'Leads'!${columnOf(header, 'RowID')}2:${columnOf(header, 'RowID')}`]]);
      expect(fake.calls('spreadsheets.batchUpdate')[0]!.query.fields).toEqual([expect.stringMatching(/^updatedSpreadsheet\.sheets\(/)]);
      const cells = write.requests.filter((r) => r.updateCells).map((r) => r.updateCells!);
      expect(cells.map((c) => `${columnOf(header, header[c.start.columnIndex]!)}${c.start.rowIndex + 1}`).sort()).toEqual(Object.keys(changed).map(cellOf).sort());
      for (const c of cells) expect([c.start.sheetId, c.fields]).toEqual([LEADS_GID, 'userEnteredValue']);
      const formats = write.requests.filter((r) => r.repeatCell).map((r) => r.repeatCell!);
      expect(formats).toHaveLength(coloured.length);
      for (const f of formats) expect([f.range.sheetId, f.fields]).toEqual([LEADS_GID, 'userEnteredFormat.backgroundColor']);
    });
  });

  it('notes are appended to what the sheet holds once the cached read is refreshed, not to a stale copy', async () => {
    await gateway.readAgentSheet(ref);
    fake.editRows(AGENT_BOOK, 'Leads', (rows) => {
      rows[1]![AGENT_HEADER.indexOf('Notes')] = 'met at the expo; prefers mornings';
      return rows;
    });
    gateway.refresh(); // what SHEETS_CACHE_TTL_SECONDS does
    await gateway.writeLead(appId, ref, {
      rowId: 'L-1',
      changes: (current) => applyDisposition({ row: current, numberIndex: 2, code: 'NO_ANSWER', notes: 'no pickup', now: NOW, policy }).changes,
    });
    await h.flushed();
    expect(leadCells(fake.cells(AGENT_BOOK, 'Leads'), 'L-1').Notes).toBe('met at the expo; prefers mornings\n[2024-11-20 17:00 UTC] Num2 NO_ANSWER: no pickup');
  });

  it('read before every flush (SHEETS_ROW_POSITIONS_MAX_AGE_MS=0): rows sorted and a lead inserted between read and write, the write lands on the right RowID', async () => {
    await withNode('0', rowsSortedBeforeTheFlush);
  });

  const rowsSortedBeforeTheFlush = async ({ gateway, appId, flushed }: SheetsHarness) => {
    const sheet = await gateway.readAgentSheet(ref);
    const ada = sheet.rows.find((r) => r.rowId === 'L-1')!;
    expect(ada.rowIndex).toBe(2);
    // someone sorts by name descending and inserts a row at the top
    fake.editRows(AGENT_BOOK, 'Leads', (rows) => [rows[0]!, AGENT_HEADER.map((h) => (h === 'RowID' ? 'L-9' : h === 'Name' ? 'Zed' : '')), rows[2]!, rows[1]!]);
    fake.clearRequests();
    await gateway.writeLead(appId, ref, { rowId: 'L-1', rowIndex: ada.rowIndex, changes: applyDisposition({ row: ada, numberIndex: 1, code: 'WRONG', now: NOW, policy }).changes });
    await flushed();
    const grid = fake.cells(AGENT_BOOK, 'Leads');
    expect(leadCells(grid, 'L-1')).toMatchObject({ Status1: 'WRONG', LastOutcome: 'WRONG', AttemptCount: '3', Name: 'Ada' });
    expect(leadCells(grid, 'L-2')).toMatchObject({ Status1: 'NEW', LastOutcome: '', AttemptCount: '0', Name: 'Grace' });
    expect(leadCells(grid, 'L-9')).toMatchObject({ Status1: '', LastOutcome: '' });
    // one read of the tab (L-1 found in row 4), one write
    expect(fake.requests.map((r) => r.call)).toEqual(['values.batchGet', 'spreadsheets.batchUpdate']);
    // and the cache learnt the new positions
    expect((await gateway.readAgentSheet(ref)).rows.map((r) => `${r.rowId}@${r.rowIndex}`)).toEqual(['L-9@2', 'L-2@3', 'L-1@4']);
  };

  it('a lead deleted after the read: its write lands on the lead that moved up, which is put back; the write is kept as dead with the reason; once read, NOT_FOUND at once', async () => {
    await gateway.readAgentSheet(ref);
    const grace = leadCells(fake.cells(AGENT_BOOK, 'Leads'), 'L-2');
    expect(grace.Status1).toBe('NEW');
    fake.editRows(AGENT_BOOK, 'Leads', (rows) => [rows[0]!, rows[2]!]);
    fake.clearRequests();
    const queued = await gateway.writeLead(appId, ref, { rowId: 'L-1', rowIndex: 2, changes: { values: [{ column: 'Status1', value: 'WRONG' }], formats: [] } });
    await h.flushed();
    const [dead] = await h.sql.query<{ dead_at: Date | null; last_error: string }>(`SELECT dead_at, last_error FROM sheets_outbox WHERE id = $1`, [queued.outboxIds[0]]);
    expect(dead!.dead_at).not.toBeNull();
    expect(dead!.last_error).toBe('Lead L-1 is no longer in agent sheet "Leads" (spreadsheet agent-book-1)');
    // the copy's positions were recent: the write went to row 2, Google's echo showed L-2 there; L-2 got its Status1 back
    expect(fake.requests.map((r) => r.call)).toEqual(['spreadsheets.batchUpdate', 'values.batchGet', 'spreadsheets.batchUpdate']);
    expect(leadCells(fake.cells(AGENT_BOOK, 'Leads'), 'L-2')).toEqual(grace);

    // the flush re-read the tab: the dialer knows L-1 is gone
    await expect(gateway.writeLead(appId, ref, { rowId: 'L-1', rowIndex: 2, changes: { values: [{ column: 'Status1', value: 'WRONG' }], formats: [] } })).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: 'Lead L-1 is no longer in agent sheet "Leads" (spreadsheet agent-book-1)',
    });
  });

  it('a RowID present twice is a CONFLICT, and nothing is queued', async () => {
    fake.editRows(AGENT_BOOK, 'Leads', (rows) => [...rows, [...rows[2]!]]);
    await expect(gateway.writeLead(appId, ref, { rowId: 'L-2', rowIndex: 3, changes: { values: [{ column: 'Status1', value: 'WRONG' }], formats: [] } })).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(await gateway.pendingWrites(AGENT_BOOK)).toBe(false);
    expect(fake.calls('spreadsheets.batchUpdate')).toHaveLength(0);
  });

  it('writes only cells that change; nothing to change means nothing queued and no request', async () => {
    const sheet = await gateway.readAgentSheet(ref);
    fake.clearRequests();
    const same = { values: [{ column: 'Status1' as const, value: 'NEW' }, { column: 'AttemptCount' as const, value: 2 }], formats: [] };
    const result = await gateway.writeLead(appId, ref, { rowId: 'L-1', rowIndex: sheet.rows[0]!.rowIndex, changes: same });
    expect(result.leads[0]!.changes.values).toEqual([]);
    expect(result.outboxIds).toEqual([]);
    await h.flushed();
    expect(fake.requests).toEqual([]);
  });

  it('several leads, and writes of several calls: one read and one write per flush', async () => {
    await gateway.readAgentSheet(ref);
    fake.clearRequests();
    const result = await gateway.writeLeads(appId, ref, [
      { rowId: 'L-1', changes: { values: [{ column: 'Status1', value: 'WRONG' }], formats: [] } },
      { rowId: 'L-2', changes: { values: [{ column: 'Status1', value: 'SKIPPED' }], formats: [{ column: 'Status1', backgroundColor: '#8E7CC3' }] } },
    ]);
    await gateway.writeLead(appId, ref, { rowId: 'L-1', changes: { values: [{ column: 'Notes', value: 'second call' }], formats: [] } });
    expect(result.leads.map((l) => l.rowIndex)).toEqual([2, 3]);
    await h.flushed();
    const calls = fake.requests.map((r) => r.call);
    // the first write may be flushed alone before the others are queued: never more than two flushes
    expect(calls.filter((c) => c === 'spreadsheets.batchUpdate').length).toBeLessThanOrEqual(2);
    expect(calls.filter((c) => c !== 'spreadsheets.batchUpdate' && c !== 'values.batchGet')).toEqual([]);
    expect(fake.colours(AGENT_BOOK, 'Leads')).toEqual({ [`${columnOf(AGENT_HEADER, 'Status1')}3`]: '#8E7CC3' });
    expect(leadCells(fake.cells(AGENT_BOOK, 'Leads'), 'L-1')).toMatchObject({ Status1: 'WRONG', Notes: 'second call' });
  });

  it('past the cache TTL a decision gets the copy it has at once and one background read refreshes it; concurrent reads share one request', async () => {
    const quick = await startSheetsHarness({ SHEETS_API_ROOT_URL: fake.url, SHEETS_CACHE_TTL_SECONDS: '2' });
    try {
      const first = await quick.gateway.readAgentSheet(ref);
      expect(first.rows[0]!.statuses[0]).toBe('NEW');
      fake.editRows(AGENT_BOOK, 'Leads', (rows) => {
        rows[1]![AGENT_HEADER.indexOf('Status1')] = 'WRONG'; // a person, by hand
        return rows;
      });
      await new Promise((r) => setTimeout(r, 2100));
      fake.clearRequests();
      fake.delay(600); // Google is slow right now
      const t0 = Date.now();
      const stale = await quick.gateway.readAgentSheet(ref);
      expect(Date.now() - t0).toBeLessThan(400); // not waiting for Google
      expect(stale.rows[0]!.statuses[0]).toBe('NEW');
      // more decisions meanwhile: the same copy, no second request
      await quick.gateway.readAgentSheet(ref);
      fake.delay(0);
      const deadline = Date.now() + 5000;
      while ((await quick.gateway.readAgentSheet(ref)).rows[0]!.statuses[0] !== 'WRONG' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
      expect((await quick.gateway.readAgentSheet(ref)).rows[0]!.statuses[0]).toBe('WRONG');
      expect(fake.calls('values.batchGet')).toHaveLength(1);

      // five callers that must read now: one request
      fake.clearRequests();
      const reads = await Promise.all(Array.from({ length: 5 }, () => quick.gateway.readAgentSheet(ref, { refresh: true })));
      expect(new Set(reads).size).toBe(1);
      expect(fake.calls('values.batchGet')).toHaveLength(1);
    } finally {
      await quick.close();
    }
  });

  it('SHEETS_ROW_POSITIONS_MAX_AGE_MS: a flush within it finds leads in the last read (no read request); past it, it reads first', async () => {
    await withNode('800', async (lean) => {
      await lean.gateway.readAgentSheet(ref);
      fake.clearRequests();
      await lean.gateway.writeLead(lean.appId, ref, { rowId: 'L-2', changes: { values: [{ column: 'Status1', value: 'WRONG' }], formats: [] } });
      await lean.flushed();
      // positions from the read a moment ago: the write alone
      expect(fake.requests.map((r) => r.call)).toEqual(['spreadsheets.batchUpdate']);
      expect(leadCells(fake.cells(AGENT_BOOK, 'Leads'), 'L-2')).toMatchObject({ Name: 'Grace', Status1: 'WRONG' });

      // past the setting, someone sorted meanwhile: the flush reads first and finds L-1 where it is now
      fake.editRows(AGENT_BOOK, 'Leads', (rows) => [rows[0]!, rows[2]!, rows[1]!]);
      await new Promise((r) => setTimeout(r, 900));
      fake.clearRequests();
      await lean.gateway.writeLead(lean.appId, ref, { rowId: 'L-1', changes: { values: [{ column: 'Status2', value: 'WRONG' }], formats: [] } });
      await lean.flushed();
      expect(fake.requests.map((r) => r.call)).toEqual(['values.batchGet', 'spreadsheets.batchUpdate']);
      const grid = fake.cells(AGENT_BOOK, 'Leads');
      expect(leadCells(grid, 'L-1')).toMatchObject({ Name: 'Ada', Status2: 'WRONG' });
      expect(leadCells(grid, 'L-2')).toMatchObject({ Name: 'Grace', Status1: 'WRONG', Status2: '' });
    });
  });

  it("rows sorted after the positions were read: Google's echo shows the write landed on another lead; that lead is put back, the write goes again where its lead is", async () => {
    await withNode('60000', async (lean) => {
      const before = await lean.gateway.readAgentSheet(ref);
      expect(before.rows.map((r) => r.rowId)).toEqual(['L-1', 'L-2']);
      const ada = leadCells(fake.cells(AGENT_BOOK, 'Leads'), 'L-1');
      const grace = leadCells(fake.cells(AGENT_BOOK, 'Leads'), 'L-2');
      expect(ada.Status2).not.toBe('DNC');
      // someone sorts the tab (Grace first) after the read: the copy's positions are now wrong
      fake.editRows(AGENT_BOOK, 'Leads', (rows) => [rows[0]!, rows[2]!, rows[1]!]);
      fake.clearRequests();
      await lean.gateway.writeLead(lean.appId, ref, { rowId: 'L-2', changes: { values: [{ column: 'Status2', value: 'DNC' }, { column: 'Notes', value: 'asked not to be called' }], formats: [] } });
      await lean.flushed();
      const grid = fake.cells(AGENT_BOOK, 'Leads');
      // Grace has her write; Ada, whose row took it first, has her cells back
      expect(leadCells(grid, 'L-2')).toMatchObject({ Name: 'Grace', Status1: grace.Status1, Status2: 'DNC', Notes: 'asked not to be called' });
      expect(leadCells(grid, 'L-1')).toEqual(ada);
      // the first write used the copy's positions (no read) and its echo showed L-1 in row 3; then one read and the write again
      const calls = fake.requests.map((r) => r.call);
      expect(calls[0]).toBe('spreadsheets.batchUpdate');
      expect(calls.filter((c) => c === 'values.batchGet')).toHaveLength(1);
      expect(fake.calls('spreadsheets.batchUpdate', { ok: true }).length).toBeGreaterThanOrEqual(2);
      const rows = await lean.sql.query<{ row_id: string; attempts: number; last_error: string | null; done: boolean }>(
        `SELECT row_id, attempts, last_error, done_at IS NOT NULL AS done FROM sheets_outbox ORDER BY id`,
      );
      expect(rows).toEqual([
        { row_id: 'L-2', attempts: 2, last_error: null, done: true },
        { row_id: 'L-1', attempts: 1, last_error: null, done: true },
      ]);
      const text = await lean.module.get(MetricsService).registry.metrics();
      expect(text).toMatch(/cti_sheets_writes_total\{result="misplaced"[^}]*\} 1\n/);
      expect(text).toMatch(/cti_sheets_writes_total\{result="restored"[^}]*\} 1\n/);
      // and the cache learnt the new positions: the next write lands at once, its echo confirming them
      fake.clearRequests();
      await lean.gateway.writeLead(lean.appId, ref, { rowId: 'L-1', changes: { values: [{ column: 'Notes', value: 'still here' }], formats: [] } });
      await lean.flushed();
      expect(fake.requests.map((r) => r.call)).toEqual(['spreadsheets.batchUpdate']);
      expect(leadCells(fake.cells(AGENT_BOOK, 'Leads'), 'L-1')).toEqual({ ...ada, Notes: 'still here' });
    });
  });

  it('two leads swapped by a sort, both written in one flush: each ends with its own write and none of the other', async () => {
    await withNode('60000', async (lean) => {
      await lean.gateway.readAgentSheet(ref);
      const ada = leadCells(fake.cells(AGENT_BOOK, 'Leads'), 'L-1');
      const grace = leadCells(fake.cells(AGENT_BOOK, 'Leads'), 'L-2');
      fake.editRows(AGENT_BOOK, 'Leads', (rows) => [rows[0]!, rows[2]!, rows[1]!]);
      await lean.gateway.writeLeads(lean.appId, ref, [
        { rowId: 'L-1', changes: { values: [{ column: 'Notes', value: 'Ada: email first' }, { column: 'LastOutcome', value: 'CORRECT' }], formats: [] } },
        { rowId: 'L-2', changes: { values: [{ column: 'Notes', value: 'Grace: evenings' }, { column: 'AttemptCount', value: 7 }], formats: [] } },
      ]);
      await lean.flushed();
      const grid = fake.cells(AGENT_BOOK, 'Leads');
      expect(leadCells(grid, 'L-1')).toEqual({ ...ada, Notes: 'Ada: email first', LastOutcome: 'CORRECT' });
      expect(leadCells(grid, 'L-2')).toEqual({ ...grace, Notes: 'Grace: evenings', AttemptCount: '7' });
      // Ada's AttemptCount, hit by Grace's write, was put back as a number, as the dialer writes counts
      let adaCount: unknown;
      fake.editRows(AGENT_BOOK, 'Leads', (rows) => {
        adaCount = rows.find((r) => r[AGENT_HEADER.indexOf('RowID')] === 'L-1')![AGENT_HEADER.indexOf('AttemptCount')];
        return rows;
      });
      expect(adaCount).toBe(Number(ada.AttemptCount));
    });
  });

  it("a cell put back after a misplaced write is queued for the tenant whose write hit it (two tenants on one spreadsheet)", async () => {
    await withNode('60000', async (lean) => {
      await lean.gateway.readAgentSheet(ref);
      const other = asAppId((await lean.sql.query<{ id: string }>(`INSERT INTO apps (name, webhook_secret_enc) VALUES ('second tenant', 'unused') RETURNING id`))[0]!.id);
      fake.editRows(AGENT_BOOK, 'Leads', (rows) => [rows[0]!, rows[2]!, rows[1]!]); // a person swaps L-1 and L-2
      // queued together (due at once, so one flush takes both): first the other tenant's note for L-1, then ours for L-2
      const queue = lean.module.get(SheetsOutboxRepository);
      const entry = (rowId: string, column: 'Notes' | 'LastOutcome', value: string) => ({
        spreadsheetId: AGENT_BOOK,
        tab: String(LEADS_GID),
        rowId,
        rowIndexHint: null,
        changes: { values: [{ column, value }], formats: [] },
        reason: 'queued',
        delayMs: 600_000,
      });
      const queued = [...(await queue.enqueue(other, [entry('L-1', 'Notes', 'second tenant')])), ...(await queue.enqueue(lean.appId, [entry('L-2', 'LastOutcome', 'CORRECT')]))];
      // both come due in one statement: with a delay each, a poll between the two enqueues took the first alone
      await lean.sql.query(`UPDATE sheets_outbox SET next_attempt_at = now() WHERE id = ANY($1::bigint[])`, [queued]);
      await lean.flushed();
      const restores = await lean.sql.query<{ app_id: string; row_id: string }>(`SELECT app_id, row_id FROM sheets_outbox WHERE NOT id = ANY($1::bigint[]) ORDER BY row_id`, [queued]);
      // L-2's Notes were hit by the other tenant's write, L-1's LastOutcome by ours
      expect(restores).toEqual([
        { app_id: lean.appId, row_id: 'L-1' },
        { app_id: other, row_id: 'L-2' },
      ]);
      const grid = fake.cells(AGENT_BOOK, 'Leads');
      expect([leadCells(grid, 'L-1').Notes, leadCells(grid, 'L-2').LastOutcome]).toEqual(['second tenant', 'CORRECT']);
    });
  });

  it("columns moved after the positions were read (a person swapped two): the echo of the header shows it; the cell hit is put back, the write goes again", async () => {
    await withNode('60000', async (lean) => {
      await lean.gateway.readAgentSheet(ref);
      const grace = leadCells(fake.cells(AGENT_BOOK, 'Leads'), 'L-2');
      const ada = leadCells(fake.cells(AGENT_BOOK, 'Leads'), 'L-1');
      expect(grace.LastOutcome).not.toBe('call back Tuesday');
      const header = fake.cells(AGENT_BOOK, 'Leads')[0]!;
      const [notes, outcome] = [header.indexOf('Notes'), header.indexOf('LastOutcome')];
      fake.editRows(AGENT_BOOK, 'Leads', (rows) => rows.map((r) => r.map((cell, i) => (i === notes ? r[outcome] : i === outcome ? r[notes] : cell)) as string[]));
      fake.clearRequests();
      await lean.gateway.writeLead(lean.appId, ref, { rowId: 'L-2', changes: { values: [{ column: 'Notes', value: 'call back Tuesday' }], formats: [] } });
      await lean.flushed();
      const grid = fake.cells(AGENT_BOOK, 'Leads');
      expect(grid[0]![notes]).toBe('LastOutcome'); // the sheet keeps the person's order
      expect(leadCells(grid, 'L-2')).toEqual({ ...grace, Notes: 'call back Tuesday' });
      expect(leadCells(grid, 'L-1')).toEqual(ada);
      const calls = fake.requests.map((r) => r.call);
      expect([calls[0], calls[1], calls.filter((c) => c === 'values.batchGet').length]).toEqual(['spreadsheets.batchUpdate', 'values.batchGet', 1]);
    });
  });

  it('counts Sheets calls in /metrics', async () => {
    await gateway.readAgentSheet(ref);
    const text = await h.module.get(MetricsService).registry.metrics();
    expect(text).toMatch(/cti_sheets_requests_total\{[^}]*method="values.batchGet"[^}]*status="200"[^}]*\} \d+/);
  });
});
