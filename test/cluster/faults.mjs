// `npm run test:faults`: the service (built dist/) against real outages of its own
// PostgreSQL and Redis. It restarts the machine's PostgreSQL and Redis, so it runs
// alone (CI runs it after the other suites), never beside other tests.
//  1. PostgreSQL restarts during ingestion: webhooks in the outage get 503 (Dialpad
//     retries), never 500; nothing acknowledged is lost; the node recovers by itself.
//  2. Redis goes down: ingestion and the calls API keep working, WebSocket fan-out
//     degrades to the local node, /health says so, and everything recovers.
import assert from 'node:assert/strict';
import { exec as execCb, execSync } from 'node:child_process';
import { promisify } from 'node:util';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { WebSocket } from 'ws';
import { ServiceStack, signJwt, sleep, waitHttp } from '../../bench/lib.mjs';

const say = (m) => process.stdout.write(`faults: ${m}\n`);
const RING = readFileSync(new URL('../fixtures/dialpad/inbound-ringing.json', import.meta.url), 'utf8');
const PG_CLUSTER = execSync('ls /etc/postgresql').toString().trim().split('\n')[0];
const redisCli = (cmd) => execSync(`redis-cli -h 127.0.0.1 -p 6379 ${cmd}`, { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
const startRedis = () => execSync('redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no');

let nextCall = 8_300_000_000_000_000n + BigInt(randomBytes(2).readUInt16BE(0)) * 100_000n;
const event = () => {
  const callId = String(nextCall++);
  return { callId, json: RING.replace(/"call_id": \d+/, `"call_id": ${callId}`) };
};

async function post(base, app, json) {
  try {
    const res = await fetch(`${base}/webhooks/dialpad/${app.id}`, { method: 'POST', headers: { 'content-type': 'application/jwt' }, body: signJwt(json, app.webhook_secret) });
    return { status: res.status, body: res.status === 200 ? await res.json() : await res.text() };
  } catch {
    return { status: 0, body: null };
  }
}

const stack = await ServiceStack.create('faults');
let pool;
try {
  const { base } = await stack.start({ EVENT_POLL_INTERVAL_MS: '1000' });
  const app = await stack.createApp(base, 'faults');

  // 1. PostgreSQL restart during ingestion
  const acked = new Map();
  const statuses = new Map();
  let stop = false;
  const senders = Array.from({ length: 8 }, async () => {
    while (!stop) {
      const e = event();
      const r = await post(base, app, e.json);
      statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
      if (r.status === 200) acked.set(e.callId, r.body.event_id);
      else await sleep(20);
    }
  });
  await sleep(1000);
  say('restarting PostgreSQL');
  // async: the senders keep posting while the server is down
  await promisify(execCb)(`pg_ctlcluster --skip-systemctl-redirect ${PG_CLUSTER} main restart -m fast`);
  await sleep(2000);
  stop = true;
  await Promise.all(senders);
  say(`answers during the run: ${JSON.stringify(Object.fromEntries(statuses))}`);
  assert.ok(![...statuses.keys()].some((code) => code >= 500 && code !== 503), 'no 5xx other than 503 during a database outage');
  assert.ok((statuses.get(503) ?? 0) > 0, 'webhooks sent during the outage were answered 503 (so Dialpad retries)');
  await waitHttp(`${base}/health`, 30_000);
  pool = new pg.Pool({ connectionString: stack.databaseUrl, max: 2 });
  const deadline = Date.now() + 30_000;
  for (;;) {
    const { rows } = await pool.query(`SELECT count(*)::int AS n FROM webhook_events WHERE processed_at IS NULL`);
    if (rows[0].n === 0) break;
    assert.ok(Date.now() < deadline, 'events processed after the restart');
    await sleep(200);
  }
  const { rows: stored } = await pool.query(`SELECT dialpad_call_id FROM webhook_events`);
  const storedIds = new Set(stored.map((r) => r.dialpad_call_id));
  const lost = [...acked.keys()].filter((id) => !storedIds.has(id));
  assert.equal(lost.length, 0, `acknowledged events lost: ${lost.length}`);
  const after = await post(base, app, event().json);
  assert.equal(after.status, 200, 'the service recovered by itself');
  say(`PostgreSQL restart: ${acked.size} acknowledged events, none lost, all processed; ingestion recovered`);

  // 2. Redis down
  const ws = await new Promise((resolve, reject) => {
    const s = new WebSocket(`${base.replace('http', 'ws')}/ws?api_key=${app.api_key}`);
    const got = [];
    s.on('message', (d) => got.push(JSON.parse(d.toString())));
    s.once('open', () => resolve({ s, got }));
    s.once('error', reject);
  });
  say('stopping Redis');
  try {
    redisCli('shutdown nosave');
  } catch {
    /* the connection drops as it shuts down */
  }
  await sleep(500);
  const down = event();
  const r = await post(base, app, down.json);
  assert.equal(r.status, 200, `ingestion works without Redis (got ${r.status})`);
  const calls = await fetch(`${base}/api/calls`, { headers: { 'x-app-api-key': app.api_key } });
  assert.equal(calls.status, 200, 'the calls API works without Redis');
  const health = await fetch(`${base}/health`);
  assert.equal(health.status, 503, '/health reports Redis down');
  const agent = await (
    await fetch(`${base}/api/agents/token`, { method: 'POST', headers: { 'x-app-api-key': app.api_key, 'content-type': 'application/json' }, body: '{"agent_email":"agent@example.com"}' })
  ).json();
  const dial = await fetch(`${base}/dial`, { method: 'POST', headers: { authorization: `Bearer ${agent.token}` } });
  const dialBody = await dial.json();
  assert.equal(dial.status, 503, `the dialer refuses cleanly without Redis (got ${dial.status} ${JSON.stringify(dialBody)})`);
  assert.match(dialBody.message, /Redis is unavailable/);
  const localDeadline = Date.now() + 10_000;
  while (!ws.got.some((m) => m.call_id === down.callId) && Date.now() < localDeadline) await sleep(100);
  assert.ok(ws.got.some((m) => m.call_id === down.callId), 'fan-out degraded to the local node still delivers');
  say('Redis down: ingestion 200, calls API 200, /health 503, dialer 503, local WebSocket delivery works');
  startRedis();
  await waitHttp(`${base}/health`, 30_000);
  await sleep(1500); // the subscriber re-subscribes on reconnect
  const up = event();
  assert.equal((await post(base, app, up.json)).status, 200);
  const upDeadline = Date.now() + 10_000;
  while (!ws.got.some((m) => m.call_id === up.callId) && Date.now() < upDeadline) await sleep(100);
  assert.ok(ws.got.some((m) => m.call_id === up.callId), 'fan-out through Redis recovered');
  const seqs = ws.got.filter((m) => m.seq).map((m) => m.seq);
  assert.equal(seqs.length, new Set(seqs).size, 'no duplicate delivery across the outage');
  ws.s.close();
  say('Redis back: /health 200, fan-out through Redis recovered, no duplicates');
  say('passed');
} catch (err) {
  process.stderr.write(`faults: FAILED: ${err.stack ?? err}\n${stack.children[0]?.tail?.slice(-20).join('\n') ?? ''}\n`);
  process.exitCode = 1;
} finally {
  try {
    redisCli('ping');
  } catch {
    startRedis();
  }
  await pool?.end().catch(() => undefined);
  await stack.close();
}
