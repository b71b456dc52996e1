import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { EventProcessor } from '../../src/events/event-processor.service.js';
import { ProcessedEvent, ProcessedEventsBus } from '../../src/events/processed-events.bus.js';
import { insertEvents, RawEvent, realEvent } from '../support/event-rows.js';
import { createTestDatabase, startTestApp, TestApp, TestDatabase } from '../support/test-app.js';
import { CreatedApp, createApp, waitFor } from '../support/webhooks.js';

const INBOUND_CALLS = 700; // ring, connected, hangup each; the first RECORDED also get a recording
const RECORDED = 300;
const OUTBOUND_CALLS = 300; // calling, hangup (never answered)
const TOTAL = INBOUND_CALLS * 3 + RECORDED + OUTBOUND_CALLS * 2; // 3000

const inboundId = (i: number) => String(5910447283257344n + BigInt(i));
const outboundId = (i: number) => String(4987331827236864n + BigInt(i));

/** Deterministic shuffle: a call's events land out of order, in different batches, on different nodes. */
function shuffle<T>(items: T[], seed = 42): T[] {
  const out = [...items];
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

describe('two processors racing over one database (e2e)', () => {
  let db: TestDatabase;
  let a: TestApp;
  let b: TestApp;
  let pool: pg.Pool;
  let tenant: CreatedApp;
  const published: Record<'a' | 'b', ProcessedEvent[]> = { a: [], b: [] };

  beforeAll(async () => {
    db = await createTestDatabase();
    const shared = {
      EVENT_PROCESSOR_ENABLED: 'true',
      EVENT_BATCH_SIZE: '20',
      EVENT_POLL_INTERVAL_MS: '200',
      REDIS_KEY_PREFIX: `t${randomBytes(4).toString('hex')}:`,
      INTERNAL_JWT_SECRET: randomBytes(32).toString('base64url'),
      ENCRYPTION_KEY: randomBytes(32).toString('hex'),
    };
    a = await startTestApp(shared, db);
    b = await startTestApp(shared, db);
    a.app.get(ProcessedEventsBus).subscribe((events) => published.a.push(...events));
    b.app.get(ProcessedEventsBus).subscribe((events) => published.b.push(...events));
    tenant = await createApp(a);
    pool = new pg.Pool({ connectionString: db.url, max: 4 });
  });

  afterAll(async () => {
    await pool?.end();
    await a?.close();
    await b?.close();
    await db?.drop();
  });

  it('processes 3000 events exactly once in effect, shared between both nodes', async () => {
    const events: RawEvent[] = [];
    for (let i = 0; i < INBOUND_CALLS; i++) {
      const id = inboundId(i);
      events.push(realEvent('inbound-ringing.json', id), realEvent('inbound-connected.json', id), realEvent('inbound-hangup.json', id));
      if (i < RECORDED) events.push(realEvent('recording.json', id));
    }
    for (let i = 0; i < OUTBOUND_CALLS; i++) {
      const id = outboundId(i);
      events.push(realEvent('outbound-calling.json', id), realEvent('outbound-hangup-unanswered.json', id));
    }
    expect(events).toHaveLength(TOTAL);
    expect(new Set(events.map((e) => e.dialpadEventId)).size).toBe(TOTAL);

    // ten INSERT statements back to back, both nodes already draining after the first
    const ids: string[] = [];
    const shuffled = shuffle(events);
    for (let i = 0; i < shuffled.length; i += 300) ids.push(...(await insertEvents(pool, tenant.id, shuffled.slice(i, i + 300))));
    expect(new Set(ids).size).toBe(TOTAL);

    await waitFor(
      async () => {
        const { rows } = await pool.query(`SELECT count(*)::int AS n FROM webhook_events WHERE processed_at IS NULL`);
        return rows[0].n === 0;
      },
      40_000,
      50,
    );
    await a.app.get(EventProcessor).idle();
    await b.app.get(EventProcessor).idle();

    // every event committed once: no failure, no retry, nothing dead
    const { rows: stats } = await pool.query(
      `SELECT count(*)::int AS n, count(processed_at)::int AS processed, max(attempts)::int AS max_attempts,
              count(dead_at)::int AS dead, count(last_error)::int AS errors
         FROM webhook_events WHERE app_id = $1`,
      [tenant.id],
    );
    expect(stats[0]).toEqual({ n: TOTAL, processed: TOTAL, max_attempts: 0, dead: 0, errors: 0 });

    // each seq published exactly once, by exactly one node, and both nodes worked
    const seqsA = published.a.map((e) => e.eventId);
    const seqsB = published.b.map((e) => e.eventId);
    const setA = new Set(seqsA);
    expect(seqsA.filter((s) => new Set(seqsB).has(s))).toEqual([]);
    expect(setA.size).toBe(seqsA.length);
    expect(new Set(seqsB).size).toBe(seqsB.length);
    expect(seqsA.length + seqsB.length).toBe(TOTAL);
    expect([...seqsA, ...seqsB].sort()).toEqual([...ids].sort());
    expect(seqsA.length).toBeGreaterThan(TOTAL / 20);
    expect(seqsB.length).toBeGreaterThan(TOTAL / 20);
    for (const e of [...published.a, ...published.b]) {
      expect(e.appId).toBe(tenant.id);
      expect(e.call?.dialpad_call_id).toBeDefined();
    }

    // the calls: one row each, final state whatever the arrival order and node
    const { rows: calls } = await pool.query(
      `SELECT dialpad_call_id, status, direction, from_number, to_number, dialpad_user_id, started_at, ringing_at,
              connected_at, ended_at, duration_ms::int AS duration_ms, recording_url
         FROM calls WHERE app_id = $1`,
      [tenant.id],
    );
    expect(calls).toHaveLength(INBOUND_CALLS + OUTBOUND_CALLS);
    const byId = new Map(calls.map((c) => [c.dialpad_call_id as string, c]));
    for (let i = 0; i < INBOUND_CALLS; i++) {
      expect(byId.get(inboundId(i))).toEqual({
        dialpad_call_id: inboundId(i),
        status: 'ended',
        direction: 'inbound',
        from_number: '+14155550123',
        to_number: '+15105550142',
        dialpad_user_id: '4785129047965696',
        started_at: new Date(1731700000000),
        ringing_at: new Date(1731700001200),
        connected_at: new Date(1731700006500),
        ended_at: new Date(1731700071500),
        duration_ms: 65000,
        recording_url: i < RECORDED ? 'https://dialpad.com/r/EXAMPLErecording5910447283257344' : null,
      });
    }
    for (let i = 0; i < OUTBOUND_CALLS; i++) {
      expect(byId.get(outboundId(i))).toMatchObject({
        status: 'missed',
        direction: 'outbound',
        from_number: '+15105550142',
        to_number: '+14155550177',
        started_at: new Date(1731703000000),
        connected_at: null,
        ended_at: new Date(1731703031000),
      });
    }
  });
});
