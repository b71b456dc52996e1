import { MigrationInterface, QueryRunner } from 'typeorm';

/** Dialpad OAuth connection columns and the dialpad_users table (issue 5). */
export class Dialpad1732230300000 implements MigrationInterface {
  name = 'Dialpad1732230300000';

  async up(_q: QueryRunner): Promise<void> {
    // filled in by the feature that needs it
  }

  async down(_q: QueryRunner): Promise<void> {
    // filled in by the feature that needs it
  }
}
