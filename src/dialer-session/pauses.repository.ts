import { Injectable } from '@nestjs/common';
import type { AppId } from '../common/app-id.js';
import { Sql } from '../infra/database/sql.js';

/** Pauses of dialer sessions, each with its reason, start and end. Every method takes the tenant id. */
@Injectable()
export class PausesRepository {
  constructor(private readonly db: Sql) {}

  /** Opens a pause unless the session has one open already (a repeated pause keeps the first reason and start). */
  async start(appId: AppId, s: { sessionId: string; agentEmail: string; campaignName: string }, reason: string): Promise<void> {
    await this.db.execute(
      `INSERT INTO dialer_pauses (app_id, session_id, agent_email, campaign_name, reason)
       SELECT $1, $2, $3, $4, $5
        WHERE NOT EXISTS (SELECT 1 FROM dialer_pauses WHERE app_id = $1 AND session_id = $2 AND ended_at IS NULL)`,
      [appId, s.sessionId, s.agentEmail, s.campaignName, reason],
    );
  }

  async end(appId: AppId, sessionId: string): Promise<void> {
    await this.db.execute(`UPDATE dialer_pauses SET ended_at = now() WHERE app_id = $1 AND session_id = $2 AND ended_at IS NULL`, [appId, sessionId]);
  }

  /** The open pause, and the time paused by reason (the open one counted up to now). */
  async ofSession(appId: AppId, sessionId: string): Promise<{ open: { reason: string; since: Date } | null; byReason: Record<string, number> }> {
    const rows = await this.db.query<{ reason: string; ms: string; open_since: Date | null }>(
      `SELECT reason,
              sum(extract(epoch FROM (coalesce(ended_at, now()) - started_at)) * 1000)::bigint::text AS ms,
              max(started_at) FILTER (WHERE ended_at IS NULL) AS open_since
         FROM dialer_pauses WHERE app_id = $1 AND session_id = $2 GROUP BY reason`,
      [appId, sessionId],
    );
    const byReason: Record<string, number> = {};
    let open: { reason: string; since: Date } | null = null;
    for (const r of rows) {
      byReason[r.reason] = Number(r.ms);
      if (r.open_since) open = { reason: r.reason, since: r.open_since };
    }
    return { open, byReason };
  }
}
