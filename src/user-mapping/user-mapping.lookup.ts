import { Injectable } from '@nestjs/common';
import type { AppId } from '../common/app-id.js';
import type { PoolClient } from 'pg';
import { rowsByKeys } from '../infra/database/rows-by-keys.js';

/** Dialpad user → CRM user, read inside the processor's transaction. */
@Injectable()
export class UserMappingLookup {
  /** CRM user ids keyed by `${appId}/${dialpadUserId}`, for every pair that has a mapping. */
  async crmUsersFor(client: PoolClient, pairs: { appId: AppId; dialpadUserId: string }[]): Promise<Map<string, string>> {
    if (pairs.length === 0) return new Map();
    // unnamed: planned for these keys each time (see "Statement plans" in events/event-processor.service.ts)
    const { rows } = await client.query<{ app_id: string; dialpad_user_id: string; crm_user_id: string }>({
      text: rowsByKeys({ table: 'dialpad_user_mappings', keyColumn: 'dialpad_user_id', columns: 'app_id, dialpad_user_id, crm_user_id' }),
      values: [pairs.map((p) => p.appId), pairs.map((p) => p.dialpadUserId)],
    });
    return new Map(rows.map((r) => [`${r.app_id}/${r.dialpad_user_id}`, r.crm_user_id]));
  }
}
