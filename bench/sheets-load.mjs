// A call center on one Google user (issue 14): simulated agents dispose leads against the fake Sheets server,
// which enforces Google's default per-user quotas (60 reads and 60 writes a minute), through the built
// SheetsGateway (cached reads with the queue on top, every write queued in PostgreSQL, flushed per
// spreadsheet within the shared Redis budget). Measures the dispositions a minute one Google user carries,
// Sheets requests per disposition, the sheet's lag (disposition answered → cell written at Google) and the
// decision time (read, pick, queue the disposition and the next IN_PROGRESS).
// Run: `npm run build && node bench/sheets-load.mjs` (SHEETS_LOAD_AGENTS, SHEETS_LOAD_SECONDS to change the load).
import { randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { startFakeSheetsThread } from './fake-sheets-thread.mjs';
import { DIST, percentile, REDIS_URL, ServiceStack, sleep } from './lib.mjs';

const load = (path) => import(new URL(path, DIST).href);
const CODES = ['WRONG', 'NO_ANSWER', 'CORRECT', 'VM_SAME_NAME', 'SKIP', 'VM_OR_NA_UNKNOWN'];

export async function measureSheetsLoad({ agents = 200, spreadsheets = 4, seconds = 60, thinkMs = 12_000, leadsPerTab = 3000, positionsMaxAgeMs } = {}) {
  const { NestFactory } = await import('@nestjs/core');
  const { Module } = await import('@nestjs/common');
  const { parseConfig } = await load('src/infra/config/app-config.js');
  const { ConfigModule } = await load('src/infra/config/config.module.js');
  const { DatabaseModule } = await load('src/infra/database/database.module.js');
  const { Sql } = await load('src/infra/database/sql.js');
  const { MetricsModule } = await load('src/infra/metrics/metrics.module.js');
  const { RedisModule } = await load('src/infra/redis/redis.module.js');
  const { SheetsModule } = await load('src/integrations/sheets/sheets.module.js');
  const { SheetsGateway } = await load('src/integrations/sheets/sheets.gateway.js');
  const { applyDisposition, markInProgress, pickNext, resolvePolicy } = await load('src/policy/index.js');

  const stack = await ServiceStack.create('sheetsload');
  // Google on its own thread: serving whole tabs must not stall the decisions measured here
  const fake = await startFakeSheetsThread();
  let context;
  try {
    const config = parseConfig({
      DATABASE_URL: stack.databaseUrl,
      REDIS_URL,
      REDIS_KEY_PREFIX: `${stack.dbName}:`,
      ...stack.secrets,
      LOG_LEVEL: 'silent',
      SHEETS_API_ROOT_URL: fake.url,
      // Google's defaults, as production runs: 60 reads and 60 writes a minute, a 1 s flush interval, a 10 s cache
      ...(positionsMaxAgeMs === undefined ? {} : { SHEETS_ROW_POSITIONS_MAX_AGE_MS: String(positionsMaxAgeMs) }),
    });
    class SheetsLoadModule {}
    Module({ imports: [ConfigModule.forRoot(config), DatabaseModule, MetricsModule, RedisModule, SheetsModule] })(SheetsLoadModule);
    context = await NestFactory.createApplicationContext(SheetsLoadModule, { logger: false });
    await context.init();
    const sql = context.get(Sql);
    const gateway = context.get(SheetsGateway);
    const [app] = await sql.query(`INSERT INTO apps (name, webhook_secret_enc) VALUES ('sheets load', 'unused') RETURNING id`);

    const header = ['RowID', 'Name', ...Array.from({ length: 10 }, (_, i) => [`Num${i + 1}`, `Status${i + 1}`]).flat(), 'Notes', 'LastOutcome', 'AttemptCount', 'NextIndex', 'LastCalledAt'];
    const blank = Array.from({ length: 16 }, () => '');
    const refs = [];
    for (let s = 0; s < spreadsheets; s++) {
      const rows = Array.from({ length: leadsPerTab }, (_, i) => {
        const n = s * leadsPerTab + i;
        return [`S${s}-L${i + 1}`, `Lead ${n}`, `(212) 555-${String(n % 10000).padStart(4, '0')}`, 'NEW', `(312) 555-${String(n % 10000).padStart(4, '0')}`, 'NEW', ...blank, '', '', 0, '', ''];
      });
      await fake.setSheet(`load-book-${s}`, 'Leads', [header, ...rows], { sheetId: 100 + s });
      refs.push({ spreadsheetId: `load-book-${s}`, tab: String(100 + s) });
    }
    await fake.enforceQuota({ readsPerWindow: 60, writesPerWindow: 60, windowMs: 60_000 });
    const policy = resolvePolicy({ callingWindow: { enabled: false } });
    /** leads an agent holds (the dialer's Redis reservations, in-process here) */
    const held = refs.map(() => new Set());
    const decisions = [];
    const queuedAt = new Map();
    let disposed = 0;
    let stopAt = 0;

    /** One decision as POST /disposition makes it: read (cached, queue on top), pick the next lead, queue both writes. */
    const decide = async (a, current) => {
      const ref = refs[a % spreadsheets];
      const t0 = performance.now();
      const sheet = await gateway.readAgentSheet(ref);
      const now = new Date();
      const mine = held[a % spreadsheets];
      if (current) mine.delete(current.rowId);
      const { pick } = pickNext({ readyState: 'PLAY', rows: sheet.rows, policy, now, reserved: { rowIds: mine }, explain: false });
      if (pick) mine.add(pick.rowId);
      const writes = [];
      if (current) {
        const code = CODES[disposed % CODES.length];
        writes.push({ rowId: current.rowId, changes: (row) => applyDisposition({ row, numberIndex: current.numberIndex, code, now, policy }).changes });
      }
      if (pick) writes.push({ rowId: pick.rowId, changes: (row) => markInProgress(row, pick.numberIndex).changes });
      const result = await gateway.writeLeads(app.id, ref, writes);
      const ms = performance.now() - t0;
      for (const id of result.outboxIds) queuedAt.set(id, Date.now());
      return { pick, ms };
    };

    const agent = async (a) => {
      let current = (await decide(a, null)).pick;
      await sleep(Math.random() * thinkMs); // agents start spread over one call's length
      while (Date.now() < stopAt && current) {
        const { pick, ms } = await decide(a, current);
        decisions.push(ms);
        disposed++;
        current = pick;
        // the shift ends at stopAt: an agent does not idle past it (that time would dilute the rate)
        await sleep(Math.min(thinkMs * (0.5 + Math.random()), Math.max(0, stopAt - Date.now())));
      }
    };

    const started = Date.now();
    stopAt = started + seconds * 1000;
    await Promise.all(Array.from({ length: agents }, (_, a) => agent(a)));
    const ranMs = Date.now() - started;
    // the queue drains within the quota
    const drainDeadline = Date.now() + 180_000;
    for (;;) {
      const [{ n }] = await sql.query(`SELECT count(*)::int AS n FROM sheets_outbox WHERE done_at IS NULL AND dead_at IS NULL`);
      if (n === 0 || Date.now() > drainDeadline) break;
      await sleep(250);
    }
    const rows = await sql.query(`SELECT id::text, done_at FROM sheets_outbox WHERE done_at IS NOT NULL`);
    const lags = rows.filter((r) => queuedAt.has(r.id)).map((r) => new Date(r.done_at).getTime() - queuedAt.get(r.id));
    const pending = queuedAt.size - lags.length;
    const requests = await fake.requests();
    const writes = requests.filter((r) => (r.call === 'spreadsheets.batchUpdate' || r.call === 'values.batchUpdate') && r.status === 200).length;
    const reads = requests.filter((r) => (r.call === 'values.batchGet' || r.call === 'spreadsheets.get') && r.status === 200).length;
    decisions.sort((x, y) => x - y);
    lags.sort((x, y) => x - y);
    return {
      agents,
      spreadsheets,
      seconds: ranMs / 1000,
      dispositions: disposed,
      dispositions_per_minute: (disposed / ranMs) * 60_000,
      write_requests: writes,
      read_requests: reads,
      requests_per_disposition: (writes + reads) / Math.max(1, disposed),
      write_requests_per_disposition: writes / Math.max(1, disposed),
      quota_refusals: await fake.quotaRefusals(),
      lag_p50_ms: percentile(lags, 50),
      lag_p99_ms: percentile(lags, 99),
      not_written: pending,
      decision_p50_ms: percentile(decisions, 50),
      decision_p99_ms: percentile(decisions, 99),
    };
  } finally {
    await context?.close();
    await fake.close();
    await stack.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const r = await measureSheetsLoad({
    agents: Number(process.env.SHEETS_LOAD_AGENTS ?? 200),
    seconds: Number(process.env.SHEETS_LOAD_SECONDS ?? 60),
    spreadsheets: Number(process.env.SHEETS_LOAD_SPREADSHEETS ?? 4),
    positionsMaxAgeMs: process.env.SHEETS_ROW_POSITIONS_MAX_AGE_MS,
  });
  process.stdout.write(`${JSON.stringify({ run: randomBytes(2).toString('hex'), ...r }, null, 2)}\n`);
}
