import { MigrationInterface, QueryRunner } from 'typeorm';

/** The Sheets write outbox (issue 6). */
export class Sheets1732230400000 implements MigrationInterface {
  name = 'Sheets1732230400000';

  async up(_q: QueryRunner): Promise<void> {
    // filled in by the feature that needs it
  }

  async down(_q: QueryRunner): Promise<void> {
    // filled in by the feature that needs it
  }
}
