import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A call's details beyond its status (calls/domain/call-details.ts): every recording, the transcript, the AI
 * recap, CSAT, labels, Dialpad's dispositions, talk and hold time, as the fold's state in one jsonb. One row
 * per call that has any, removed with its call. Apps choose whether their CRM sees admin recordings.
 */
export class CallDetails1732231100000 implements MigrationInterface {
  name = 'CallDetails1732231100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE call_details (
        app_id uuid NOT NULL,
        dialpad_call_id text NOT NULL,
        details jsonb NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT call_details_pkey PRIMARY KEY (app_id, dialpad_call_id),
        CONSTRAINT call_details_call_fkey FOREIGN KEY (app_id, dialpad_call_id)
          REFERENCES calls (app_id, dialpad_call_id) ON DELETE CASCADE
      )`);
    await q.query(`ALTER TABLE apps ADD COLUMN show_admin_recordings boolean NOT NULL DEFAULT false`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE apps DROP COLUMN show_admin_recordings`);
    await q.query(`DROP TABLE call_details`);
  }
}
