// `npm run test:cluster`: three service processes (the built dist/) on one PostgreSQL
// and one Redis. 5,000 webhooks spread over all three — duplicates and out-of-order
// deliveries mixed in — with WebSocket clients on every node. Asserts every event is
// processed exactly once in effect, every client receives every event of its app
// exactly once, and nothing crosses tenants. Then kills one node with SIGKILL in the
// middle of a burst and checks that its work is finished by the others.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { WebSocket } from 'ws';
import { ServiceStack, signJwt, sleep } from '../../bench/lib.mjs';
const say = (m) => process.stdout.write(`cluster: ${m}\n`);
const fixture = (name) => readFileSync(new URL(`../fixtures/dialpad/${name}`, import.meta.url), 'utf8');
const STATES = [fixture('inbound-ringing.json'), fixture('inbound-connected.json'), fixture('inbound-hangup.json')];

const nodes = [];
let nextCall = 8_100_000_000_000_000n + BigInt(randomBytes(2).readUInt16BE(0)) * 100_000n;

/** Events of `calls` inbound calls (ring, connected, hangup each), with exact expected outcomes. */
function callEvents(calls) {
  const events = [];
  for (let c = 0; c < calls; c++) {
    const callId = String(nextCall++);
    for (const tpl of STATES) events.push({ callId, json: tpl.replace(/"call_id": \d+/, `"call_id": ${callId}`) });
  }
  return events;
}

function shuffle(list) {
  for (let i = list.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [list[i], list[j]] = [list[j], list[i]];
  }
  return list;
}

/** Posts like Dialpad: retried on 5xx or a refused connection (another node takes it), never on 4xx. */
async function deliver(app, json, preferred) {
  const body = signJwt(json, app.webhook_secret);
  for (let attempt = 0; attempt < 20; attempt++) {
    const node = nodes[(preferred + attempt) % nodes.length];
    if (!node.alive) continue;
    try {
      const res = await fetch(`${node.base}/webhooks/dialpad/${app.id}`, { method: 'POST', headers: { 'content-type': 'application/jwt' }, body });
      if (res.status === 200) return res.json();
      if (res.status < 500) throw new Error(`webhook refused: ${res.status} ${await res.text()}`);
    } catch (err) {
      if (String(err.message).startsWith('webhook refused')) throw err;
    }
    await sleep(50 * (attempt + 1));
  }
  throw new Error('webhook not delivered after 20 attempts');
}

async function sendAll(items, concurrency = 32) {
  let next = 0;
  const acks = [];
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) {
        const k = next++;
        const { app, json } = items[k];
        acks.push(await deliver(app, json, k % nodes.length));
      }
    }),
  );
  return acks;
}

function client(node, app) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${node.base.replace('http', 'ws')}/ws?api_key=${app.api_key}`);
    const c = { ws, node: node.i, app: app.id, seqs: [], positions: [], foreign: 0 };
    ws.on('message', (d) => {
      const m = JSON.parse(d.toString());
      if (m.event_id) {
        c.seqs.push(m.event_id);
        c.positions.push(m.seq);
      }
    });
    ws.once('open', () => resolve(c));
    ws.once('error', reject);
  });
}

async function waitProcessed(pool, timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { rows } = await pool.query(`SELECT count(*)::int AS n FROM webhook_events WHERE processed_at IS NULL AND dead_at IS NULL`);
    if (rows[0].n === 0) return;
    if (Date.now() > deadline) throw new Error(`${rows[0].n} events still unprocessed`);
    await sleep(200);
  }
}

async function checkCalls(pool, appIds, expectedCalls) {
  const { rows } = await pool.query(
    `SELECT app_id, dialpad_call_id, status, connected_at, ended_at, duration_ms FROM calls WHERE app_id = ANY($1::uuid[])`,
    [appIds],
  );
  assert.equal(rows.length, expectedCalls, 'one calls row per call');
  const wrong = rows.filter((r) => r.status !== 'ended' || !r.connected_at || !r.ended_at);
  assert.equal(wrong.length, 0, `calls not ended correctly: ${JSON.stringify(wrong.slice(0, 3))}`);
  const { rows: failed } = await pool.query(`SELECT count(*)::int AS n FROM webhook_events WHERE attempts > 0 OR dead_at IS NOT NULL`);
  assert.equal(failed[0].n, 0, 'no event failed');
}

const started = Date.now();
const stack = await ServiceStack.create('cluster');
let pool;
try {
  pool = new pg.Pool({ connectionString: stack.databaseUrl, max: 2 });
  for (let i = 0; i < 3; i++) {
    const node = await stack.start({ EVENT_POLL_INTERVAL_MS: '1000', EVENT_BATCH_SIZE: '50' }, `node${i}`);
    nodes.push({ ...node, i, alive: true });
  }
  say(`3 nodes up: ${nodes.map((n) => n.base).join(' ')}`);

  const apps = [];
  for (const name of ['alpha', 'beta', 'gamma']) apps.push(await stack.createApp(nodes[0].base, name));
  const clients = [];
  for (const node of nodes) for (const app of apps) for (let k = 0; k < 2; k++) clients.push(await client(node, app));
  say(`${clients.length} WebSocket clients (2 per app per node)`);

  // 1. 5,000 deliveries: ~4,500 distinct events (500 calls × 3 states × 3 apps) + ~500 duplicates, shuffled
  const distinct = apps.flatMap((app) => callEvents(500).map((e) => ({ ...e, app })));
  const duplicates = shuffle([...distinct]).slice(0, 500);
  const deliveries = shuffle([...distinct, ...duplicates]);
  let t0 = Date.now();
  const acks = await sendAll(deliveries);
  say(`${deliveries.length} webhooks acknowledged in ${Date.now() - t0} ms (${acks.filter((a) => a.duplicate).length} duplicates)`);
  await waitProcessed(pool);
  say(`all processed ${Date.now() - t0} ms after the first webhook`);

  const { rows: stored } = await pool.query(`SELECT app_id, id::text AS seq FROM webhook_events WHERE broadcast IS NOT NULL`);
  assert.equal(stored.length, distinct.length, 'each distinct event stored once');
  await checkCalls(pool, apps.map((a) => a.id), 1500);
  const seqsByApp = new Map(apps.map((a) => [a.id, new Set()]));
  for (const r of stored) seqsByApp.get(r.app_id).add(r.seq);
  const settle = Date.now() + 15_000;
  while (Date.now() < settle && clients.some((c) => c.seqs.length < seqsByApp.get(c.app).size)) await sleep(100);
  for (const c of clients) {
    const expected = seqsByApp.get(c.app);
    const got = new Set(c.seqs);
    assert.equal(c.seqs.length, got.size, `client on node ${c.node} got a duplicate`);
    assert.equal(got.size, expected.size, `client on node ${c.node} of app ${c.app} got ${got.size}/${expected.size}`);
    for (const s of got) assert.ok(expected.has(s), `client of app ${c.app} got another app's event ${s}`);
    // connected before the first webhook: the app's whole stream, positions 1..N in order
    const wrong = c.positions.findIndex((p, k) => p !== k + 1);
    assert.equal(wrong, -1, `client on node ${c.node} of app ${c.app}: position ${c.positions[wrong]} at index ${wrong}`);
  }
  say(`every client got every event of its app exactly once, in stream order (seq 1..N), nothing from other apps`);
  const { rows: byNode } = await pool.query(`SELECT count(*)::int AS n FROM webhook_events`);
  assert.equal(byNode[0].n, distinct.length);

  // 2. SIGKILL one node in the middle of a burst: the others finish its claimed work
  const burst = shuffle(apps.flatMap((app) => callEvents(200).map((e) => ({ ...e, app }))));
  t0 = Date.now();
  const sending = sendAll(burst);
  await sleep(300);
  nodes[1].alive = false;
  nodes[1].child.kill('SIGKILL');
  say('node 1 killed with SIGKILL mid-burst');
  await sending;
  await waitProcessed(pool);
  await checkCalls(pool, apps.map((a) => a.id), 1500 + 600);
  const { rows: total } = await pool.query(`SELECT count(*)::int AS n FROM webhook_events`);
  assert.equal(total[0].n, distinct.length + burst.length, 'every acknowledged event stored exactly once');
  say(`after the kill: ${burst.length} more events, all processed exactly once (${Date.now() - t0} ms)`);
  for (const c of clients) c.ws.close();
  say(`passed in ${Math.round((Date.now() - started) / 1000)} s`);
} catch (err) {
  process.stderr.write(`cluster: FAILED: ${err.stack ?? err}\n`);
  for (const n of nodes) process.stderr.write(`--- node ${n.i} log tail ---\n${n.child.tail.slice(-15).join('\n')}\n`);
  process.exitCode = 1;
} finally {
  await pool?.end();
  await stack.close();
}
