import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The WebSocket message of each processed event, kept beside it so a client
 * resuming with `?since=<seq>` gets exactly what it missed (a processing column:
 * the append-only trigger allows it).
 */
export class RealtimeReplay1732230200000 implements MigrationInterface {
  name = 'RealtimeReplay1732230200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE webhook_events ADD COLUMN broadcast jsonb`);
    await q.query(`CREATE INDEX webhook_events_replay_idx ON webhook_events (app_id, id) WHERE broadcast IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX webhook_events_replay_idx`);
    await q.query(`ALTER TABLE webhook_events DROP COLUMN broadcast`);
  }
}
