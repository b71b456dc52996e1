import { Injectable } from '@nestjs/common';
import { Sql } from '../infra/database/sql.js';

/** The resume window of SPEC §6. */
export const REPLAY_MAX_EVENTS = 1000;
export const REPLAY_MAX_AGE = '15 minutes';

@Injectable()
export class ReplayRepository {
  constructor(private readonly db: Sql) {}

  /**
   * The app's broadcast messages after `seq`, oldest first, within the resume window:
   * the last 15 minutes and the newest 1000 events (SPEC §6). Past the window the
   * oldest are dropped, so what is replayed always joins the live stream without a hole.
   */
  async after(appId: string, seq: string): Promise<{ seq: string; frame: string }[]> {
    return this.db.query<{ seq: string; frame: string }>(
      `SELECT seq::text, frame FROM (
         SELECT id AS seq, broadcast::text AS frame FROM webhook_events
          WHERE app_id = $1 AND id > $2 AND broadcast IS NOT NULL
            AND processed_at > now() - interval '${REPLAY_MAX_AGE}'
          ORDER BY id DESC LIMIT ${REPLAY_MAX_EVENTS}
       ) newest ORDER BY seq`,
      [appId, seq],
    );
  }
}
