import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What resume (`/ws?since=<seq>`) needs. Each processed event gets its app's next
 * stream position (`stream_seq`, dense per app) from a counter row that stays
 * locked until the batch commits, so a smaller position is always committed
 * before a larger one: a client that saw N can be sent exactly what follows N.
 * Its WebSocket message is kept beside it (a processing column: the
 * append-only trigger allows it).
 */
export class RealtimeReplay1732230200000 implements MigrationInterface {
  name = 'RealtimeReplay1732230200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE app_event_streams (
        app_id uuid PRIMARY KEY REFERENCES apps(id) ON DELETE CASCADE,
        last_seq bigint NOT NULL
      )`);
    await q.query(`ALTER TABLE webhook_events ADD COLUMN stream_seq bigint, ADD COLUMN broadcast jsonb`);
    await q.query(`CREATE UNIQUE INDEX webhook_events_stream_idx ON webhook_events (app_id, stream_seq) WHERE stream_seq IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX webhook_events_stream_idx`);
    await q.query(`ALTER TABLE webhook_events DROP COLUMN broadcast, DROP COLUMN stream_seq`);
    await q.query(`DROP TABLE app_event_streams`);
  }
}
