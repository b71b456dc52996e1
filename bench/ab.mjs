// `node bench/ab.mjs` (after `npm run build`): ingest with processing of two configurations of the node, AB_A and
// AB_B (JSON of variables, e.g. AB_B='{"EVENT_BATCH_SIZE":"100"}'), each against the bare endpoint in the same round,
// AB_ROUNDS (3) rounds of AB_SECONDS (10) in alternating order (this VM's speed drifts within minutes). Each
// configuration's node is started fresh and warmed up for 5 s in every round; AB_A_SQL / AB_B_SQL, if set, run on
// the bench database before that configuration's node starts (a storage setting, say). Not part of `npm run bench`.
import pg from 'pg';
import { drained, freePort, ingestLoad, ServiceStack, sleep, startProcess } from './lib.mjs';

const A = JSON.parse(process.env.AB_A ?? '{}');
const B = JSON.parse(process.env.AB_B ?? '{}');
const ROUNDS = Number(process.env.AB_ROUNDS ?? 3);
const SECONDS = Number(process.env.AB_SECONDS ?? 10);
const log = (m) => process.stderr.write(`ab: ${m}\n`);
const stack = await ServiceStack.create('ab');
const load = (url, secret, seconds = SECONDS) => ingestLoad(url, secret, { seconds });
const pool = new pg.Pool({ connectionString: stack.databaseUrl, max: 2 });
try {
  await pool.query(`CREATE TABLE bench_baseline_events (LIKE webhook_events INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING INDEXES)`);
  let svc = await stack.start();
  const app = await stack.createApp(svc.base, 'ab');
  await svc.child.stop();
  const port = await freePort();
  const baseline = startProcess(new URL('./baseline-server.mjs', import.meta.url).pathname, { DATABASE_URL: stack.databaseUrl, PORT: String(port), SECRET: app.webhook_secret }, 'baseline');
  stack.children.push(baseline);
  await sleep(1000);
  const baseUrl = `http://127.0.0.1:${port}/webhooks/dialpad/${app.id}`;
  await load(baseUrl, app.webhook_secret, 5);
  const out = { A: [], B: [] };
  for (let r = 1; r <= ROUNDS; r++) {
    for (const [name, env] of r % 2 ? [['A', A], ['B', B]] : [['B', B], ['A', A]]) {
      const sql = process.env[`AB_${name}_SQL`];
      if (sql) await pool.query(sql);
      svc = await stack.start(env);
      const url = `${svc.base}/webhooks/dialpad/${app.id}`;
      await load(url, app.webhook_secret, 5);
      await drained(pool);
      const b = await load(baseUrl, app.webhook_secret);
      const from = new Date();
      const s = await load(url, app.webhook_secret);
      await drained(pool);
      const { rows } = await pool.query(`SELECT count(*)::int AS n, extract(epoch FROM max(processed_at) - min(received_at)) AS s,
        percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM processed_at - received_at) * 1000) AS p99 FROM webhook_events WHERE received_at >= $1`, [from]);
      await svc.child.stop();
      const ratio = s.requests.average / b.requests.average;
      out[name].push(ratio);
      log(`round ${r} ${name}: ${Math.round(s.requests.average)} vs ${Math.round(b.requests.average)} req/s = ${ratio.toFixed(3)}×; processed ${Math.round(rows[0].n / rows[0].s)}/s, stored→processed p99 ${Number(rows[0].p99).toFixed(1)} ms, ingest p99 ${s.latency.p99} ms`);
    }
  }
  const med = (v) => [...v].sort((x, y) => x - y)[Math.floor(v.length / 2)];
  log(`median A ${med(out.A).toFixed(3)}× (${out.A.map((x) => x.toFixed(2)).join(', ')}), B ${med(out.B).toFixed(3)}× (${out.B.map((x) => x.toFixed(2)).join(', ')})`);
} finally {
  await pool.end();
  await stack.close();
}
