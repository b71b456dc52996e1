import pg from 'pg';
import { insertEvents, realEvent } from '../support/event-rows.js';
import { ManualProcessorWorld, startManualProcessor } from '../support/manual-processor.js';

/**
 * Migration 1732231400000: a processed event's new row version passes PostgreSQL's 2 KB toast threshold (its message
 * beside its payload), so both are compressed on every processed event: with lz4, not pglz, on every partition.
 */
describe('the event log compresses with lz4 (e2e, real PostgreSQL)', () => {
  let world: ManualProcessorWorld;
  let pool: pg.Pool;

  beforeAll(async () => {
    world = await startManualProcessor();
    pool = world.pool;
  });
  afterAll(async () => {
    await world?.close();
  });

  /** The compression method of `columns` on every partition of `table` (and the table itself). */
  const methods = async (table: string) => {
    const { rows } = await pool.query<{ rel: string; col: string; method: string }>(
      `SELECT a.attrelid::regclass::text AS rel, a.attname AS col, a.attcompression::text AS method
         FROM pg_attribute a
        WHERE a.attname IN ('payload', 'broadcast', 'raw_payload')
          AND a.attrelid IN (SELECT $1::regclass UNION ALL SELECT inhrelid FROM pg_inherits WHERE inhparent = $1::regclass)`,
      [table],
    );
    return rows;
  };

  it('sets lz4 on the event log, each of its partitions and the calls', async () => {
    const log = await methods('webhook_events');
    expect(log.length).toBeGreaterThanOrEqual(2 * 8); // the parent and at least seven days of partitions, two columns each
    expect(log.filter((r) => r.method !== 'l')).toEqual([]);
    expect(await methods('calls')).toEqual([{ rel: 'calls', col: 'raw_payload', method: 'l' }]);
  });

  it('a partition made later (as the retention job makes them) inherits it', async () => {
    await pool.query(`CREATE TABLE webhook_events_p20991231 PARTITION OF webhook_events FOR VALUES FROM ('2099-12-31') TO ('2100-01-01')`);
    try {
      const made = (await methods('webhook_events')).filter((r) => r.rel === 'webhook_events_p20991231');
      expect(made.map((r) => r.method)).toEqual(['l', 'l']);
    } finally {
      await pool.query(`DROP TABLE webhook_events_p20991231`);
    }
  });

  it('an event whose row passes 2 KB is stored lz4-compressed, processed, and read back whole', async () => {
    // a payload of 2 KB or more (a call with a long transcript or many recordings): PostgreSQL compresses rows past 2 KB
    const event = realEvent('inbound-ringing.json', '7900000000000001');
    event.json = event.json.replace(/^\{/, `{"note":"${'Customer asked about the renewal terms. '.repeat(20)}",`);
    const [id] = await insertEvents(pool, world.tenant.id, [event]);
    expect(await world.processor.processBatch()).toBe(1);
    const { rows } = await pool.query(
      `SELECT pg_column_compression(payload) AS payload, pg_column_compression(broadcast) AS broadcast,
              payload->>'call_id' AS call_id, length(payload->>'note') AS note, broadcast->>'event_id' AS event_id
         FROM webhook_events WHERE id = $1`,
      [id],
    );
    // the message may stay plain (the row fits once the payload is compressed); nothing is pglz
    const { broadcast, ...rest } = rows[0];
    expect(rest).toEqual({ payload: 'lz4', call_id: '7900000000000001', note: 800, event_id: id });
    expect([null, 'lz4']).toContain(broadcast);
  });
});
