import { Injectable } from '@nestjs/common';
import { Sql } from '../infra/database/sql.js';

/** The resume window of SPEC §6. */
export const REPLAY_MAX_EVENTS = 1000;
export const REPLAY_MAX_AGE = '15 minutes';

@Injectable()
export class ReplayRepository {
  constructor(private readonly db: Sql) {}

  /** The app's broadcast messages after `seq`, oldest first, within the resume window. */
  async after(appId: string, seq: string): Promise<{ seq: string; frame: string }[]> {
    return this.db.query<{ seq: string; frame: string }>(
      `SELECT id::text AS seq, broadcast::text AS frame FROM webhook_events
        WHERE app_id = $1 AND id > $2 AND broadcast IS NOT NULL
          AND processed_at > now() - interval '${REPLAY_MAX_AGE}'
        ORDER BY id LIMIT ${REPLAY_MAX_EVENTS}`,
      [appId, seq],
    );
  }
}
