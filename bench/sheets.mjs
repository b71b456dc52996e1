// Google Sheets requests per disposition (issue 14: Google's per-user quota, not our service, limits the dialer),
// against the fake Sheets server, through the built LeadWriter's flush (the path every queued write takes).
// A disposition queues the lead's outcome and the next lead's IN_PROGRESS; the flusher sends a spreadsheet's
// queue as one values.batchGet (where the rows are now) and one spreadsheets.batchUpdate (values and colours).
// Run: `npm run build && node bench/sheets.mjs` (BENCH_DIST=<dir> for another build).
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const DIST = process.env.BENCH_DIST ? pathToFileURL(`${process.env.BENCH_DIST.replace(/\/$/, '')}/`) : new URL('../dist/', import.meta.url);
const load = (path) => import(new URL(path, DIST).href);
const CODES = ['CORRECT', 'WRONG', 'VM_SAME_NAME', 'VM_OR_NA_UNKNOWN', 'NO_ANSWER', 'SKIP'];

/**
 * Disposes `rounds` times for one agent alone (each flush carries one disposition and the next IN_PROGRESS),
 * then `rounds` times for `agents` agents of one spreadsheet disposing within the same flush interval.
 */
export async function measureSheetsPerDisposition({ rounds = 30, agents = 20, sheetRows = 4000 } = {}) {
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
  const { applyChanges } = await load('src/policy/row-changes.js');

  const fake = await FakeSheets.start();
  try {
    const config = parseConfig({ INTERNAL_JWT_SECRET: 'x'.repeat(32), ENCRYPTION_KEY: '0'.repeat(64), SHEETS_API_ROOT_URL: fake.url });
    // the Redis-backed budget is not what is measured here: every request is counted at the fake instead
    const quota = { take: async () => undefined, pushedBack: () => undefined };
    const api = new SheetsApi(config, new SheetsMetrics(new MetricsService()), quota);
    // one node alone: nobody to share a tab's read with (SharedTabReads is measured by the sheets-load bench)
    const unshared = {
      read: (_id, _sheet, _notBefore, _keep, readFromGoogle) => readFromGoogle(),
      offer: async () => undefined,
      markMoved: async () => undefined,
      movedAt: async (_id, sheetIds) => new Map(sheetIds.map((id) => [id, 0])),
    };
    const reader = new SheetReader(api, new SheetsCache(3_600_000), unshared);
    // every flush reads its tab first (SHEETS_ROW_POSITIONS_MAX_AGE_MS 0): the worst case, one read and one write
    const writer = new LeadWriter(api, reader, { SHEETS_ROW_POSITIONS_MAX_AGE_MS: 0 });
    const header = ['RowID', 'Name', ...Array.from({ length: 10 }, (_, i) => [`Num${i + 1}`, `Status${i + 1}`]).flat(), 'Notes', 'LastOutcome', 'AttemptCount', 'NextIndex', 'LastCalledAt'];
    const rows = Array.from({ length: sheetRows }, (_, i) => {
      const cells = Object.fromEntries(header.map((h) => [h, '']));
      Object.assign(cells, { RowID: `L${i + 1}`, Name: `Lead ${i + 1}`, Num1: `(212) 555-${String(1000 + (i % 9000)).padStart(4, '0')}`, Num2: `(312) 555-${String(1000 + (i % 9000)).padStart(4, '0')}`, AttemptCount: 0 });
      return header.map((h) => cells[h]);
    });
    fake.setSheet('bench-book', 'Leads', [header, ...rows], { sheetId: 1 });
    const ref = { spreadsheetId: 'bench-book', tab: '1' };
    const policy = resolvePolicy({ callingWindow: { enabled: false } });
    let nextId = 1;
    /** The rows as the dialer sees them: the cached read with every write applied (what the gateway's overlay does). */
    const view = new Map((await reader.readAgentSheet(ref)).rows.map((r) => [r.rowId, r]));
    const taken = new Set();
    const pick = (now) => {
      const candidates = [...view.values()].filter((r) => !taken.has(r.rowId));
      const { pick: p } = pickNext({ readyState: 'PLAY', rows: candidates, policy, now, explain: false });
      taken.add(p.rowId);
      return p;
    };
    const queue = (rowId, changes) => {
      const row = view.get(rowId);
      view.set(rowId, applyChanges(row, changes));
      return { id: String(nextId++), tab: ref.tab, rowId, rowIndexHint: row.rowIndex, changes };
    };
    const count = (call) => fake.requests.filter((r) => r.call === call).length;

    /** `n` agents each dispose their current lead and take the next one; one flush. */
    const current = new Map();
    const round = async (n, r) => {
      const now = new Date();
      const writes = [];
      for (let a = 0; a < n; a++) {
        const mine = current.get(a) ?? pick(now);
        if (!current.has(a)) writes.push(queue(mine.rowId, markInProgress(view.get(mine.rowId), mine.numberIndex).changes));
        const code = CODES[(r + a) % CODES.length];
        writes.push(queue(mine.rowId, applyDisposition({ row: view.get(mine.rowId), numberIndex: mine.numberIndex, code, notes: 'bench', now, policy }).changes));
        const next = pick(now);
        writes.push(queue(next.rowId, markInProgress(view.get(next.rowId), next.numberIndex).changes));
        current.set(a, next);
      }
      fake.clearRequests();
      const t0 = performance.now();
      const outcome = await writer.flush(ref.spreadsheetId, writes);
      const ms = performance.now() - t0;
      if (outcome.written.length !== writes.length) throw new Error(`flush wrote ${outcome.written.length} of ${writes.length}`);
      return { writes: count('spreadsheets.batchUpdate') + count('values.batchUpdate'), reads: count('values.batchGet') + count('spreadsheets.get'), ms };
    };

    const alone = [];
    for (let r = 0; r < rounds; r++) alone.push(await round(1, r));
    current.clear();
    const together = [];
    for (let r = 0; r < rounds; r++) together.push(await round(agents, r));
    const max = (list, k) => Math.max(...list.map((p) => p[k]));
    const p50 = (list) => list.map((p) => p.ms).sort((a, b) => a - b)[Math.floor(list.length / 2)];
    return {
      rounds,
      agents,
      alone_writes_max: max(alone, 'writes'),
      alone_reads_max: max(alone, 'reads'),
      alone_flush_p50_ms: p50(alone),
      together_writes_max: max(together, 'writes'),
      together_reads_max: max(together, 'reads'),
      together_flush_p50_ms: p50(together),
      /** write requests per disposition when `agents` agents share a flush */
      together_writes_per_disposition: max(together, 'writes') / agents,
    };
  } finally {
    await fake.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const r = await measureSheetsPerDisposition();
  process.stdout.write(
    `One agent: a disposition and the next IN_PROGRESS cost ≤ ${r.alone_writes_max} write and ≤ ${r.alone_reads_max} read request(s) per flush ` +
      `(p50 ${r.alone_flush_p50_ms.toFixed(1)} ms). ${r.agents} agents disposing in one interval: ≤ ${r.together_writes_max} write and ≤ ${r.together_reads_max} read request(s) ` +
      `for all of them (${r.together_writes_per_disposition.toFixed(2)} writes per disposition, p50 ${r.together_flush_p50_ms.toFixed(1)} ms), over ${r.rounds} rounds each\n`,
  );
}
