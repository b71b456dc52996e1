import { sheets, type sheets_v4 } from '@googleapis/sheets';
import { FakeSheets } from '../../demo/fakes/fake-sheets.js';

/** The fake speaks the wire format the real googleapis client expects (issue 7 reuses it). */
describe('FakeSheets speaks Sheets v4 to the googleapis client', () => {
  let fake: FakeSheets;
  let api: sheets_v4.Sheets;
  const status = (p: Promise<unknown>) => p.then(() => 200, (e: { status?: number }) => e.status);

  beforeAll(async () => {
    fake = await FakeSheets.start();
    api = sheets({ version: 'v4', rootUrl: fake.url, retry: false });
  });
  afterAll(() => fake.close());
  beforeEach(() => {
    fake.reset();
    fake.setSheet('book', "Q4 '24", [['RowID', 'Name', 'Num1', ''], ['A', 'Ada', 2125550101, ''], ['', '', '', ''], ['B', '', '', '']], { sheetId: 99 });
    fake.setSheet('book', 'Router', [['AgentEmail']]);
  });

  it('spreadsheets.get lists tab ids, titles and grid sizes', async () => {
    const { data } = await api.spreadsheets.get({ spreadsheetId: 'book' });
    expect(data.sheets!.map((s) => s.properties)).toEqual([
      { sheetId: 99, title: "Q4 '24", index: 0, sheetType: 'GRID', gridProperties: { rowCount: 1000, columnCount: 26 } },
      { sheetId: expect.any(Number), title: 'Router', index: 1, sheetType: 'GRID', gridProperties: { rowCount: 1000, columnCount: 26 } },
    ]);
    expect(fake.requests[0]!.authorization).toBeNull(); // emulator mode: no auth
  });

  it('values.batchGet: quoted titles, rows and columns, trailing empties omitted, formatted or not', async () => {
    const { data } = await api.spreadsheets.values.batchGet({ spreadsheetId: 'book', ranges: ["'Q4 ''24'", "'Q4 ''24'!2:2", "'Q4 ''24'!A:A", "'Q4 ''24'!B3:C9"] });
    expect(data.valueRanges!.map((v) => v.values ?? null)).toEqual([
      [['RowID', 'Name', 'Num1'], ['A', 'Ada', '2125550101'], [], ['B']],
      [['A', 'Ada', '2125550101']],
      [['RowID'], ['A'], [], ['B']],
      null,
    ]);
    const raw = await api.spreadsheets.values.batchGet({ spreadsheetId: 'book', ranges: ["'Q4 ''24'!C2"], valueRenderOption: 'UNFORMATTED_VALUE' });
    expect(raw.data.valueRanges![0]!.values).toEqual([[2125550101]]);
    const one = await api.spreadsheets.values.get({ spreadsheetId: 'book', range: 'Router!A1' });
    expect(one.data.values).toEqual([['AgentEmail']]);
  });

  it('values.batchUpdate writes cells (RAW keeps types) and refuses writes past the grid or without valueInputOption', async () => {
    await api.spreadsheets.values.batchUpdate({
      spreadsheetId: 'book',
      requestBody: { valueInputOption: 'RAW', data: [{ range: "'Q4 ''24'!D2", values: [[3]] }, { range: "'Q4 ''24'!E5", values: [['late']] }] },
    });
    expect(fake.cells('book', "Q4 '24")).toEqual([['RowID', 'Name', 'Num1'], ['A', 'Ada', '2125550101', '3'], [], ['B'], ['', '', '', '', 'late']]);
    expect(await status(api.spreadsheets.values.batchUpdate({ spreadsheetId: 'book', requestBody: { valueInputOption: 'RAW', data: [{ range: "'Q4 ''24'!AA1", values: [['x']] }] } }))).toBe(400);
    expect(await status(api.spreadsheets.values.batchUpdate({ spreadsheetId: 'book', requestBody: { data: [{ range: "'Q4 ''24'!A1", values: [['x']] }] } }))).toBe(400);
    expect(await status(api.spreadsheets.values.batchUpdate({ spreadsheetId: 'book', requestBody: { valueInputOption: 'RAW', data: [{ range: "'Nope'!A1", values: [['x']] }] } }))).toBe(400);
    expect(fake.cell('book', "Q4 '24", 'A1')).toBe('RowID');
  });

  it('spreadsheets.batchUpdate: repeatCell colours (fields mask honoured), appendDimension; unknown sheetId refused', async () => {
    const colour = { red: 0.556863, green: 0.486275, blue: 0.764706 };
    await api.spreadsheets.batchUpdate({
      spreadsheetId: 'book',
      requestBody: {
        requests: [
          { repeatCell: { range: { sheetId: 99, startRowIndex: 1, endRowIndex: 2, startColumnIndex: 2, endColumnIndex: 4 }, cell: { userEnteredFormat: { backgroundColor: colour } }, fields: 'userEnteredFormat.backgroundColor' } },
          { repeatCell: { range: { sheetId: 99, startRowIndex: 0, endRowIndex: 1, startColumnIndex: 0, endColumnIndex: 1 }, cell: { userEnteredFormat: { backgroundColor: colour } }, fields: 'userEnteredFormat.textFormat' } },
          { appendDimension: { sheetId: 99, dimension: 'COLUMNS', length: 4 } },
        ],
      },
    });
    expect(fake.colours('book', "Q4 '24")).toEqual({ C2: '#8E7CC3', D2: '#8E7CC3' });
    const { data } = await api.spreadsheets.get({ spreadsheetId: 'book' });
    expect(data.sheets![0]!.properties!.gridProperties!.columnCount).toBe(30);
    expect(await status(api.spreadsheets.batchUpdate({ spreadsheetId: 'book', requestBody: { requests: [{ repeatCell: { range: { sheetId: 5 }, fields: '*' } }] } }))).toBe(400);
  });

  it('answers Google-shaped errors: 404 for an unknown spreadsheet, injected 429/500 storms', async () => {
    const err = await api.spreadsheets.get({ spreadsheetId: 'nope' }).catch((e: { status: number; response: { data: unknown } }) => e);
    expect(err).toMatchObject({ status: 404, response: { data: { error: { code: 404, status: 'NOT_FOUND' } } } });
    fake.failNext(2, 429);
    fake.failNext(1, 503, (r) => r.call === 'values.batchUpdate');
    expect(await status(api.spreadsheets.get({ spreadsheetId: 'book' }))).toBe(429);
    expect(await status(api.spreadsheets.get({ spreadsheetId: 'book' }))).toBe(429);
    expect(await status(api.spreadsheets.get({ spreadsheetId: 'book' }))).toBe(200);
    expect(await status(api.spreadsheets.values.batchUpdate({ spreadsheetId: 'book', requestBody: { valueInputOption: 'RAW', data: [] } }))).toBe(503);
    expect(fake.requests.map((r) => `${r.call} ${r.status}`)).toEqual(['spreadsheets.get 404', 'spreadsheets.get 429', 'spreadsheets.get 429', 'spreadsheets.get 200', 'values.batchUpdate 503']);
  });

  it('editRows moves colours with their rows (sorting)', async () => {
    await api.spreadsheets.batchUpdate({
      spreadsheetId: 'book',
      requestBody: { requests: [{ repeatCell: { range: { sheetId: 99, startRowIndex: 1, endRowIndex: 2, startColumnIndex: 0, endColumnIndex: 1 }, cell: { userEnteredFormat: { backgroundColor: { red: 1 } } }, fields: 'userEnteredFormat' } }] },
    });
    fake.editRows('book', "Q4 '24", (rows) => [rows[0]!, rows[3]!, rows[2]!, rows[1]!]);
    expect(fake.colours('book', "Q4 '24")).toEqual({ A4: '#FF0000' });
    expect(fake.cells('book', "Q4 '24").map((r) => r[0] ?? '')).toEqual(['RowID', 'B', '', 'A']);
  });
});
