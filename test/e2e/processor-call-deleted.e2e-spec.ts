import { jest } from '@jest/globals';
import pg from 'pg';
import { CallsRepository } from '../../src/calls/calls.repository.js';
import { eventState, insertEvents, realEvent } from '../support/event-rows.js';
import { ManualProcessorWorld, startManualProcessor } from '../support/manual-processor.js';
import type { CreatedApp } from '../support/webhooks.js';

/**
 * A call row deleted (by retention, say) between the batch's unlocked read and its lock: the writer sees the row
 * gone when it locks, plans the call again on nothing, and stores it anew — the event is processed, not failed.
 */
describe('processor: a call deleted while its event is processed (e2e, real PostgreSQL)', () => {
  let world: ManualProcessorWorld;
  let pool: pg.Pool;
  let tenant: CreatedApp;

  beforeAll(async () => {
    world = await startManualProcessor();
    ({ pool, tenant } = world);
  });
  afterAll(async () => {
    await world?.close();
  });

  const callRow = async (callId: string) =>
    (await pool.query<{ id: string; status: string }>(`SELECT id::text, status FROM calls WHERE app_id = $1 AND dialpad_call_id = $2`, [tenant.id, callId])).rows;

  it('stores the call anew from the events of the batch, and processes them', async () => {
    const callId = '7700000000000101';
    const { processor } = world;
    await insertEvents(pool, tenant.id, [realEvent('inbound-ringing.json', callId)]);
    expect(await processor.processBatch()).toBe(1);
    const [before] = await callRow(callId);
    expect(before).toBeDefined();

    const calls = world.t.app.get(CallsRepository);
    const findMany = calls.findMany.bind(calls);
    let deletedAfterRead = 0;
    const spy = jest.spyOn(calls, 'findMany').mockImplementation(async (client, keys, lock) => {
      const rows = await findMany(client, keys, lock);
      if (!lock && rows.size > 0) {
        // another connection, committed at once: the batch read the row and has not locked it yet
        deletedAfterRead += (await pool.query(`DELETE FROM calls WHERE app_id = $1 AND dialpad_call_id = $2`, [tenant.id, callId])).rowCount ?? 0;
      }
      return rows;
    });
    try {
      const [hangup] = await insertEvents(pool, tenant.id, [realEvent('inbound-hangup.json', callId)]);
      expect(await processor.processBatch()).toBe(1);
      expect(deletedAfterRead).toBe(1);
      // read unlocked, then locked (nothing found), then nothing more
      expect(spy.mock.calls.map((c) => c[2])).toEqual([false, true]);
      expect(await eventState(pool, hangup)).toMatchObject({ attempts: 0, last_error: null, dead_at: null });
      expect((await eventState(pool, hangup)).processed_at).not.toBeNull();
      const after = await callRow(callId);
      expect(after).toHaveLength(1);
      expect(after[0]!.id).not.toBe(before!.id);
      expect(after[0]!.status).not.toBe('ringing');
    } finally {
      spy.mockRestore();
    }
  });
});
