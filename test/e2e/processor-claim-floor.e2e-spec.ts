import { jest } from '@jest/globals';
import pg from 'pg';
import type { EventProcessor } from '../../src/events/event-processor.service.js';
import { eventState, insertEvents, realEvent } from '../support/event-rows.js';
import { ManualProcessorWorld, startManualProcessor } from '../support/manual-processor.js';
import type { TestApp } from '../support/test-app.js';
import type { CreatedApp } from '../support/webhooks.js';

/** Every timer API but Date: jest fakes only the clock the processor reads. */
const REAL_TIMERS = [
  'hrtime', 'nextTick', 'performance', 'queueMicrotask', 'requestAnimationFrame', 'cancelAnimationFrame', 'requestIdleCallback',
  'cancelIdleCallback', 'setImmediate', 'clearImmediate', 'setInterval', 'clearInterval', 'setTimeout', 'clearTimeout',
] as const;

/**
 * The claim's floor (EventsRepository.claimDue): a claim walks the due index from just below what this node
 * last claimed, and the whole queue at least once a second, so an event due below the floor waits at most that.
 */
describe('processor claim floor (e2e, real PostgreSQL)', () => {
  let world: ManualProcessorWorld;
  let t: TestApp;
  let processor: EventProcessor;
  let pool: pg.Pool;
  let tenant: CreatedApp;

  beforeAll(async () => {
    world = await startManualProcessor();
    ({ t, processor, pool, tenant } = world);
    // a fresh database has partitions from today on; the event stored "a minute ago" may fall on yesterday
    await pool.query(`DO $$ DECLARE today timestamptz := date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC';
      BEGIN EXECUTE format('CREATE TABLE webhook_events_test_prev PARTITION OF webhook_events FOR VALUES FROM (%L) TO (%L)', today - interval '1 day', today); END $$`);
  });
  afterAll(async () => {
    await world?.close();
  });

  it('an event due below the floor (stored with an older received_at) is claimed by the next walk of the whole queue; new events at once', async () => {
    // the processor's clock (Date only; timers stay real) moves when the test says: the whole-queue walk comes at 1 s
    jest.useFakeTimers({ now: Date.now(), doNotFake: [...REAL_TIMERS] });
    try {
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
      // within the second after the whole-queue walk, the claim starts at the floor and does not see it
      expect(await processor.processBatch()).toBe(0);

      // a new event is above the floor: claimed at once, and only it
      const [fresh] = await insertEvents(pool, tenant.id, [realEvent('inbound-ringing.json', '7700000000000203')]);
      expect(await processor.processBatch()).toBe(1);
      expect((await eventState(pool, fresh)).processed_at).not.toBeNull();
      expect((await eventState(pool, below)).processed_at).toBeNull();

      // a second on, the claim walks the whole queue and takes the older one
      jest.setSystemTime(Date.now() + 1000);
      expect(await processor.processBatch()).toBe(1);
      expect(await eventState(pool, below)).toMatchObject({ attempts: 0, last_error: null, dead_at: null });
      expect((await eventState(pool, below)).processed_at).not.toBeNull();
    } finally {
      jest.useRealTimers();
    }
  });

  it('a replayed event below the floor is processed at once: the replay wakes a walk of the whole queue', async () => {
    const old = realEvent('inbound-ringing.json', '7700000000000301');
    const { rows } = await pool.query<{ id: string }>(
      `INSERT INTO webhook_events (app_id, dialpad_event_id, event_type, dialpad_call_id, payload, received_at)
       VALUES ($1, $2, $3, $4, $5, now() - interval '1 minute') RETURNING id::text`,
      [tenant.id, old.dialpadEventId, old.eventType, old.dialpadCallId, old.json],
    );
    const replayed = rows[0]!.id;
    // below any floor: processed by a walk of the whole queue (asked for here; the processor is driven by hand)
    processor.wakeForWholeQueue();
    expect(await processor.processBatch()).toBe(1);
    expect((await eventState(pool, replayed)).processed_at).not.toBeNull();
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
