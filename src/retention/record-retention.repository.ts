import { Injectable } from '@nestjs/common';
import { Sql } from '../infra/database/sql.js';

/** The records whose retention is the user's choice (CALL_RETENTION_DAYS), each by the time it last changed. */
export const RECORD_TABLES = ['calls', 'voicemails', 'sms_messages'] as const;
export type RecordTable = (typeof RECORD_TABLES)[number];

const BATCH = 5000;

/**
 * Deletes calls, voicemails and SMS not changed for the retention, across apps, in
 * batches (short transactions, no long lock on a table the processor writes).
 * The only cross-tenant deletes of these tables, on purpose: retention is the
 * deployment's setting, not an app's.
 */
@Injectable()
export class RecordRetentionRepository {
  constructor(private readonly db: Sql) {}

  async deleteUnchangedSince(table: RecordTable, before: Date): Promise<number> {
    if (!RECORD_TABLES.includes(table)) throw new Error(`no retention for ${table}`);
    let total = 0;
    for (;;) {
      const n = await this.db.execute(
        `DELETE FROM ${table} WHERE id IN (SELECT id FROM ${table} WHERE updated_at < $1 LIMIT ${BATCH})`,
        [before],
      );
      total += n;
      if (n < BATCH) return total;
    }
  }
}
