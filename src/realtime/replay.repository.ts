import { Injectable } from '@nestjs/common';
import type { AppId } from '../common/app-id.js';
import { Sql } from '../infra/database/sql.js';

/** The resume window (docs/wire-protocol.md, "Resume"). */
export const REPLAY_MAX_EVENTS = 1000;
export const REPLAY_MAX_AGE = '15 minutes';

@Injectable()
export class ReplayRepository {
  constructor(private readonly db: Sql) {}

  /**
   * The app's broadcast messages after stream position `since`, oldest first,
   * within the resume window: the last 15 minutes and the newest 1000 events
   * (docs/wire-protocol.md, "Resume"). Past the window the oldest are dropped, so what is replayed always
   * joins the live stream without a hole.
   */
  async after(appId: AppId, since: number): Promise<{ seq: number; frame: string }[]> {
    // ORDER BY newest.seq: the bigint (a bare `seq` would sort the text output column: 1000 before 151)
    const rows = await this.db.query<{ seq: string; frame: string }>(
      `SELECT seq::text, frame FROM (
         SELECT stream_seq AS seq, broadcast::text AS frame FROM webhook_events
          WHERE app_id = $1 AND stream_seq > $2
            AND processed_at > now() - interval '${REPLAY_MAX_AGE}'
          ORDER BY stream_seq DESC LIMIT ${REPLAY_MAX_EVENTS}
       ) newest ORDER BY newest.seq`,
      [appId, since],
    );
    return rows.map((r) => ({ seq: Number(r.seq), frame: r.frame }));
  }

  /** The app's broadcast messages at positions `from`..`to` (a gap in the live stream). */
  async range(appId: AppId, from: number, to: number): Promise<{ seq: number; frame: string }[]> {
    const rows = await this.db.query<{ seq: string; frame: string }>(
      `SELECT stream_seq::text AS seq, broadcast::text AS frame FROM webhook_events
        WHERE app_id = $1 AND stream_seq BETWEEN $2 AND $3 ORDER BY stream_seq`,
      [appId, from, to],
    );
    return rows.map((r) => ({ seq: Number(r.seq), frame: r.frame }));
  }
}
