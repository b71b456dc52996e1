import { Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';

/** Dialpad user → CRM user, read inside the processor's transaction. */
@Injectable()
export class UserMappingLookup {
  async crmUserFor(client: PoolClient, appId: string, dialpadUserId: string | null): Promise<string | null> {
    if (!dialpadUserId) return null;
    const { rows } = await client.query<{ crm_user_id: string }>(
      `SELECT crm_user_id FROM dialpad_user_mappings WHERE app_id = $1 AND dialpad_user_id = $2`,
      [appId, dialpadUserId],
    );
    return rows[0]?.crm_user_id ?? null;
  }
}
