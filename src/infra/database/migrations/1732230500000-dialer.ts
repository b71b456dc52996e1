import { MigrationInterface, QueryRunner } from 'typeorm';

/** Dialer configuration and attempt history (issue 7). */
export class Dialer1732230500000 implements MigrationInterface {
  name = 'Dialer1732230500000';

  async up(_q: QueryRunner): Promise<void> {
    // filled in by the feature that needs it
  }

  async down(_q: QueryRunner): Promise<void> {
    // filled in by the feature that needs it
  }
}
