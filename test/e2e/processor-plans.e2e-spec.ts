import { jest } from '@jest/globals';
import pg from 'pg';
import { asAppId } from '../../src/common/app-id.js';
import { CallsRepository } from '../../src/calls/calls.repository.js';
import { EventsRepository } from '../../src/events/events.repository.js';
import { Sql } from '../../src/infra/database/sql.js';
import { eventState, insertEvents, realEvent } from '../support/event-rows.js';
import { ManualProcessorWorld, startManualProcessor } from '../support/manual-processor.js';
import type { TestApp } from '../support/test-app.js';
import type { CreatedApp } from '../support/webhooks.js';

/**
 * The processor's named statements and table growth. A named statement settles on a generic plan after five
 * executions; one made while `calls` is empty is a seq scan, kept for the connection's life unless an ANALYZE
 * invalidates it (never, where autovacuum is off, as on this machine's PostgreSQL). The processor's batches are
 * planned with their parameters instead (Sql.useCustomPlans, after the claim, whose generic plan is the one wanted).
 */
describe('processor statement plans as the tables grow (e2e, real PostgreSQL)', () => {
  let world: ManualProcessorWorld;
  let t: TestApp;
  let sql: Sql;
  let pool: pg.Pool;
  let tenant: CreatedApp;

  beforeAll(async () => {
    world = await startManualProcessor();
    ({ t, pool, tenant } = world);
    sql = t.app.get(Sql);
  });
  afterAll(async () => {
    await world?.close();
  });

  /** The plan the connection's prepared statement `calls-find` runs with, for keys that are not stored. */
  const explainFind = async (client: pg.PoolClient) => {
    // EXECUTE takes no bind parameters: the keys as literals (a uuid and plain ASCII)
    const apps = `{${Array.from({ length: 20 }, () => tenant.id).join(',')}}`;
    const ids = `{${Array.from({ length: 20 }, (_, i) => `absent-${i}`).join(',')}}`;
    const { rows } = await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN EXECUTE "calls-find"('${apps}'::uuid[], '${ids}'::text[])`);
    return rows.map((row) => row['QUERY PLAN']).join('\n');
  };

  it("a lookup prepared while calls was empty: its generic plan scans the whole table; the processor's transactions plan it for the keys (an index scan)", async () => {
    const calls = t.app.get(CallsRepository);
    const keys = [{ appId: asAppId(tenant.id), dialpadCallId: 'nothing-yet' }];
    // one connection for the whole test: the statement and its cached plan live on it (the pool hands back the idle one)
    const backend = async () => sql.transaction(async (client) => (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid);
    const pid = await backend();
    for (let i = 0; i < 8; i++) await sql.transaction((client) => calls.findMany(client, keys, false));
    expect(await backend()).toBe(pid);

    await pool.query(
      `INSERT INTO calls (app_id, dialpad_call_id, status) SELECT $1, 'grown-' || g, 'ended' FROM generate_series(1, 30000) g`,
      [tenant.id],
    );
    const generic = await sql.transaction(explainFind);
    const custom = await sql.transaction(async (client) => {
      await sql.useCustomPlans(client);
      return explainFind(client);
    });
    expect(await backend()).toBe(pid);
    // the premise: without custom plans the statement keeps the plan made for an empty table
    expect(generic).toMatch(/Seq Scan on calls/);
    expect(custom).not.toMatch(/Seq Scan on calls/);
    expect(custom).toMatch(/Index (Only )?Scan using calls_app_call_key/);
  });

  it('a processor batch plans what follows its claim for its own keys, and its events are processed', async () => {
    const { processor } = world;
    const spy = jest.spyOn(sql, 'useCustomPlans');
    const claim = jest.spyOn(t.app.get(EventsRepository), 'claimDue');
    try {
      const [id] = await insertEvents(pool, tenant.id, [realEvent('inbound-ringing.json', '7700000000000001')]);
      expect(await processor.processBatch()).toBe(1);
      expect(await eventState(pool, id)).toMatchObject({ attempts: 0, last_error: null, dead_at: null });
      expect((await eventState(pool, id)).processed_at).not.toBeNull();
      expect(spy).toHaveBeenCalledTimes(1);
      // after the claim: the claim keeps the generic plan it was shaped for
      expect(claim).toHaveBeenCalledTimes(1);
      expect(claim.mock.invocationCallOrder[0]!).toBeLessThan(spy.mock.invocationCallOrder[0]!);
    } finally {
      spy.mockRestore();
      claim.mockRestore();
    }
  });
});
