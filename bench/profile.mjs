// `node bench/profile.mjs` (after `npm run build`; PostgreSQL with pg_stat_statements in shared_preload_libraries):
// one node, processor running, a warm-up and then PROFILE_SECONDS (10) of webhook load, drained. Prints the CPU
// seconds each process group spent (the node, PostgreSQL's backends, its WAL writer…, the load generator) and the
// statements by total execution time with their WAL bytes (skipped where pg_stat_statements is not loaded).
// PROFILE_ENV: JSON of extra variables for the node (e.g. '{"EVENT_PROCESSOR_ENABLED":"false"}': the ingest path
// alone). Where the two cores go; not part of `npm run bench`.
import { readdirSync, readFileSync } from 'node:fs';
import pg from 'pg';
import { admin, drained, ingestLoad, ServiceStack } from './lib.mjs';

const log = (m) => process.stderr.write(`profile: ${m}\n`);
const TICK = 100; // USER_HZ
function cpu() {
  const out = new Map();
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
      out.set(pid, { cmd, t: (Number(fields[11]) + Number(fields[12])) / TICK });
    } catch {
      // gone
    }
  }
  return out;
}
const group = (cmd) => {
  // "postgres: 15/main: postgres <database> 127.0.0.1(…) idle" → "pg backend <database>"; "… checkpointer" → "pg checkpointer"
  if (cmd.startsWith('postgres: ')) return cmd.replace(/^postgres: [^:]+: /, 'pg ').replace(/^pg (\S+) (\S+) .*/, 'pg backend $2').replace(/ \d+$/, '');
  if (cmd.includes('dist/src/main')) return 'node (service)';
  if (cmd.includes('profile.mjs')) return 'autocannon (this script)';
  return cmd.split(' ')[0].split('/').pop();
};
const stack = await ServiceStack.create('profile');
const pool = new pg.Pool({ connectionString: stack.databaseUrl, max: 2 });
try {
  const env = JSON.parse(process.env.PROFILE_ENV ?? '{}');
  const svc = await stack.start(env);
  const app = await stack.createApp(svc.base, 'profile');
  const url = `${svc.base}/webhooks/dialpad/${app.id}`;
  // a node that does not process leaves its events waiting: nothing to wait for
  const paused = env.EVENT_PROCESSOR_ENABLED === 'false';
  await ingestLoad(url, app.webhook_secret, { seconds: 5 });
  if (!paused) await drained(pool);
  const statements = await admin('CREATE EXTENSION IF NOT EXISTS pg_stat_statements')
    .then(() => admin('SELECT pg_stat_statements_reset()'))
    .then(
      () => true,
      (err) => {
        log(`no statement figures: ${err.message}`);
        return false;
      },
    );
  const before = cpu();
  const started = Date.now();
  const s = await ingestLoad(url, app.webhook_secret, { seconds: Number(process.env.PROFILE_SECONDS ?? 10) });
  if (!paused) await drained(pool);
  const wall = (Date.now() - started) / 1000;
  const after = cpu();
  const sums = new Map();
  for (const [pid, a] of after) {
    const d = a.t - (before.get(pid)?.t ?? 0);
    if (d > 0.05) sums.set(group(a.cmd), (sums.get(group(a.cmd)) ?? 0) + d);
  }
  log(`${Math.round(s.requests.average)} req/s, ${s.requests.total} requests; ${wall.toFixed(1)} s measured${paused ? "" : " (until drained)"}`);
  for (const [g, t] of [...sums].sort((x, y) => y[1] - x[1])) log(`  cpu ${t.toFixed(2).padStart(7)} s  ${g}`);
  const { rows } = !statements ? { rows: [] } : await admin(
    `SELECT calls, round(total_exec_time::numeric) AS ms, round((total_exec_time / calls)::numeric, 3) AS mean_ms, rows, wal_bytes,
            left(regexp_replace(query, '\\s+', ' ', 'g'), 110) AS q
       FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = '${stack.dbName}')
      ORDER BY total_exec_time DESC LIMIT 25`,
  );
  for (const r of rows) log(`  ${String(r.ms).padStart(6)} ms ${String(r.calls).padStart(6)} calls ${String(r.wal_bytes).padStart(10)} WAL bytes  ${r.q}`);
} finally {
  await pool.end();
  await stack.close();
}
