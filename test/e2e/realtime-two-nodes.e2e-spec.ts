import { randomBytes } from 'node:crypto';
import pg from 'pg';
import request from 'supertest';
import { startTestApp, TestApp } from '../support/test-app.js';
import { CreatedApp, createApp, fixtureWith, postJwt, waitFor } from '../support/webhooks.js';
import { TestWsClient, wsUrl } from '../support/ws-client.js';
import { metricSum } from '../support/metrics.js';

const USER = '4785129047965696'; // the fixtures' target.id
const OTHER_USER = '4785129047965697';

function fixtureFor(fixture: string, callId: string, user = USER): string {
  return fixtureWith(fixture, { call_id: callId }).replace(USER, user);
}

function seqCounts(c: TestWsClient): Map<string, number> {
  const counts = new Map<string, number>();
  for (const e of c.events()) counts.set(String(e.event_id), (counts.get(String(e.event_id)) ?? 0) + 1);
  return counts;
}

describe('realtime across two nodes sharing PostgreSQL and Redis (e2e)', () => {
  let nodeA: TestApp;
  let nodeB: TestApp;
  let pool: pg.Pool;
  const clients: TestWsClient[] = [];
  const connect = async (node: TestApp, query: Record<string, string>) => {
    const c = await TestWsClient.connect(wsUrl(node.baseUrl, query));
    clients.push(c);
    return c;
  };
  const post = async (node: TestApp, app: CreatedApp, json: string): Promise<string> => {
    const res = await postJwt(node, app, json);
    if (res.status !== 200) throw new Error(`webhook answered ${res.status}: ${res.text}`);
    return res.body.event_id as string;
  };

  beforeAll(async () => {
    const shared = {
      REDIS_KEY_PREFIX: `t2n${randomBytes(4).toString('hex')}:`,
      INTERNAL_JWT_SECRET: randomBytes(32).toString('base64url'),
      ENCRYPTION_KEY: randomBytes(32).toString('hex'),
      EVENT_PROCESSOR_ENABLED: 'true',
      EVENT_POLL_INTERVAL_MS: '200',
    };
    nodeA = await startTestApp(shared);
    nodeB = await startTestApp(shared, nodeA.db);
    pool = new pg.Pool({ connectionString: nodeA.db.url, max: 2 });
  });
  afterAll(async () => {
    for (const c of clients) c.socket.terminate();
    await pool?.end();
    await nodeB?.close(); // shares A's database: A drops it
    await nodeA?.close();
  });

  it('a client on node B receives an event posted to node A, and the other way round, once each', async () => {
    const app = await createApp(nodeA, 'Two nodes simple');
    const onA = await connect(nodeA, { api_key: app.api_key });
    const onB = await connect(nodeB, { api_key: app.api_key });
    const toA = await post(nodeA, app, fixtureFor('inbound-ringing.json', '8100000000000001'));
    const [eB] = await onB.waitForEvents(1);
    expect(eB).toMatchObject({ event_id: toA, event: 'call.ring', call_id: '8100000000000001', user_id: USER, status: 'ringing' });
    const toB = await post(nodeB, app, fixtureFor('inbound-ringing.json', '8100000000000002'));
    await onA.waitForEvents(2);
    await onB.waitForEvents(2);
    await new Promise((r) => setTimeout(r, 300));
    for (const c of [onA, onB]) expect(Object.fromEntries(seqCounts(c))).toEqual({ [toA]: 1, [toB]: 1 });
    expect(onA.events()).toEqual(onB.events());
    const { rows } = await pool.query(
      `SELECT id::text, processed_at IS NOT NULL AS processed, attempts FROM webhook_events WHERE app_id = $1 ORDER BY id`,
      [app.id],
    );
    expect(rows).toEqual([
      { id: toA, processed: true, attempts: 0 },
      { id: toB, processed: true, attempts: 0 },
    ]);
  });

  it('~200 events over both nodes: every client on each node gets each event of its app exactly once; each is processed once', async () => {
    const x = await createApp(nodeA, 'Two nodes X');
    const y = await createApp(nodeB, 'Two nodes Y');
    const processedBefore = (await metricSum(nodeA, 'cti_events_processed_total')) + (await metricSum(nodeB, 'cti_events_processed_total'));
    const sentBefore = (await metricSum(nodeA, 'cti_ws_messages_sent_total')) + (await metricSum(nodeB, 'cti_ws_messages_sent_total'));

    const xClients = [
      await connect(nodeA, { api_key: x.api_key }),
      await connect(nodeA, { api_key: x.api_key }),
      await connect(nodeB, { api_key: x.api_key }),
      await connect(nodeB, { api_key: x.api_key }),
    ];
    const xOtherUserOnB = await connect(nodeB, { api_key: x.api_key, dialpad_user_id: OTHER_USER });
    const yClients = [await connect(nodeA, { api_key: y.api_key }), await connect(nodeB, { api_key: y.api_key })];

    // X: 60 calls ringing → connected (every 3rd call is OTHER_USER's); Y: 40 calls ringing → hangup.
    // Each call's two events go to different nodes, in shuffled order.
    type Job = { app: CreatedApp; node: TestApp; json: string; call: string; user: string };
    const jobs: Job[] = [];
    for (let i = 0; i < 60; i++) {
      const call = String(8200000000000000n + BigInt(i));
      const user = i % 3 === 0 ? OTHER_USER : USER;
      jobs.push({ app: x, node: i % 2 ? nodeA : nodeB, json: fixtureFor('inbound-ringing.json', call, user), call, user });
      jobs.push({ app: x, node: i % 2 ? nodeB : nodeA, json: fixtureFor('inbound-connected.json', call, user), call, user });
    }
    for (let i = 0; i < 40; i++) {
      const call = String(8300000000000000n + BigInt(i));
      jobs.push({ app: y, node: i % 2 ? nodeA : nodeB, json: fixtureFor('inbound-ringing.json', call), call, user: USER });
      jobs.push({ app: y, node: i % 2 ? nodeB : nodeA, json: fixtureFor('inbound-hangup.json', call), call, user: USER });
    }
    // a fixed shuffle (deterministic)
    let seed = 42;
    for (let i = jobs.length - 1; i > 0; i--) {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      const j = seed % (i + 1);
      [jobs[i], jobs[j]] = [jobs[j]!, jobs[i]!];
    }
    const seqs: { seq: string; job: Job }[] = [];
    for (let start = 0; start < jobs.length; start += 50) {
      const chunk = jobs.slice(start, start + 50);
      const ids = await Promise.all(chunk.map((job) => post(job.node, job.app, job.json)));
      ids.forEach((seq, i) => seqs.push({ seq, job: chunk[i]! }));
    }
    expect(seqs).toHaveLength(200);
    expect(new Set(seqs.map((s) => s.seq)).size).toBe(200);
    const xSeqs = seqs.filter((s) => s.job.app === x).map((s) => s.seq);
    const ySeqs = seqs.filter((s) => s.job.app === y).map((s) => s.seq);
    const xOtherSeqs = seqs.filter((s) => s.job.app === x && s.job.user === OTHER_USER).map((s) => s.seq);
    expect([xSeqs.length, ySeqs.length, xOtherSeqs.length]).toEqual([120, 80, 40]);

    await waitFor(
      async () =>
        Number(
          (
            await pool.query<{ n: string }>(
              `SELECT count(*) AS n FROM webhook_events WHERE app_id = ANY($1::uuid[]) AND processed_at IS NOT NULL`,
              [[x.id, y.id]],
            )
          ).rows[0]!.n,
        ) === 200,
      20_000,
    );
    for (const c of xClients) await c.waitForEvents(120, 10_000);
    for (const c of yClients) await c.waitForEvents(80, 10_000);
    await xOtherUserOnB.waitForEvents(40, 10_000);
    await new Promise((r) => setTimeout(r, 400)); // a second delivery would have arrived by now

    const exactlyOnce = (c: TestWsClient, expected: string[]) => {
      const counts = seqCounts(c);
      expect({
        missing: expected.filter((s) => !counts.has(s)),
        duplicated: [...counts].filter(([, n]) => n > 1).map(([s]) => s),
        foreign: [...counts.keys()].filter((s) => !expected.includes(s)),
      }).toEqual({ missing: [], duplicated: [], foreign: [] });
    };
    for (const c of xClients) exactlyOnce(c, xSeqs);
    for (const c of yClients) exactlyOnce(c, ySeqs);
    exactlyOnce(xOtherUserOnB, xOtherSeqs);
    for (const e of xOtherUserOnB.events()) expect(e.user_id).toBe(OTHER_USER);

    // processed exactly once: all rows processed on the first attempt, and the two nodes' counters add up to 200
    const { rows: states } = await pool.query<{ processed: string; clean: string }>(
      `SELECT count(*) FILTER (WHERE processed_at IS NOT NULL) AS processed,
              count(*) FILTER (WHERE attempts = 0 AND last_error IS NULL AND dead_at IS NULL) AS clean
         FROM webhook_events WHERE app_id = ANY($1::uuid[])`,
      [[x.id, y.id]],
    );
    expect(states).toEqual([{ processed: '200', clean: '200' }]);
    const processedA = await metricSum(nodeA, 'cti_events_processed_total');
    const processedB = await metricSum(nodeB, 'cti_events_processed_total');
    expect(processedA + processedB - processedBefore).toBe(200);
    // frames sent: each client's events, once (4 × 120 + 2 × 80 + 40)
    const sent = (await metricSum(nodeA, 'cti_ws_messages_sent_total')) + (await metricSum(nodeB, 'cti_ws_messages_sent_total'));
    expect(sent - sentBefore).toBe(4 * 120 + 2 * 80 + 40);

    // calls are right whatever node processed which event, in whatever order
    const { rows: calls } = await pool.query<{ app_id: string; status: string; n: string; users: string }>(
      `SELECT app_id, status, count(*) AS n, string_agg(DISTINCT dialpad_user_id, ',' ORDER BY dialpad_user_id) AS users
         FROM calls WHERE app_id = ANY($1::uuid[]) GROUP BY app_id, status ORDER BY app_id = $2 DESC`,
      [[x.id, y.id], x.id],
    );
    expect(calls).toEqual([
      { app_id: x.id, status: 'connected', n: '60', users: [USER, OTHER_USER].sort().join(',') },
      { app_id: y.id, status: 'ended', n: '40', users: USER },
    ]);

    // connection counts per node and app in /metrics
    expect(await metricSum(nodeA, 'cti_ws_connections', `app_id="${x.id}"`)).toBe(2);
    expect(await metricSum(nodeB, 'cti_ws_connections', `app_id="${x.id}"`)).toBe(3);
    expect(await metricSum(nodeA, 'cti_ws_connections', `app_id="${y.id}"`)).toBe(1);
    expect(await metricSum(nodeB, 'cti_ws_connections', `app_id="${y.id}"`)).toBe(1);
    for (const c of [...xClients, ...yClients, xOtherUserOnB]) c.close();
  }, 45_000);

  it('revoking a key on node A closes the app’s sockets on node B with 4401', async () => {
    const app = await createApp(nodeA, 'Two nodes revoke');
    const bystander = await createApp(nodeA, 'Two nodes bystander');
    const onB = await connect(nodeB, { api_key: app.api_key });
    const otherOnB = await connect(nodeB, { api_key: bystander.api_key });
    // node B has the key cached: the revocation must reach it through Redis
    const rev = await request(nodeA.baseUrl).post(`/internal/apps/${app.id}/api-key/revoke`).set('Authorization', `Bearer ${nodeA.adminToken}`);
    expect(rev.status).toBe(200);
    expect(await onB.waitClosed(3000)).toBe(4401);
    await expect(TestWsClient.connect(wsUrl(nodeB.baseUrl, { api_key: app.api_key }))).rejects.toMatchObject({ status: 401 });
    await new Promise((r) => setTimeout(r, 200));
    expect(otherOnB.closeCode).toBeNull();
  });
});
