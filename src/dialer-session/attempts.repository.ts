import { Injectable } from '@nestjs/common';
import type { AppId } from '../common/app-id.js';
import { Sql } from '../infra/database/sql.js';

export type AttemptStatus = 'dialing' | 'ringing' | 'connected' | 'ended' | 'dispositioned' | 'failed';

export interface AttemptRow {
  id: string;
  app_id: AppId;
  session_id: string;
  agent_email: string;
  spreadsheet_id: string;
  tab_id: string;
  row_id: string;
  number_index: number;
  phone: string;
  previous_status: string | null;
  dialpad_call_id: string | null;
  status: AttemptStatus;
  disposition: string | null;
  notes: string | null;
  dialed_at: Date;
  connected_at: Date | null;
  ended_at: Date | null;
  dispositioned_at: Date | null;
  error: string | null;
}

const COLUMNS = `id, app_id, session_id, agent_email, spreadsheet_id, tab_id, row_id, number_index, phone, previous_status, dialpad_call_id,
  status, disposition, notes, dialed_at, connected_at, ended_at, dispositioned_at, error`;

/** The durable history of dial attempts. Every method takes the tenant id. */
@Injectable()
export class AttemptsRepository {
  constructor(private readonly db: Sql) {}

  async create(
    a: Pick<AttemptRow, 'id' | 'app_id' | 'session_id' | 'agent_email' | 'spreadsheet_id' | 'tab_id' | 'row_id' | 'number_index' | 'phone' | 'previous_status'> & {
      campaign_name: string;
    },
  ): Promise<void> {
    await this.db.execute(
      `INSERT INTO dialer_attempts (id, app_id, session_id, agent_email, spreadsheet_id, tab_id, row_id, number_index, phone, previous_status, campaign_name, status)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'dialing')`,
      [a.id, a.app_id, a.session_id, a.agent_email, a.spreadsheet_id, a.tab_id, a.row_id, a.number_index, a.phone, a.previous_status, a.campaign_name],
    );
  }

  /** Attempts of these rows still waiting for a disposition (oldest first). */
  async openForRows(appId: AppId, spreadsheetId: string, tabId: string, rowIds: string[]): Promise<AttemptRow[]> {
    if (rowIds.length === 0) return [];
    return this.db.query<AttemptRow>(
      `SELECT ${COLUMNS} FROM dialer_attempts
        WHERE app_id = $1 AND spreadsheet_id = $2 AND tab_id = $3 AND row_id = ANY($4::text[])
          AND status NOT IN ('dispositioned', 'failed')
        ORDER BY dialed_at`,
      [appId, spreadsheetId, tabId, rowIds],
    );
  }

  /**
   * The tab's placed dials since `since` (the attempt history: the campaign's caps count these,
   * so editing the sheet cannot reset them), by number and by lead.
   */
  async recentDials(appId: AppId, spreadsheetId: string, tabId: string, since: Date): Promise<{ byNumber: Map<string, number[]>; byLead: Map<string, number[]> }> {
    const rows = await this.db.query<{ phone: string; row_id: string; at: string }>(
      `SELECT phone, row_id, (extract(epoch FROM dialed_at) * 1000)::bigint::text AS at FROM dialer_attempts
        WHERE app_id = $1 AND spreadsheet_id = $2 AND tab_id = $3 AND dialed_at >= $4 AND status <> 'failed'`,
      [appId, spreadsheetId, tabId, since],
    );
    const byNumber = new Map<string, number[]>();
    const byLead = new Map<string, number[]>();
    for (const r of rows) {
      const at = Number(r.at);
      (byNumber.get(r.phone) ?? byNumber.set(r.phone, []).get(r.phone)!).push(at);
      (byLead.get(r.row_id) ?? byLead.set(r.row_id, []).get(r.row_id)!).push(at);
    }
    return { byNumber, byLead };
  }

  async find(appId: AppId, id: string): Promise<AttemptRow | null> {
    const rows = await this.db.query<AttemptRow>(`SELECT ${COLUMNS} FROM dialer_attempts WHERE app_id = $1 AND id = $2`, [appId, id]);
    return rows[0] ?? null;
  }

  async placed(appId: AppId, id: string, dialpadCallId: string): Promise<void> {
    await this.db.execute(`UPDATE dialer_attempts SET dialpad_call_id = $3 WHERE app_id = $1 AND id = $2`, [appId, id, dialpadCallId]);
  }

  async failed(appId: AppId, id: string, error: string): Promise<void> {
    await this.db.execute(`UPDATE dialer_attempts SET status = 'failed', error = $3 WHERE app_id = $1 AND id = $2`, [appId, id, error.slice(0, 500)]);
  }

  /**
   * Records what the call did (from its webhooks). Status only moves forward and
   * never past a disposition. Answers the row and whether it was connected /
   * ended before this update, read under the row's lock: of two concurrent
   * updates, exactly one sees the end happen.
   */
  async callProgress(
    appId: AppId,
    id: string,
    status: 'ringing' | 'connected' | 'ended',
    at: { connectedAt: Date | null; endedAt: Date | null },
  ): Promise<{ row: AttemptRow; wasConnected: boolean; wasEnded: boolean } | null> {
    const rows = await this.db.query<AttemptRow & { was_connected: boolean; was_ended: boolean }>(
      `WITH before AS (
         SELECT id, connected_at IS NOT NULL AS was_connected, ended_at IS NOT NULL AS was_ended
           FROM dialer_attempts WHERE app_id = $1 AND id = $2 FOR UPDATE
       )
       UPDATE dialer_attempts a SET
         status = CASE WHEN a.status IN ('dispositioned', 'failed') THEN a.status
                       WHEN array_position(ARRAY['dialing','ringing','connected','ended'], $3::text) > array_position(ARRAY['dialing','ringing','connected','ended'], a.status) THEN $3::text
                       ELSE a.status END,
         connected_at = COALESCE(a.connected_at, $4), ended_at = COALESCE(a.ended_at, $5)
       FROM before
       WHERE a.app_id = $1 AND a.id = before.id
       RETURNING ${COLUMNS.split(',').map((c) => `a.${c.trim()}`).join(', ')}, before.was_connected, before.was_ended`,
      [appId, id, status, at.connectedAt, at.endedAt],
    );
    const found = rows[0];
    if (!found) return null;
    const { was_connected: wasConnected, was_ended: wasEnded, ...row } = found;
    return { row, wasConnected, wasEnded };
  }

  /** Marks the attempt dispositioned, once: false when it already was. */
  async disposition(appId: AppId, id: string, code: string, notes: string | null): Promise<boolean> {
    return (
      (await this.db.execute(
        `UPDATE dialer_attempts SET status = 'dispositioned', disposition = $3, notes = $4, dispositioned_at = now()
          WHERE app_id = $1 AND id = $2 AND status <> 'dispositioned'`,
        [appId, id, code, notes],
      )) > 0
    );
  }
}
