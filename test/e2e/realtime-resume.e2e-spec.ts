import { randomBytes } from 'node:crypto';
import type { AppId } from '../../src/common/app-id.js';
import pg from 'pg';
import { ReplayRepository } from '../../src/realtime/replay.repository.js';
import { insertEvents, realEvent } from '../support/event-rows.js';
import { startTestApp, TestApp } from '../support/test-app.js';
import { CreatedApp, createApp, fixtureWith, postJwt, waitFor } from '../support/webhooks.js';
import { TestWsClient, wsUrl } from '../support/ws-client.js';

const USER = '4785129047965696'; // the fixtures' target.id
const OTHER_USER = '4785129047965697';

function ringing(callId: string, user = USER): string {
  return fixtureWith('inbound-ringing.json', { call_id: callId }).replace(USER, user);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** 1, 2, … n */
const range = (from: number, to: number) => Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i);
/** The stream positions (`seq`, a number) of a client's events, as received. */
const seqsOf = (c: TestWsClient) =>
  c.events().map((e) => {
    if (typeof e.seq !== 'number') throw new Error(`seq is not a number: ${JSON.stringify(e)}`);
    return e.seq;
  });
/** webhook_events ids (`event_id`, what the webhook answered) of a client's events, as received. */
const idsOf = (c: TestWsClient) => c.events().map((e) => e.event_id as string);
const strictlyIncreasing = (seqs: number[]) => seqs.every((s, i) => i === 0 || s > seqs[i - 1]!);

async function post(t: TestApp, app: CreatedApp, json: string): Promise<string> {
  const res = await postJwt(t, app, json);
  if (res.status !== 200) throw new Error(`webhook answered ${res.status}: ${res.text}`);
  return res.body.event_id as string;
}

async function processedCount(pool: pg.Pool, appId: string): Promise<number> {
  const { rows } = await pool.query<{ n: string }>('SELECT count(*) AS n FROM webhook_events WHERE app_id = $1 AND processed_at IS NOT NULL', [appId]);
  return Number(rows[0]!.n);
}

/** The app's stream as stored: event id → position, and the counter row. */
async function storedStream(pool: pg.Pool, appId: string): Promise<{ byId: Map<string, number>; ids: string[]; last: number }> {
  const { rows } = await pool.query<{ id: string; seq: string }>(
    'SELECT id::text, stream_seq::text AS seq FROM webhook_events WHERE app_id = $1 AND stream_seq IS NOT NULL ORDER BY stream_seq',
    [appId],
  );
  const counter = await pool.query<{ last: string }>('SELECT last_seq::text AS last FROM app_event_streams WHERE app_id = $1', [appId]);
  return { byId: new Map(rows.map((r) => [r.id, Number(r.seq)])), ids: rows.map((r) => r.id), last: Number(counter.rows[0]?.last ?? 0) };
}

/** Every stream position 1..n exactly once over the connections, each connection's strictly increasing. */
function expectWholeStream(perConnection: number[][], n: number): void {
  for (const seqs of perConnection) expect({ seqs, increasing: strictlyIncreasing(seqs) }).toEqual({ seqs, increasing: true });
  const counts = new Map<number, number>();
  for (const s of perConnection.flat()) counts.set(s, (counts.get(s) ?? 0) + 1);
  expect({
    missing: range(1, n).filter((s) => !counts.has(s)),
    duplicated: [...counts].filter(([, k]) => k > 1).map(([s]) => s),
    extra: [...counts.keys()].filter((s) => s < 1 || s > n),
  }).toEqual({ missing: [], duplicated: [], extra: [] });
}

/** Each message's `seq` is the stored stream position of its `event_id`. */
function expectSeqsMatchStore(c: TestWsClient, byId: Map<string, number>): void {
  const wrong = c.events().filter((e) => byId.get(e.event_id as string) !== e.seq);
  expect(wrong).toEqual([]);
}

describe('realtime resume with ?since= (e2e)', () => {
  let t: TestApp;
  let pool: pg.Pool;
  const clients: TestWsClient[] = [];
  const connect = async (query: Record<string, string>) => {
    const c = await TestWsClient.connect(wsUrl(t.baseUrl, query));
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    t = await startTestApp({ EVENT_POLL_INTERVAL_MS: '200' });
    pool = new pg.Pool({ connectionString: t.db.url, max: 3 });
  });
  afterAll(async () => {
    for (const c of clients) c.socket.terminate();
    await pool?.end();
    await t?.close();
  });

  it('replays exactly the stream positions after `since`, in order, then `resumed`, then the live stream', async () => {
    const app = await createApp(t, 'Resume simple');
    const other = await createApp(t, 'Resume other');
    const first = await connect({ api_key: app.api_key });
    const seen: string[] = [];
    for (let i = 0; i < 3; i++) seen.push(await post(t, app, ringing(`720000000000000${i}`)));
    await first.waitForEvents(3);
    expect(seqsOf(first)).toEqual([1, 2, 3]);
    expect(idsOf(first)).toEqual(seen);
    first.close();
    await first.waitClosed();

    // missed while away: 4 events of the app (one of another user), one of another app
    const missed: string[] = [];
    missed.push(await post(t, app, ringing('7200000000000010')));
    missed.push(await post(t, app, ringing('7200000000000011', OTHER_USER)));
    const otherId = await post(t, other, ringing('7200000000000012'));
    missed.push(await post(t, app, ringing('7200000000000013')));
    missed.push(await post(t, app, fixtureWith('inbound-connected.json', { call_id: '7200000000000010' })));
    await waitFor(async () => (await processedCount(pool, app.id)) === 7 && (await processedCount(pool, other.id)) === 1);

    const since = seqsOf(first).at(-1)!;
    const resumed = await connect({ api_key: app.api_key, since: String(since) });
    await resumed.waitFor((m) => m.type === 'resumed');
    expect(resumed.messages.map((m) => m.type ?? m.seq)).toEqual(['welcome', 4, 5, 6, 7, 'resumed']);
    expect(idsOf(resumed)).toEqual(missed);
    expect(resumed.messages.at(-1)).toEqual({ type: 'resumed', since: 3, replayed: 4 });
    expect(resumed.events().map((e) => [e.call_id, e.event, e.status])).toEqual([
      ['7200000000000010', 'call.ring', 'ringing'],
      ['7200000000000011', 'call.ring', 'ringing'],
      ['7200000000000013', 'call.ring', 'ringing'],
      ['7200000000000010', 'call.connected', 'connected'],
    ]);
    // replayed messages are the ones the live stream sent
    const live = await connect({ api_key: app.api_key });
    const next = await post(t, app, ringing('7200000000000014'));
    const [liveEvent] = await live.waitForEvents(1);
    expect(liveEvent).toMatchObject({ seq: 8, event_id: next });
    await resumed.waitForEvents(5);
    expect(seqsOf(resumed)).toEqual([4, 5, 6, 7, 8]);
    expect(resumed.events()[4]).toEqual(liveEvent);

    // with a filter, only that user's missed events are replayed (their positions keep the app's numbering)
    const filtered = await connect({ api_key: app.api_key, since: '3', dialpad_user_id: OTHER_USER });
    await filtered.waitFor((m) => m.type === 'resumed');
    expect(filtered.messages.map((m) => m.type ?? m.seq)).toEqual(['welcome', 5, 'resumed']);
    expect(idsOf(filtered)).toEqual([missed[1]]);
    expect(filtered.messages.at(-1)).toEqual({ type: 'resumed', since: 3, replayed: 1 });

    // nothing after the newest position: an empty replay
    const upToDate = await connect({ api_key: app.api_key, since: '8' });
    await upToDate.waitFor((m) => m.type === 'resumed');
    expect(upToDate.messages).toEqual([expect.objectContaining({ type: 'welcome' }), { type: 'resumed', since: 8, replayed: 0 }]);

    // another app's key never replays this app's events: that app has its own stream, from 1
    const otherClient = await connect({ api_key: other.api_key, since: '0' });
    await otherClient.waitFor((m) => m.type === 'resumed');
    expect(otherClient.events().map((e) => [e.seq, e.event_id, e.call_id])).toEqual([[1, otherId, '7200000000000012']]);

    const stored = await storedStream(pool, app.id);
    expect(stored.ids).toEqual([...seen, ...missed, next]);
    expect(stored.last).toBe(8);
    for (const c of [first, resumed, live, filtered]) expectSeqsMatchStore(c, stored.byId);
  });

  it('replays the newest 1000 events of the last 15 minutes, joining the live stream without a hole', async () => {
    const app = await createApp(t, 'Resume window');
    // 1150 processed events straight into the log, at stream positions 1..1150: the first 50 processed 20 minutes ago
    const { rows } = await pool.query<{ id: string; seq: string }>(
      `INSERT INTO webhook_events (app_id, dialpad_event_id, event_type, dialpad_call_id, payload, processed_at, stream_seq)
       SELECT $1, 'win:' || g, 'call.ring', (9100000000000000 + g)::text, '{}'::jsonb,
              CASE WHEN g <= 50 THEN now() - interval '20 minutes' ELSE now() END, g
         FROM generate_series(1, 1150) g ORDER BY g
       RETURNING id::text, stream_seq::text AS seq`,
      [app.id],
    );
    await pool.query(
      `UPDATE webhook_events
          SET broadcast = jsonb_build_object('seq', stream_seq, 'event_id', id::text, 'event', event_type, 'call_id', dialpad_call_id)
        WHERE app_id = $1`,
      [app.id],
    );
    // the app's counter says where the stream is: the next processed event is 1151
    await pool.query('INSERT INTO app_event_streams (app_id, last_seq) VALUES ($1, 1150)', [app.id]);
    expect(rows.map((r) => Number(r.seq))).toEqual(range(1, 1150));
    const idAt = new Map(rows.map((r) => [Number(r.seq), r.id]));

    // 1100 events after `since` are in the time window: the oldest 100 of them are past the 1000-event window
    const client = await connect({ api_key: app.api_key, since: '0' });
    await client.waitFor((m) => m.type === 'resumed', 10_000);
    expect(client.messages.at(-1)).toEqual({ type: 'resumed', since: 0, replayed: 1000 });
    expect(seqsOf(client)).toEqual(range(151, 1150));
    expect(idsOf(client)).toEqual(range(151, 1150).map((s) => idAt.get(s)));
    // and the live stream continues right after the newest replayed one
    const next = await post(t, app, ringing('9100000000009999'));
    await client.waitForEvents(1001);
    expect(client.events().at(-1)).toMatchObject({ seq: 1151, event_id: next, call_id: '9100000000009999' });

    // from a recent position, exactly the events after it
    const recent = await connect({ api_key: app.api_key, since: '1140' });
    await recent.waitFor((m) => m.type === 'resumed');
    expect(seqsOf(recent)).toEqual(range(1141, 1151));
    expect(recent.messages.at(-1)).toEqual({ type: 'resumed', since: 1140, replayed: 11 });
    expect((await storedStream(pool, app.id)).last).toBe(1151);
  });

  // the seam, made deterministic: live events are published while the replay is still running
  it.each([
    ['the replay reads after the live events were processed (overlap: de-duplicated)', 'query-late', 5],
    ['the replay read before the live events (no overlap: they follow it)', 'query-early', 2],
  ] as const)('resume seam: %s', async (_title, mode, expectedReplayed) => {
    const app = await createApp(t, `Seam ${mode}`);
    const seen: string[] = [];
    for (let i = 0; i < 3; i++) seen.push(await post(t, app, ringing(`740000000000000${i}${mode.length}`)));
    await waitFor(async () => (await processedCount(pool, app.id)) === 3);

    const replays = t.app.get(ReplayRepository);
    const original = replays.after.bind(replays);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let replayStarted = false;
    replays.after = async (appId: AppId, since: number) => {
      replayStarted = true;
      if (mode === 'query-late') {
        await gate;
        return original(appId, since);
      }
      const rows = await original(appId, since);
      await gate;
      return rows;
    };
    try {
      const client = await connect({ api_key: app.api_key, since: '1' });
      await waitFor(async () => replayStarted);
      const live: string[] = [];
      for (let i = 0; i < 3; i++) live.push(await post(t, app, ringing(`750000000000000${i}${mode.length}`)));
      await waitFor(async () => (await processedCount(pool, app.id)) === 6);
      await sleep(300); // the live events reach the node (past the stream orderer's first wait), and wait behind the replay
      expect(client.events()).toEqual([]);
      release();
      await client.waitFor((m) => m.type === 'resumed');
      await sleep(150);
      expect(seqsOf(client)).toEqual([2, 3, 4, 5, 6]);
      expect(idsOf(client)).toEqual([seen[1], seen[2], ...live]);
      expect(client.messages.at(-1)).toEqual({ type: 'resumed', since: 1, replayed: expectedReplayed });
      // and the live stream goes on
      const after = await post(t, app, ringing(`760000000000000${mode.length}`));
      await client.waitForEvents(6);
      expect(seqsOf(client)).toEqual([2, 3, 4, 5, 6, 7]);
      expect(idsOf(client).at(-1)).toBe(after);
    } finally {
      release();
      replays.after = original;
    }
  });

  it('an event committed after a later one (out of id order) is replayed to a client that resumes from the later one', async () => {
    const app = await createApp(t, 'Resume out of order');
    const watcher = await connect({ api_key: app.api_key }); // stays connected throughout
    const client = await connect({ api_key: app.api_key });
    const e1 = await post(t, app, ringing('7700000000000001'));
    await client.waitForEvents(1);

    // a webhook is being stored in a transaction that has not committed yet: its id is taken, not visible
    const held = new pg.Client({ connectionString: t.db.url });
    await held.connect();
    let heldId: string;
    try {
      await held.query('BEGIN');
      [heldId] = await insertEvents(held, app.id, [realEvent('inbound-ringing.json', '7700000000000002')]);
      // meanwhile a later webhook is stored, processed and delivered
      const e2 = await post(t, app, ringing('7700000000000003'));
      expect(BigInt(heldId!)).toBeLessThan(BigInt(e2));
      await client.waitForEvents(2);
      expect(client.events().map((e) => [e.seq, e.event_id])).toEqual([
        [1, e1],
        [2, e2],
      ]);
      client.close();
      await client.waitClosed();
      await held.query('COMMIT');
    } finally {
      await held.end();
    }
    // the held event is processed after the later one: it gets the next stream position
    await waitFor(async () => (await processedCount(pool, app.id)) === 3);
    const stored = await storedStream(pool, app.id);
    expect(stored.byId.get(heldId!)).toBe(3);

    // resuming from the last seq seen replays it (an id-based `since` would have skipped it: its id is older)
    const resumed = await connect({ api_key: app.api_key, since: String(seqsOf(client).at(-1)) });
    await resumed.waitFor((m) => m.type === 'resumed');
    expect(resumed.messages.map((m) => m.type ?? m.seq)).toEqual(['welcome', 3, 'resumed']);
    expect(resumed.events()[0]).toMatchObject({ seq: 3, event_id: heldId!, call_id: '7700000000000002', event: 'call.ring' });
    expect(resumed.messages.at(-1)).toEqual({ type: 'resumed', since: 2, replayed: 1 });

    // the client that stayed saw the same stream live, in commit order
    await watcher.waitForEvents(3);
    expect(watcher.events().map((e) => [e.seq, e.event_id])).toEqual([
      [1, e1],
      [2, stored.ids[1]],
      [3, heldId!],
    ]);
    expect(resumed.events()[0]).toEqual(watcher.events()[2]);
    expectWholeStream([seqsOf(client), seqsOf(resumed)], 3);
  });

  it('a client that reconnects mid-burst of 500 events gets every stream position exactly once, in order after the resume', async () => {
    const app = await createApp(t, 'Resume burst');
    const first = await connect({ api_key: app.api_key });
    const total = 500;
    const chunk = 50;
    const posted: string[] = [];
    let burstDone = false;

    // the burst: 10 chunks of 50 concurrent webhooks, a little apart
    const burst = (async () => {
      for (let start = 0; start < total; start += chunk) {
        const ids = await Promise.all(
          Array.from({ length: chunk }, (_, i) => post(t, app, ringing(String(7300000000000000n + BigInt(start + i))))),
        );
        posted.push(...ids);
        await sleep(60);
      }
      burstDone = true;
    })();

    // drop the first connection while events keep coming
    await first.waitForEvents(100, 15_000);
    first.close();
    await first.waitClosed();
    const firstSeqs = seqsOf(first);
    const since = firstSeqs.at(-1)!;
    // stay away while at least 100 more events are processed, then come back mid-burst
    await waitFor(async () => (await processedCount(pool, app.id)) >= firstSeqs.length + 100, 15_000);
    const second = await connect({ api_key: app.api_key, since: String(since) });
    const processedAtReconnect = await processedCount(pool, app.id);

    // more clients resume while the rest of the burst is processed, each from a recent position:
    // their replay and the live stream overlap at the seam
    const late: { client: TestWsClient; since: number }[] = [];
    while (late.length < 15 && (await processedCount(pool, app.id)) < total) {
      const { rows } = await pool.query<{ last: string }>('SELECT last_seq::text AS last FROM app_event_streams WHERE app_id = $1', [app.id]);
      const lateSince = Math.max(0, Number(rows[0]!.last) - 20);
      late.push({ client: await connect({ api_key: app.api_key, since: String(lateSince) }), since: lateSince });
      await sleep(40);
    }

    await burst;
    expect(burstDone).toBe(true);
    expect(new Set(posted).size).toBe(total);
    await waitFor(async () => (await processedCount(pool, app.id)) === total, 20_000);
    await second.waitFor((m) => m.type === 'resumed', 10_000);
    // waits without failing: a shortfall is reported by the exact assertions below, not as a timeout
    await waitFor(async () => firstSeqs.length + seqsOf(second).length >= total, 10_000).catch(() => undefined);
    for (const { client, since: s } of late) await waitFor(async () => client.events().length >= total - s, 10_000).catch(() => undefined);
    await sleep(300); // duplicates would arrive by now
    const secondSeqs = seqsOf(second);

    // it really was mid-burst: events were missed while away, and more came live after the resume
    const resumedAt = second.messages.findIndex((m) => m.type === 'resumed');
    const resumedMsg = second.messages[resumedAt]!;
    const replayed = second.messages.slice(0, resumedAt).filter((m) => m.type === undefined).length;
    const liveAfter = second.messages.slice(resumedAt + 1).filter((m) => m.type === undefined).length;
    expect(processedAtReconnect).toBeLessThan(total);
    expect(resumedMsg).toEqual({ type: 'resumed', since, replayed });
    expect(replayed).toBeGreaterThanOrEqual(100);
    expect(liveAfter).toBeGreaterThan(0);

    // the stream as stored: positions 1..500, one per posted event, and the counter at 500
    const stored = await storedStream(pool, app.id);
    expect(stored.last).toBe(total);
    expect([...stored.byId.values()]).toEqual(range(1, total));
    expect([...stored.ids].sort()).toEqual([...posted].sort());

    // the first connection saw the stream from its start, without a hole; the second right after it
    expect(firstSeqs).toEqual(range(1, since));
    expect(secondSeqs).toEqual(range(since + 1, total));
    // the union: every position exactly once, each connection's strictly increasing across the replay/live seam
    expectWholeStream([firstSeqs, secondSeqs], total);
    expectSeqsMatchStore(first, stored.byId);
    expectSeqsMatchStore(second, stored.byId);
    // each late client: every position after its `since`, once, in order
    expect(late.length).toBeGreaterThanOrEqual(3);
    for (const { client, since: lateSince } of late) {
      await client.waitFor((m) => m.type === 'resumed');
      expect({ since: lateSince, seqs: seqsOf(client) }).toEqual({ since: lateSince, seqs: range(lateSince + 1, total) });
      expectSeqsMatchStore(client, stored.byId);
    }
    // every message names its own call: the burst's 500 calls, each once
    const calls = [...first.events(), ...second.events()].map((e) => String(e.call_id));
    expect(new Set(calls).size).toBe(total);
  }, 45_000);
});

describe('realtime stream positions across two nodes (e2e)', () => {
  let nodeA: TestApp;
  let nodeB: TestApp;
  let pool: pg.Pool;
  const clients: TestWsClient[] = [];
  const connect = async (node: TestApp, query: Record<string, string>) => {
    const c = await TestWsClient.connect(wsUrl(node.baseUrl, query));
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    const shared = {
      REDIS_KEY_PREFIX: `trs${randomBytes(4).toString('hex')}:`,
      INTERNAL_JWT_SECRET: randomBytes(32).toString('base64url'),
      ENCRYPTION_KEY: randomBytes(32).toString('hex'),
      EVENT_POLL_INTERVAL_MS: '200',
      EVENT_BATCH_SIZE: '10', // many small batches, on both nodes: their commits and publishes interleave
    };
    nodeA = await startTestApp(shared);
    nodeB = await startTestApp(shared, nodeA.db);
    pool = new pg.Pool({ connectionString: nodeA.db.url, max: 3 });
  });
  afterAll(async () => {
    for (const c of clients) c.socket.terminate();
    await pool?.end();
    await nodeB?.close(); // shares A's database: A drops it
    await nodeA?.close();
  });

  it('both nodes process and deliver two apps’ events: every client sees its app’s positions in order without a gap, a held event included', async () => {
    const x = await createApp(nodeA, 'Stream X');
    const y = await createApp(nodeB, 'Stream Y');
    const xClients = [await connect(nodeA, { api_key: x.api_key }), await connect(nodeB, { api_key: x.api_key })];
    const yClients = [await connect(nodeA, { api_key: y.api_key }), await connect(nodeB, { api_key: y.api_key })];
    // this one leaves node A mid-burst and resumes on node B
    const mover = await connect(nodeA, { api_key: x.api_key });

    // an X event held uncommitted from the start: it is committed (and processed) mid-burst, after later ids
    const held = new pg.Client({ connectionString: nodeA.db.url });
    await held.connect();
    let heldId = '';
    const perApp = 120;
    let resumed: TestWsClient | null = null;
    let moverSince = 0;
    try {
      await held.query('BEGIN');
      [heldId] = await insertEvents(held, x.id, [realEvent('inbound-ringing.json', '8800000000009999')]);
      for (let start = 0; start < perApp; start += 20) {
        const jobs: Promise<string>[] = [];
        for (let i = start; i < start + 20; i++) {
          jobs.push(post(i % 2 ? nodeA : nodeB, x, ringing(String(8800000000000000n + BigInt(i)))));
          jobs.push(post(i % 2 ? nodeB : nodeA, y, ringing(String(8900000000000000n + BigInt(i)))));
        }
        await Promise.all(jobs);
        if (start === 40) await held.query('COMMIT');
        if (start === 60) {
          await mover.waitForEvents(1);
          mover.close();
          await mover.waitClosed();
          moverSince = seqsOf(mover).at(-1)!;
        }
        if (start === 80) resumed = await connect(nodeB, { api_key: x.api_key, since: String(moverSince) });
        await sleep(30);
      }
    } finally {
      await held.end();
    }
    await waitFor(async () => (await processedCount(pool, x.id)) === perApp + 1 && (await processedCount(pool, y.id)) === perApp, 20_000);
    for (const c of xClients) await c.waitForEvents(perApp + 1, 10_000);
    for (const c of yClients) await c.waitForEvents(perApp, 10_000);
    await resumed!.waitFor((m) => m.type === 'resumed', 10_000);
    // waits without failing: a shortfall is reported by the exact assertions below, not as a timeout
    await waitFor(async () => seqsOf(mover).length + seqsOf(resumed!).length >= perApp + 1, 10_000).catch(() => undefined);
    await sleep(400); // anything extra would have arrived by now

    const xStream = await storedStream(pool, x.id);
    const yStream = await storedStream(pool, y.id);
    expect([xStream.last, yStream.last]).toEqual([perApp + 1, perApp]);
    expect([...xStream.byId.values()]).toEqual(range(1, perApp + 1));
    // the held event really was committed out of id order: a later id has an earlier position
    const heldSeq = xStream.byId.get(heldId)!;
    expect([...xStream.byId].some(([id, seq]) => BigInt(id) > BigInt(heldId) && seq < heldSeq)).toBe(true);

    // every client, on either node: 1..N of its app, each once, in order, with the stored event ids
    for (const c of xClients) {
      expect(seqsOf(c)).toEqual(range(1, perApp + 1));
      expectSeqsMatchStore(c, xStream.byId);
    }
    for (const c of yClients) {
      expect(seqsOf(c)).toEqual(range(1, perApp));
      expectSeqsMatchStore(c, yStream.byId);
    }
    expect(xClients[0]!.events()).toEqual(xClients[1]!.events());
    expect(yClients[0]!.events()).toEqual(yClients[1]!.events());
    // the client that moved from node A to node B: the union is the whole stream
    expect(seqsOf(mover)).toEqual(range(1, moverSince));
    expectWholeStream([seqsOf(mover), seqsOf(resumed!)], perApp + 1);
    expectSeqsMatchStore(resumed!, xStream.byId);
  }, 45_000);
});
