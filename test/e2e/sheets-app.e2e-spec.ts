import { SheetsGateway } from '../../src/integrations/sheets/sheets.gateway.js';
import { FakeSheets } from '../../demo/fakes/fake-sheets.js';
import { agentTab, PHONES } from '../support/sheets-fixtures.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/** The whole service wires SheetsGateway (AppModule → SheetsModule) and exposes its metrics. */
describe('Sheets in the running service (e2e)', () => {
  let fake: FakeSheets;
  let t: TestApp;

  beforeAll(async () => {
    fake = await FakeSheets.start();
    t = await startTestApp({ SHEETS_API_ROOT_URL: fake.url, EVENT_PROCESSOR_ENABLED: 'false' });
  });
  afterAll(async () => {
    await t?.close();
    await fake?.close();
  });

  it('reads an agent sheet through the app\'s SheetsGateway and counts the calls in /metrics', async () => {
    fake.setSheet('book', 'Leads', agentTab([{ RowID: 'L1', Name: 'Ada', Num1: PHONES.ny1 }]), { sheetId: 12 });
    const sheet = await t.app.get(SheetsGateway).readAgentSheet({ spreadsheetId: 'book', tab: 12 });
    expect(sheet.rows.map((r) => r.rowId)).toEqual(['L1']);
    const metrics = await (await fetch(`${t.baseUrl}/metrics`)).text();
    expect(metrics).toMatch(/cti_sheets_requests_total\{[^}]*method="values.batchGet"[^}]*\} 1/);
    expect(metrics).toContain('cti_sheets_outbox_depth');
  });
});
