// Google Sheets calls per disposition (target: 1 values write + at most 1 format write; docs/architecture.md, "Sheets"),
// against the fake Sheets server, through the built LeadWriter (the path SheetsGateway takes).
// Run: `npm run build && node bench/sheets.mjs` (BENCH_DIST=<dir> for another build).
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const DIST = process.env.BENCH_DIST ? pathToFileURL(`${process.env.BENCH_DIST.replace(/\/$/, '')}/`) : new URL('../dist/', import.meta.url);
const load = (path) => import(new URL(path, DIST).href);
const CODES = ['CORRECT', 'WRONG', 'VM_SAME_NAME', 'VM_OR_NA_UNKNOWN', 'NO_ANSWER', 'SKIP'];

/** Dials and disposes `leads` leads (each code in turn); returns Sheets calls and latency per disposition. */
export async function measureSheetsPerDisposition({ leads = 60, sheetRows = 2000 } = {}) {
  if (!existsSync(new URL('src/integrations/sheets/lead-writer.js', DIST))) throw new Error('dist/ is missing: run `npm run build` first');
  // the fake is TypeScript without non-erasable syntax: Node 22.18+ loads it directly
  const { FakeSheets } = await import(new URL('../demo/fakes/fake-sheets.ts', import.meta.url).href);
  const { parseConfig } = await load('src/infra/config/app-config.js');
  const { MetricsService } = await load('src/infra/metrics/metrics.service.js');
  const { SheetsMetrics } = await load('src/integrations/sheets/sheets-metrics.js');
  const { SheetsApi } = await load('src/integrations/sheets/sheets-api.js');
  const { SheetsCache } = await load('src/integrations/sheets/sheets-cache.js');
  const { SheetReader } = await load('src/integrations/sheets/sheet-reader.js');
  const { LeadWriter } = await load('src/integrations/sheets/lead-writer.js');
  const { applyDisposition, markInProgress, pickNext, resolvePolicy } = await load('src/policy/index.js');

  const fake = await FakeSheets.start();
  try {
    const config = parseConfig({ INTERNAL_JWT_SECRET: 'x'.repeat(32), ENCRYPTION_KEY: '0'.repeat(64), SHEETS_API_ROOT_URL: fake.url });
    const api = new SheetsApi(config, new SheetsMetrics(new MetricsService()));
    const reader = new SheetReader(api, new SheetsCache(0));
    const writer = new LeadWriter(api, reader);
    const header = ['RowID', 'Name', ...Array.from({ length: 10 }, (_, i) => [`Num${i + 1}`, `Status${i + 1}`]).flat(), 'Notes', 'LastOutcome', 'AttemptCount', 'NextIndex', 'LastCalledAt'];
    const rows = Array.from({ length: sheetRows }, (_, i) => {
      const cells = Object.fromEntries(header.map((h) => [h, '']));
      Object.assign(cells, { RowID: `L${i + 1}`, Name: `Lead ${i + 1}`, Num1: `(212) 555-${String(1000 + (i % 9000)).padStart(4, '0')}`, Num2: `(312) 555-${String(1000 + (i % 9000)).padStart(4, '0')}`, AttemptCount: 0 });
      return header.map((h) => cells[h]);
    });
    fake.setSheet('bench-book', 'Leads', [header, ...rows], { sheetId: 1 });
    const ref = { spreadsheetId: 'bench-book', tab: 1 };
    const policy = resolvePolicy({ callingWindow: { enabled: false } });
    const perDisposition = [];
    const latencies = [];
    for (let n = 0; n < leads; n++) {
      const sheet = await reader.readAgentSheet(ref);
      const now = new Date();
      const { pick } = pickNext({ readyState: 'PLAY', rows: sheet.rows, policy, now, explain: false });
      const row = sheet.rows.find((r) => r.rowId === pick.rowId);
      await writer.write(ref, [{ rowId: row.rowId, rowIndex: row.rowIndex, changes: markInProgress(row, pick.numberIndex).changes }]);
      fake.clearRequests();
      const code = CODES[n % CODES.length];
      const t0 = performance.now();
      await writer.write(ref, [{ rowId: row.rowId, rowIndex: row.rowIndex, changes: (current) => applyDisposition({ row: current, numberIndex: pick.numberIndex, code, notes: 'bench', now, policy }).changes }]);
      latencies.push(performance.now() - t0);
      const count = (call) => fake.requests.filter((r) => r.call === call).length;
      perDisposition.push({ code, reads: count('values.batchGet') + count('spreadsheets.get'), valueWrites: count('values.batchUpdate'), formatWrites: count('spreadsheets.batchUpdate') });
    }
    const max = (k) => Math.max(...perDisposition.map((p) => p[k]));
    const avg = (k) => perDisposition.reduce((s, p) => s + p[k], 0) / perDisposition.length;
    latencies.sort((a, b) => a - b);
    return {
      dispositions: perDisposition.length,
      value_writes_max: max('valueWrites'),
      format_writes_max: max('formatWrites'),
      format_writes_avg: avg('formatWrites'),
      reads_max: max('reads'),
      write_p50_ms: latencies[Math.floor(latencies.length / 2)],
    };
  } finally {
    await fake.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const r = await measureSheetsPerDisposition();
  process.stdout.write(
    `Sheets calls per disposition over ${r.dispositions} dispositions (all six codes): values writes ≤ ${r.value_writes_max}, ` +
      `format writes ≤ ${r.format_writes_max} (only a CORRECT with open siblings), verify reads ≤ ${r.reads_max}; ` +
      `disposition write p50 ${r.write_p50_ms.toFixed(1)} ms against the local fake (target: 1 values write + at most 1 format write)\n`,
  );
}
