// `node bench/growth.mjs` (after `npm run build`): one node, processor running, taking GROW_ROUNDS (6) bursts of
// 10 s (autocannon, 50 connections) back to back on one growing database, each drained before the next. Prints
// each burst's ingest rate and p99, how long the drain took after it, the checkpoints, and per table what grew
// more than a little: sequential scans and the tuples they read, index scans, blocks read and hit. A throughput that
// falls burst after burst, or seq scans of `calls` or of an event partition, is a plan that does not hold as the
// tables grow (README, "Scaling and guarantees"). GROW_ENV: JSON of extra variables for the node;
// GROW_EXPLAIN=40ms: auto_explain logs the plans of statements slower than that to PostgreSQL's log; GROW_KEEP=1:
// the database is kept, to EXPLAIN in it. Not part of `npm run bench`.
import pg from 'pg';
import { admin, drained, ingestLoad, ServiceStack } from './lib.mjs';
const log = (m) => process.stderr.write(`grow: ${m}\n`);
const stack = await ServiceStack.create('grow');
const pool = new pg.Pool({ connectionString: stack.databaseUrl, max: 2 });
async function stats() {
  const { rows } = await pool.query(`SELECT relname, seq_scan, seq_tup_read, idx_scan, n_tup_ins, n_tup_upd, n_tup_hot_upd FROM pg_stat_user_tables`);
  const io = await pool.query(`SELECT relname, heap_blks_read, heap_blks_hit, idx_blks_read, idx_blks_hit FROM pg_statio_user_tables`);
  const bg = await pool.query(`SELECT checkpoints_timed, checkpoints_req, buffers_checkpoint, buffers_backend FROM pg_stat_bgwriter`);
  const m = new Map(rows.map((r) => [r.relname, r]));
  for (const r of io.rows) Object.assign(m.get(r.relname) ?? {}, r);
  return { tables: m, bg: bg.rows[0] };
}
function diff(a, b) {
  const out = [];
  for (const [name, r] of b.tables) {
    const p = a.tables.get(name) ?? {};
    const d = {};
    for (const k of Object.keys(r)) if (k !== 'relname') { const v = Number(r[k] ?? 0) - Number(p[k] ?? 0); if (v) d[k] = v; }
    if (d.seq_tup_read > 1000 || d.heap_blks_read > 100 || d.idx_blks_read > 100 || d.seq_scan > 50) out.push(`${name} ${JSON.stringify(d)}`);
  }
  return out;
}
try {
  if (process.env.GROW_EXPLAIN) {
    // the node's connections, opened after this, load auto_explain
    await admin(`ALTER DATABASE ${stack.dbName} SET session_preload_libraries = 'auto_explain'`);
    await admin(`ALTER DATABASE ${stack.dbName} SET auto_explain.log_min_duration = '${process.env.GROW_EXPLAIN}'`);
  }
  const svc = await stack.start(JSON.parse(process.env.GROW_ENV ?? '{}'));
  const app = await stack.createApp(svc.base, 'grow');
  const url = `${svc.base}/webhooks/dialpad/${app.id}`;
  for (let r = 1; r <= Number(process.env.GROW_ROUNDS ?? 6); r++) {
    const before = await stats();
    const s = await ingestLoad(url, app.webhook_secret);
    const d = await drained(pool);
    const after = await stats();
    const bg = Object.fromEntries(Object.keys(after.bg).map((k) => [k, after.bg[k] - before.bg[k]]));
    log(`round ${r}: ${Math.round(s.requests.average)} req/s, p99 ${s.latency.p99} ms, drain after ${d} ms, bgwriter ${JSON.stringify(bg)}`);
    for (const line of diff(before, after)) log(`   ${line}`);
  }
} finally {
  await pool.end();
  if (process.env.GROW_KEEP) {
    for (const c of stack.children) await c.stop();
    log(`kept ${stack.dbName}`);
  } else await stack.close();
}
