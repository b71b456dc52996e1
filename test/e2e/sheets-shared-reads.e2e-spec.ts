import { randomBytes } from 'node:crypto';
import { FakeSheets } from '../../demo/fakes/fake-sheets.js';
import { LeadWriter } from '../../src/integrations/sheets/lead-writer.js';
import { AGENT_HEADER, agentTab, leadCells } from '../support/sheets-fixtures.js';
import { type SheetsHarness, startSheetsHarness } from '../support/sheets-harness.js';

const BOOK = 'shared-book-1';
const GID = 880001;
const LEADS = [
  { RowID: 'L-1', Name: 'Ada', Num1: '(212) 555-0101', Status1: 'NEW', AttemptCount: 0 },
  { RowID: 'L-2', Name: 'Grace', Num1: '(212) 555-0199', Status1: 'NEW', AttemptCount: 0 },
];

/**
 * Issue 14, "reads shared the same way … single-flight across nodes": three
 * nodes (one database, one Redis namespace) read an agent tab once between
 * them, a flush's read serves the others' decisions, and a node told to
 * forget a tab does not take a copy read before that.
 */
describe('Sheets tab reads shared across nodes (real Redis, real PostgreSQL, fake Google)', () => {
  let fake: FakeSheets;
  const nodes: SheetsHarness[] = [];
  const ref = { spreadsheetId: BOOK, tab: String(GID) };

  beforeAll(async () => {
    fake = await FakeSheets.start();
    const env = {
      SHEETS_API_ROOT_URL: fake.url,
      REDIS_KEY_PREFIX: `t${randomBytes(4).toString('hex')}:`,
      SHEETS_OUTBOX_POLL_INTERVAL_MS: '25',
      SHEETS_CACHE_TTL_SECONDS: '30',
    };
    const first = await startSheetsHarness(env);
    nodes.push(first, await startSheetsHarness(env, first.db), await startSheetsHarness(env, first.db));
  });
  afterAll(async () => {
    for (const node of [...nodes].reverse()) await node.close();
    await fake?.close();
  });
  beforeEach(async () => {
    await nodes[0]!.flushed();
    await nodes[0]!.sql.execute(`DELETE FROM sheets_outbox`);
    fake.reset();
    fake.setSheet(BOOK, 'Leads', agentTab(LEADS), { sheetId: GID, columnCount: 40 });
    // each test starts from Google: what any node read before is forgotten everywhere
    for (const node of nodes) node.gateway.refresh();
    await new Promise((r) => setTimeout(r, 5));
    fake.clearRequests();
  });

  const reads = () => fake.calls('values.batchGet').length;

  it('a tab one node read is not read again by the others', async () => {
    const [a, b, c] = nodes;
    const first = await a!.gateway.readAgentSheet(ref);
    expect(reads()).toBe(1);
    const second = await b!.gateway.readAgentSheet(ref);
    const third = await c!.gateway.readAgentSheet(ref);
    expect(reads()).toBe(1);
    expect(second.rows).toEqual(first.rows);
    expect(third.rows.map((r) => r.rowId)).toEqual(['L-1', 'L-2']);
    expect(second.readAt).toBe(first.readAt);
  });

  it('nodes whose copies expire together make one request between them (the others wait for it)', async () => {
    fake.delay(300);
    const sheets = await Promise.all(nodes.map((n) => n.gateway.readAgentSheet(ref)));
    expect(reads()).toBe(1);
    for (const sheet of sheets) expect(sheet.rows.map((r) => r.rowId)).toEqual(['L-1', 'L-2']);
  });

  it("rows one node's write found moved: another node's flush does not trust its own copy's positions, it reads first", async () => {
    const [a, b] = nodes;
    // both nodes hold the tab as read now (the second takes the first's copy)
    await a!.gateway.readAgentSheet(ref);
    await b!.gateway.readAgentSheet(ref);
    fake.editRows(BOOK, 'Leads', (rows) => [rows[0]!, rows[2]!, rows[1]!]); // a person sorts
    fake.clearRequests();
    const write = (id: string, rowId: string, notes: string) => ({ id, tab: String(GID), rowId, rowIndexHint: null, changes: { values: [{ column: 'Notes' as const, value: notes }], formats: [] } });
    // node a flushes with its copy's positions: Google's echo shows the write hit the other lead
    const first = await a!.module.get(LeadWriter).flush(BOOK, [write('w1', 'L-2', 'from a')]);
    expect(first.misplaced.map((m) => m.id)).toEqual(['w1']);
    await new Promise((r) => setTimeout(r, 50)); // the mark reaches Redis (best effort, in the background)
    fake.clearRequests();
    // node b's copy is as old, and b saw nothing: the mark makes its flush read the tab first
    const second = await b!.module.get(LeadWriter).flush(BOOK, [write('w2', 'L-1', 'from b')]);
    expect(fake.requests.map((r) => r.call)).toEqual(['values.batchGet', 'spreadsheets.batchUpdate']);
    expect([second.written, second.misplaced]).toEqual([['w2'], []]);
    expect(leadCells(fake.cells(BOOK, 'Leads'), 'L-1').Notes).toBe('from b');
  });

  it("a flush's read serves the other nodes' decisions, with the write it carried on top", async () => {
    const [a, b] = nodes;
    await a!.gateway.writeLead(a!.appId, ref, { rowId: 'L-2', changes: { values: [{ column: 'Status1', value: 'CORRECT' }], formats: [] } });
    await a!.flushed();
    expect(leadCells(fake.cells(BOOK, 'Leads'), 'L-2').Status1).toBe('CORRECT');
    const before = reads(); // the decision's read, and the flush's before writing
    const seen = await b!.gateway.readAgentSheet(ref);
    expect(reads()).toBe(before);
    expect(seen.rows.find((r) => r.rowId === 'L-2')?.statuses[0]).toBe('CORRECT');
  });

  it('a node told to forget the tab reads it again, and sees a hand edit made since', async () => {
    const [a, b] = nodes;
    await a!.gateway.readAgentSheet(ref);
    fake.setSheet(BOOK, 'Leads', agentTab([{ ...LEADS[0]!, Name: 'Ada Lovelace' }, LEADS[1]!]), { sheetId: GID, columnCount: 40 });
    b!.gateway.refresh(BOOK);
    const seen = await b!.gateway.readAgentSheet(ref);
    expect(reads()).toBe(2);
    expect(seen.rows[0]?.name).toBe('Ada Lovelace');
    // and that newer copy is what the third node takes
    expect((await nodes[2]!.gateway.readAgentSheet(ref)).rows[0]?.name).toBe('Ada Lovelace');
    expect(reads()).toBe(2);
  });

  it('a read that failed on one node leaves the others free to read', async () => {
    const [a, b] = nodes;
    fake.failNext(2, 400, (r) => r.call === 'values.batchGet');
    await expect(a!.gateway.readAgentSheet(ref)).rejects.toThrow();
    const seen = await b!.gateway.readAgentSheet(ref);
    expect(seen.rows.map((r) => r.rowId)).toEqual(['L-1', 'L-2']);
  });

  it('the header is checked on every node: a copy without a required column is refused with a 400 wherever it is taken', async () => {
    const [a, b] = nodes;
    fake.setSheet(BOOK, 'Leads', agentTab(LEADS, AGENT_HEADER.filter((h) => h !== 'NextIndex')), { sheetId: GID, columnCount: 40 });
    await expect(a!.gateway.readAgentSheet(ref)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(b!.gateway.readAgentSheet(ref)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });
});
