import { Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import type { AppId } from '../common/app-id.js';
import { rowsByKeys } from '../infra/database/rows-by-keys.js';
import { Sql } from '../infra/database/sql.js';
import { type CallDetails, detailsFromJson, detailsToJson } from './domain/call-details.js';
import { type CallKey, callKey } from './calls.repository.js';

export interface CallDetailsWrite extends CallKey {
  details: CallDetails;
}

/** The only place SQL on `call_details` lives. Every method takes the tenant id. */
@Injectable()
export class CallDetailsRepository {
  constructor(private readonly db: Sql) {}

  /** The stored details of a batch's calls (inside the processor's transaction, under the calls' row locks), by callKey. */
  async findForCalls(client: PoolClient, keys: CallKey[]): Promise<Map<string, CallDetails>> {
    const found = new Map<string, CallDetails>();
    if (keys.length === 0) return found;
    const { rows } = await client.query<{ app_id: AppId; dialpad_call_id: string; details: unknown }>(
      rowsByKeys({ table: 'call_details', keyColumn: 'dialpad_call_id', columns: 'app_id, dialpad_call_id, details' }),
      [keys.map((k) => k.appId), keys.map((k) => k.dialpadCallId)],
    );
    for (const r of rows) found.set(callKey({ appId: r.app_id, dialpadCallId: r.dialpad_call_id }), detailsFromJson(r.details));
    return found;
  }

  /** Writes many calls' details in one statement (the calls rows exist: the processor created them). */
  async upsertMany(client: PoolClient, writes: CallDetailsWrite[]): Promise<void> {
    if (writes.length === 0) return;
    await client.query(
      `INSERT INTO call_details (app_id, dialpad_call_id, details)
       SELECT * FROM unnest($1::uuid[], $2::text[], $3::jsonb[])
       ON CONFLICT (app_id, dialpad_call_id) DO UPDATE SET details = EXCLUDED.details, updated_at = now()`,
      [writes.map((w) => w.appId), writes.map((w) => w.dialpadCallId), writes.map((w) => JSON.stringify(detailsToJson(w.details)))],
    );
  }

  /** One call's details and whether its app shows admin recordings; null details when the call has none. */
  async findOne(appId: AppId, dialpadCallId: string): Promise<{ details: CallDetails | null; showAdminRecordings: boolean }> {
    const rows = await this.db.query<{ details: unknown; show_admin_recordings: boolean }>(
      `SELECT d.details, a.show_admin_recordings FROM apps a
         LEFT JOIN call_details d ON d.app_id = a.id AND d.dialpad_call_id = $2
        WHERE a.id = $1`,
      [appId, dialpadCallId],
    );
    const row = rows[0];
    return { details: row?.details ? detailsFromJson(row.details) : null, showAdminRecordings: row?.show_admin_recordings ?? false };
  }
}
