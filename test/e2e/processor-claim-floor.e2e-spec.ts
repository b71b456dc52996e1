import { jest } from '@jest/globals';
import pg from 'pg';
import { EventProcessor } from '../../src/events/event-processor.service.js';
import { eventState, insertEvents, realEvent, sleep } from '../support/event-rows.js';
import { startTestApp, TestApp } from '../support/test-app.js';
import { CreatedApp, createApp } from '../support/webhooks.js';

/**
 * The claim's floor (EventsRepository.claimDue): a claim walks the due index from just below what this node
 * last claimed, and the whole queue at least once a second, so an event due below the floor waits at most that.
 */
describe('processor claim floor (e2e, real PostgreSQL)', () => {
  let t: TestApp;
  let pool: pg.Pool;
  let tenant: CreatedApp;

  beforeAll(async () => {
    t = await startTestApp({ EVENT_PROCESSOR_ENABLED: 'false' });
    pool = new pg.Pool({ connectionString: t.db.url, max: 2 });
    tenant = await createApp(t);
    // a fresh database has partitions from today on; the event stored "a minute ago" may fall on yesterday
    await pool.query(`DO $$ DECLARE today timestamptz := date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC';
      BEGIN EXECUTE format('CREATE TABLE webhook_events_test_prev PARTITION OF webhook_events FOR VALUES FROM (%L) TO (%L)', today - interval '1 day', today); END $$`);
  });
  afterAll(async () => {
    await pool?.end();
    await t?.close();
  });

  it('an event due below the floor (stored with an older received_at) is claimed by the next walk of the whole queue; new events at once', async () => {
    const processor = t.app.get(EventProcessor);
    const startedAt = Date.now();
    const [first] = await insertEvents(pool, tenant.id, [realEvent('inbound-ringing.json', '7700000000000201')]);
    expect(await processor.processBatch()).toBe(1); // the first claim walks the whole queue
    const { rows } = await pool.query<{ at: string }>(`SELECT (received_at - interval '1 minute')::text AS at FROM webhook_events WHERE id = $1`, [first]);
    // a minute older than what was just claimed: below the floor (5 s under it)
    const older = realEvent('inbound-ringing.json', '7700000000000202');
    const { rows: stored } = await pool.query<{ id: string }>(
      `INSERT INTO webhook_events (app_id, dialpad_event_id, event_type, dialpad_call_id, payload, received_at)
       VALUES ($1, $2, $3, $4, $5, $6) RETURNING id::text`,
      [tenant.id, older.dialpadEventId, older.eventType, older.dialpadCallId, older.json, rows[0]!.at],
    );
    const below = stored[0]!.id;
    const claimedAtOnce = await processor.processBatch();
    // within the second after the whole-queue walk, the claim starts at the floor and does not see it
    if (Date.now() - startedAt < 900) expect(claimedAtOnce).toBe(0);

    // a new event is above the floor: claimed at once
    const [fresh] = await insertEvents(pool, tenant.id, [realEvent('inbound-ringing.json', '7700000000000203')]);
    let claimed = await processor.processBatch();
    expect((await eventState(pool, fresh)).processed_at).not.toBeNull();

    // the next walk of the whole queue takes the older one
    const deadline = Date.now() + 3000;
    while ((await eventState(pool, below)).processed_at === null && Date.now() < deadline) {
      await sleep(50);
      claimed += await processor.processBatch();
    }
    expect(await eventState(pool, below)).toMatchObject({ attempts: 0, last_error: null, dead_at: null });
    expect((await eventState(pool, below)).processed_at).not.toBeNull();
    expect(claimed + claimedAtOnce).toBe(2);
  });

  it('a replayed event below the floor is processed at once: the replay wakes a walk of the whole queue', async () => {
    const processor = t.app.get(EventProcessor);
    const old = realEvent('inbound-ringing.json', '7700000000000301');
    const { rows } = await pool.query<{ id: string }>(
      `INSERT INTO webhook_events (app_id, dialpad_event_id, event_type, dialpad_call_id, payload, received_at)
       VALUES ($1, $2, $3, $4, $5, now() - interval '1 minute') RETURNING id::text`,
      [tenant.id, old.dialpadEventId, old.eventType, old.dialpadCallId, old.json],
    );
    const replayed = rows[0]!.id;
    while ((await eventState(pool, replayed)).processed_at === null) {
      await sleep(50);
      await processor.processBatch();
    }
    // newer events move the floor above it
    await insertEvents(pool, tenant.id, [realEvent('inbound-ringing.json', '7700000000000302')]);
    expect(await processor.processBatch()).toBe(1);

    // the route puts it back and wakes a whole-queue walk (this node's processor is driven by hand here)
    const wake = jest.spyOn(processor, 'wake').mockImplementation(() => undefined);
    const wakeWhole = jest.spyOn(processor, 'wakeForWholeQueue');
    try {
      const res = await fetch(`${t.baseUrl}/internal/apps/${tenant.id}/events/${replayed}/replay`, {
        method: 'POST',
        headers: { authorization: `Bearer ${t.adminToken}` },
      });
      expect(res.status).toBe(202);
      expect(wakeWhole).toHaveBeenCalledTimes(1);
      expect((await eventState(pool, replayed)).processed_at).toBeNull();
      expect(await processor.processBatch()).toBe(1);
      expect((await eventState(pool, replayed)).processed_at).not.toBeNull();
    } finally {
      wake.mockRestore();
      wakeWhole.mockRestore();
    }
  });
});
