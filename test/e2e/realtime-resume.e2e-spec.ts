import pg from 'pg';
import { ReplayRepository } from '../../src/realtime/replay.repository.js';
import { startTestApp, TestApp } from '../support/test-app.js';
import { CreatedApp, createApp, fixtureWith, postJwt, waitFor } from '../support/webhooks.js';
import { TestWsClient, wsUrl } from '../support/ws-client.js';

const USER = '4785129047965696'; // the fixtures' target.id
const OTHER_USER = '4785129047965697';

function ringing(callId: string, user = USER): string {
  return fixtureWith('inbound-ringing.json', { call_id: callId }).replace(USER, user);
}

const bySeq = (a: string, b: string) => (BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b) ? 1 : 0);
const maxSeq = (seqs: string[]) => [...seqs].sort(bySeq).at(-1)!;
const seqsOf = (c: TestWsClient) => c.events().map((e) => String(e.seq));

describe('realtime resume with ?since= (e2e)', () => {
  let t: TestApp;
  let pool: pg.Pool;
  const clients: TestWsClient[] = [];
  const connect = async (query: Record<string, string>) => {
    const c = await TestWsClient.connect(wsUrl(t.baseUrl, query));
    clients.push(c);
    return c;
  };
  const post = async (app: CreatedApp, json: string): Promise<string> => {
    const res = await postJwt(t, app, json);
    if (res.status !== 200) throw new Error(`webhook answered ${res.status}: ${res.text}`);
    return res.body.event_id as string;
  };
  const processedCount = async (appId: string) =>
    Number(
      (await pool.query<{ n: string }>('SELECT count(*) AS n FROM webhook_events WHERE app_id = $1 AND processed_at IS NOT NULL', [appId])).rows[0]!
        .n,
    );

  beforeAll(async () => {
    t = await startTestApp({ EVENT_POLL_INTERVAL_MS: '200' });
    pool = new pg.Pool({ connectionString: t.db.url, max: 2 });
  });
  afterAll(async () => {
    for (const c of clients) c.socket.terminate();
    await pool?.end();
    await t?.close();
  });

  it('replays exactly the events after `since`, in order, then `resumed`, then the live stream', async () => {
    const app = await createApp(t, 'Resume simple');
    const other = await createApp(t, 'Resume other');
    const first = await connect({ api_key: app.api_key });
    const seen: string[] = [];
    for (let i = 0; i < 3; i++) seen.push(await post(app, ringing(`720000000000000${i}`)));
    await first.waitForEvents(3);
    expect(seqsOf(first)).toEqual(seen);
    first.close();
    await first.waitClosed();

    // missed while away: 4 events of the app (one of another user), one of another app
    const missed: string[] = [];
    missed.push(await post(app, ringing('7200000000000010')));
    missed.push(await post(app, ringing('7200000000000011', OTHER_USER)));
    await post(other, ringing('7200000000000012'));
    missed.push(await post(app, ringing('7200000000000013')));
    missed.push(await post(app, fixtureWith('inbound-connected.json', { call_id: '7200000000000010' })));
    await waitFor(async () => (await processedCount(app.id)) === 7 && (await processedCount(other.id)) === 1);

    const since = seen[2]!;
    const resumed = await connect({ api_key: app.api_key, since });
    await resumed.waitFor((m) => m.type === 'resumed');
    expect(resumed.messages.map((m) => m.type ?? m.seq)).toEqual(['welcome', ...missed, 'resumed']);
    expect(resumed.messages.at(-1)).toEqual({ type: 'resumed', since, replayed: 4 });
    expect(resumed.events().map((e) => [e.call_id, e.event, e.status])).toEqual([
      ['7200000000000010', 'call.ring', 'ringing'],
      ['7200000000000011', 'call.ring', 'ringing'],
      ['7200000000000013', 'call.ring', 'ringing'],
      ['7200000000000010', 'call.connected', 'connected'],
    ]);
    // replayed messages are the ones the live stream sent
    const live = await connect({ api_key: app.api_key });
    const next = await post(app, ringing('7200000000000014'));
    const [liveEvent] = await live.waitForEvents(1);
    await resumed.waitForEvents(5);
    expect(seqsOf(resumed)).toEqual([...missed, next]);
    expect(resumed.events()[4]).toEqual(liveEvent);

    // with a filter, only that user's missed events are replayed
    const filtered = await connect({ api_key: app.api_key, since, dialpad_user_id: OTHER_USER });
    await filtered.waitFor((m) => m.type === 'resumed');
    expect(filtered.messages.map((m) => m.type ?? m.seq)).toEqual(['welcome', missed[1], 'resumed']);
    expect(filtered.messages.at(-1)).toMatchObject({ type: 'resumed', replayed: 1 });

    // nothing after the newest seq: an empty replay
    const upToDate = await connect({ api_key: app.api_key, since: next });
    await upToDate.waitFor((m) => m.type === 'resumed');
    expect(upToDate.messages).toEqual([expect.objectContaining({ type: 'welcome' }), { type: 'resumed', since: next, replayed: 0 }]);

    // another app's key never replays this app's events
    const otherClient = await connect({ api_key: other.api_key, since: '0' });
    await otherClient.waitFor((m) => m.type === 'resumed');
    expect(otherClient.events().map((e) => e.call_id)).toEqual(['7200000000000012']);
  });

  it('replays the newest 1000 events of the last 15 minutes, joining the live stream without a hole', async () => {
    const app = await createApp(t, 'Resume window');
    // 1150 processed events straight into the log: the first 50 processed 20 minutes ago
    const { rows } = await pool.query<{ id: string }>(
      `INSERT INTO webhook_events (app_id, dialpad_event_id, event_type, dialpad_call_id, payload, processed_at)
       SELECT $1, 'win:' || g, 'call.ring', (9100000000000000 + g)::text, '{}'::jsonb,
              CASE WHEN g <= 50 THEN now() - interval '20 minutes' ELSE now() END
         FROM generate_series(1, 1150) g ORDER BY g
       RETURNING id::text`,
      [app.id],
    );
    await pool.query(
      `UPDATE webhook_events SET broadcast = jsonb_build_object('seq', id::text, 'event', event_type, 'call_id', dialpad_call_id)
        WHERE app_id = $1`,
      [app.id],
    );
    const ids = rows.map((r) => r.id).sort(bySeq);
    expect(ids).toHaveLength(1150);

    // 1100 events after `since` are in the time window: the oldest 100 of them are past the 1000-event window
    const client = await connect({ api_key: app.api_key, since: String(BigInt(ids[0]!) - 1n) });
    await client.waitFor((m) => m.type === 'resumed', 10_000);
    expect(client.messages.at(-1)).toMatchObject({ type: 'resumed', replayed: 1000 });
    expect(seqsOf(client)).toEqual(ids.slice(150));
    // and the live stream continues right after the newest replayed one
    const next = await post(app, ringing('9100000000009999'));
    await client.waitForEvents(1001);
    expect(seqsOf(client).at(-1)).toBe(next);

    // from a recent seq, exactly the events after it
    const recent = await connect({ api_key: app.api_key, since: ids[1140]! });
    await recent.waitFor((m) => m.type === 'resumed');
    expect(seqsOf(recent)).toEqual([...ids.slice(1141), next]);
  });

  // the seam, made deterministic: live events are published while the replay is still running
  it.each([
    ['the replay reads after the live events were processed (overlap: de-duplicated)', 'query-late', 5],
    ['the replay read before the live events (no overlap: they follow it)', 'query-early', 2],
  ] as const)('resume seam: %s', async (_title, mode, expectedReplayed) => {
    const app = await createApp(t, `Seam ${mode}`);
    const seen: string[] = [];
    for (let i = 0; i < 3; i++) seen.push(await post(app, ringing(`740000000000000${i}${mode.length}`)));
    await waitFor(async () => (await processedCount(app.id)) === 3);

    const replays = t.app.get(ReplayRepository);
    const original = replays.after.bind(replays);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let replayStarted = false;
    replays.after = async (appId: string, seq: string) => {
      replayStarted = true;
      if (mode === 'query-late') {
        await gate;
        return original(appId, seq);
      }
      const rows = await original(appId, seq);
      await gate;
      return rows;
    };
    try {
      const client = await connect({ api_key: app.api_key, since: seen[0]! });
      await waitFor(async () => replayStarted);
      const live: string[] = [];
      for (let i = 0; i < 3; i++) live.push(await post(app, ringing(`750000000000000${i}${mode.length}`)));
      await waitFor(async () => (await processedCount(app.id)) === 6);
      await new Promise((r) => setTimeout(r, 150)); // the live events reach the node, and wait behind the replay
      expect(client.events()).toEqual([]);
      release();
      await client.waitFor((m) => m.type === 'resumed');
      await new Promise((r) => setTimeout(r, 150));
      expect(seqsOf(client)).toEqual([seen[1], seen[2], ...live]);
      expect(client.messages.at(-1)).toEqual({ type: 'resumed', since: seen[0], replayed: expectedReplayed });
      // and the live stream goes on
      const after = await post(app, ringing(`760000000000000${mode.length}`));
      await client.waitForEvents(6);
      expect(seqsOf(client)).toEqual([seen[1], seen[2], ...live, after]);
    } finally {
      release();
      replays.after = original;
    }
  });

  it('a client that reconnects mid-burst of 500 events gets every event exactly once, in order after the resume', async () => {
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
          Array.from({ length: chunk }, (_, i) => post(app, ringing(String(7300000000000000n + BigInt(start + i))))),
        );
        posted.push(...ids);
        await new Promise((r) => setTimeout(r, 60));
      }
      burstDone = true;
    })();

    // drop the first connection while events keep coming
    await first.waitForEvents(100, 15_000);
    first.close();
    await first.waitClosed();
    const firstSeqs = seqsOf(first);
    const since = maxSeq(firstSeqs);
    // stay away while at least 100 more events are processed, then come back mid-burst
    await waitFor(async () => (await processedCount(app.id)) >= firstSeqs.length + 100, 15_000);
    const second = await connect({ api_key: app.api_key, since });
    const processedAtReconnect = await processedCount(app.id);

    // more clients resume while the rest of the burst is processed, each from a recent seq:
    // their replay and the live stream overlap at the seam
    const late: { client: TestWsClient; since: string }[] = [];
    while (late.length < 15 && (await processedCount(app.id)) < total) {
      const { rows } = await pool.query<{ seq: string }>(
        `SELECT (max(id) - 20)::text AS seq FROM webhook_events WHERE app_id = $1 AND processed_at IS NOT NULL`,
        [app.id],
      );
      const lateSince = rows[0]!.seq;
      late.push({ client: await connect({ api_key: app.api_key, since: lateSince }), since: lateSince });
      await new Promise((r) => setTimeout(r, 40));
    }

    await burst;
    expect(burstDone).toBe(true);
    expect(new Set(posted).size).toBe(total);
    await waitFor(async () => (await processedCount(app.id)) === total, 20_000);
    await second.waitFor((m) => m.type === 'resumed', 10_000);
    await waitFor(async () => firstSeqs.length + seqsOf(second).length >= total, 10_000).catch(() => undefined);
    for (const { client } of late) await client.waitForEvents(1, 10_000).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 300)); // duplicates would arrive by now
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
    expect(secondSeqs.every((s) => bySeq(s, since) > 0)).toBe(true);

    // the union: every event exactly once
    const union = [...firstSeqs, ...secondSeqs];
    const counts = new Map<string, number>();
    for (const s of union) counts.set(s, (counts.get(s) ?? 0) + 1);
    expect({
      missing: posted.filter((s) => !counts.has(s)),
      duplicated: [...counts].filter(([, n]) => n > 1).map(([s]) => s),
      extra: union.filter((s) => !posted.includes(s)),
    }).toEqual({ missing: [], duplicated: [], extra: [] });
    expect(union).toHaveLength(total);
    // the second connection's events in increasing seq order, across the replay/live seam
    expect(secondSeqs).toEqual([...secondSeqs].sort(bySeq));
    // each late client: every event after its seq, once, in order
    expect(late.length).toBeGreaterThanOrEqual(3);
    for (const { client, since: lateSince } of late) {
      await client.waitFor((m) => m.type === 'resumed');
      expect(seqsOf(client)).toEqual(posted.filter((p) => bySeq(p, lateSince) > 0).sort(bySeq));
    }
    // every message names its own call: the burst's 500 calls, each once
    const calls = [...first.events(), ...second.events()].map((e) => String(e.call_id));
    expect(new Set(calls).size).toBe(total);
  }, 45_000);
});
