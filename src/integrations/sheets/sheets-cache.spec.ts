import { agentRows } from '../../../test/support/policy-rows.js';
import { type AgentSheet, SheetsCache, TAB_LIST_TTL_MS } from './sheets-cache.js';

const sheet = (readAt: number): AgentSheet => ({
  spreadsheetId: 'book',
  sheetId: 7,
  title: 'Leads',
  layout: { columns: new Map(), extras: [], width: 0 },
  rows: agentRows([{ rowId: 'A' }, { rowId: 'B' }, { rowId: 'B' }, { rowId: 'C' }]),
  readAt,
});

describe('SheetsCache', () => {
  it('answers until the TTL runs out, or until refreshed', () => {
    let now = 1000;
    const cache = new SheetsCache(60_000, () => now);
    cache.setAgentSheet(sheet(now));
    cache.setTabs('book', [{ sheetId: 7, title: 'Leads', rowCount: 10, columnCount: 5 }]);
    expect(cache.agentSheet('book', 7)?.title).toBe('Leads');
    now += 60_001;
    expect(cache.agentSheet('book', 7)).toBeNull();
    // the tab list lives longer than the rows (TAB_LIST_TTL_MS)
    expect(cache.tabs('book')).not.toBeNull();
    now += TAB_LIST_TTL_MS;
    expect(cache.tabs('book')).toBeNull();
    now = 1000;
    cache.refresh('book');
    expect(cache.agentSheet('book', 7)).toBeNull();
  });

  it("row positions: a copy's read, or a write's echo since, within the age asked; never older than the rows' last move", () => {
    let now = 1000;
    const cache = new SheetsCache(10_000, () => now);
    const copy = sheet(now);
    cache.setAgentSheet(copy);
    now += 8_000;
    expect(cache.positionsOf('book', 7, 10_000)).toBe(copy);
    now += 4_000;
    expect(cache.positionsOf('book', 7, 10_000)).toBeNull(); // read 12 s ago
    cache.confirmPositions(copy, now); // an echo showed every row where the copy has it
    expect(cache.positionsOf('book', 7, 10_000)).toBe(copy);
    expect(cache.positionsOf('book', 7, 10_000, now + 1)).toBeNull(); // another node saw the rows move after that
    // an echo of an older copy (replaced since by a read) confirms nothing
    const newer = sheet(now + 1);
    now += 1;
    cache.setAgentSheet(newer);
    now += 9_999;
    cache.confirmPositions(copy, now);
    expect(cache.positionsOf('book', 7, 5_000)).toBeNull();
  });

  it('past the TTL, a stale copy is there for a decision up to a given age', () => {
    let now = 1000;
    const cache = new SheetsCache(10_000, () => now);
    cache.setAgentSheet(sheet(now));
    expect(cache.staleAgentSheet('book', 7, 60_000)?.title).toBe('Leads');
    now += 30_000;
    expect(cache.agentSheet('book', 7)).toBeNull();
    expect(cache.staleAgentSheet('book', 7, 60_000)?.readAt).toBe(1000);
    now += 30_001;
    expect(cache.staleAgentSheet('book', 7, 60_000)).toBeNull();
    expect(cache.staleAgentSheet('other', 7, 60_000)).toBeNull();
  });

  it('TTL 0 keeps entries until an explicit refresh', () => {
    let now = 0;
    const cache = new SheetsCache(0, () => now);
    cache.setAgentSheet(sheet(0));
    now = 10 ** 12;
    expect(cache.agentSheet('book', 7)).not.toBeNull();
    cache.refresh();
    expect(cache.agentSheet('book', 7)).toBeNull();
  });

  it('knows where a RowID is, unless it is there twice', () => {
    const cache = new SheetsCache(0);
    cache.setAgentSheet(sheet(0));
    expect(cache.rowIndexOf('book', 7, 'A')).toBe(2);
    expect(cache.rowIndexOf('book', 7, 'C')).toBe(5);
    expect(cache.rowIndexOf('book', 7, 'B')).toBeNull();
    expect(cache.rowIndexOf('book', 7, 'Z')).toBeNull();
  });

  it('patches written rows in place of the ones at the same position with the same RowID', () => {
    const cache = new SheetsCache(0);
    cache.setAgentSheet(sheet(0));
    const before = cache.agentSheet('book', 7)!;
    const updatedA = { ...before.rows[0]!, notes: 'called' };
    const moved = { ...before.rows[3]!, rowIndex: 2, notes: 'wrong place' }; // C claims row 2: ignored
    cache.patchRows('book', 7, [updatedA, moved]);
    const after = cache.agentSheet('book', 7)!;
    expect(after).not.toBe(before);
    expect(after.rows[0]!.notes).toBe('called');
    expect(after.rows.map((r) => r.rowId)).toEqual(['A', 'B', 'B', 'C']);
    expect(before.rows[0]!.notes).toBe('');
  });
});
