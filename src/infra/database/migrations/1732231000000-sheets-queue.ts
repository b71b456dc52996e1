import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The Sheets outbox as the write queue: decisions read the writes a cached
 * tab may not show yet (pending, or applied since the read), per spreadsheet;
 * a write the sheet refuses is held aside instead of stopping the line.
 */
export class SheetsQueue1732231000000 implements MigrationInterface {
  name = 'SheetsQueue1732231000000';

  async up(q: QueryRunner): Promise<void> {
    // held: the sheet refused the write (a lost column, a RowID twice): it waits for a person, out of the queue's line
    await q.query(`ALTER TABLE sheets_outbox ADD COLUMN held boolean NOT NULL DEFAULT false`);
    await q.query(`CREATE INDEX sheets_outbox_applied_idx ON sheets_outbox (spreadsheet_id, done_at) WHERE done_at IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX sheets_outbox_applied_idx`);
    await q.query(`ALTER TABLE sheets_outbox DROP COLUMN held`);
  }
}
