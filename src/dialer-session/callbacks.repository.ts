import { Injectable } from '@nestjs/common';
import type { AppId } from '../common/app-id.js';
import { Sql } from '../infra/database/sql.js';

export interface CallbackRow {
  id: string;
  app_id: AppId;
  spreadsheet_id: string;
  tab_id: string;
  campaign_name: string;
  row_id: string;
  lead_name: string;
  number_index: number;
  phone: string;
  agent_email: string;
  only_me: boolean;
  due_at: Date;
  time_zone: string | null;
  notes: string | null;
  status: 'pending' | 'done' | 'cancelled';
}

const COLUMNS = `id, app_id, spreadsheet_id, tab_id, campaign_name, row_id, lead_name, number_index, phone, agent_email, only_me, due_at, time_zone, notes, status`;

/** Scheduled callbacks, durable in PostgreSQL. Every method takes the tenant id. */
@Injectable()
export class CallbacksRepository {
  constructor(private readonly db: Sql) {}

  async create(c: Omit<CallbackRow, 'status'> & { scheduledByAttempt: string }): Promise<CallbackRow> {
    const rows = await this.db.query<CallbackRow>(
      `INSERT INTO dialer_callbacks (id, app_id, spreadsheet_id, tab_id, campaign_name, row_id, lead_name, number_index, phone, agent_email, only_me, due_at, time_zone, notes, scheduled_by_attempt)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING ${COLUMNS}`,
      [c.id, c.app_id, c.spreadsheet_id, c.tab_id, c.campaign_name, c.row_id, c.lead_name, c.number_index, c.phone, c.agent_email, c.only_me, c.due_at, c.time_zone, c.notes, c.scheduledByAttempt],
    );
    return rows[0]!;
  }

  /** Pending callbacks of the tab this agent may dial (theirs, and everyone's not marked only_me), due by `until`. */
  async pendingFor(appId: AppId, tab: { spreadsheetId: string; tabId: string }, agentEmail: string, until: Date): Promise<CallbackRow[]> {
    return this.db.query<CallbackRow>(
      `SELECT ${COLUMNS} FROM dialer_callbacks
        WHERE app_id = $1 AND spreadsheet_id = $2 AND tab_id = $3 AND status = 'pending' AND due_at <= $5
          AND (NOT only_me OR agent_email = $4)
        ORDER BY due_at LIMIT 1000`,
      [appId, tab.spreadsheetId, tab.tabId, agentEmail.toLowerCase(), until],
    );
  }

  /** Marks it dialed by the attempt, once: false when someone else's dial took it first. */
  async markDialed(appId: AppId, id: string, attemptId: string): Promise<boolean> {
    return (
      (await this.db.execute(
        `UPDATE dialer_callbacks SET status = 'done', dialed_attempt = $3, updated_at = now() WHERE app_id = $1 AND id = $2 AND status = 'pending'`,
        [appId, id, attemptId],
      )) > 0
    );
  }

  /** The dial of the callback was not placed: it is due again. */
  async reopen(appId: AppId, id: string): Promise<void> {
    await this.db.execute(`UPDATE dialer_callbacks SET status = 'pending', dialed_attempt = NULL, updated_at = now() WHERE app_id = $1 AND id = $2`, [appId, id]);
  }

  async find(appId: AppId, id: string): Promise<CallbackRow | null> {
    return (await this.db.query<CallbackRow>(`SELECT ${COLUMNS} FROM dialer_callbacks WHERE app_id = $1 AND id = $2`, [appId, id]))[0] ?? null;
  }

  /** Listed by due time: an agent's own and their campaigns' shared pending ones, or (admin) all of the app's. */
  async list(appId: AppId, filter: { agentEmail?: string; status?: string }): Promise<CallbackRow[]> {
    const params: unknown[] = [appId];
    const where = ['app_id = $1'];
    if (filter.agentEmail) {
      params.push(filter.agentEmail.toLowerCase());
      // the agent's own, and the shared ones of the tabs they schedule on
      where.push(`(agent_email = $${params.length} OR (NOT only_me AND (spreadsheet_id, tab_id) IN (
        SELECT spreadsheet_id, tab_id FROM dialer_callbacks WHERE app_id = $1 AND agent_email = $${params.length})))`);
    }
    if (filter.status) {
      params.push(filter.status);
      where.push(`status = $${params.length}`);
    }
    return this.db.query<CallbackRow>(`SELECT ${COLUMNS} FROM dialer_callbacks WHERE ${where.join(' AND ')} ORDER BY due_at LIMIT 1000`, params);
  }

  async update(appId: AppId, id: string, patch: { dueAt?: Date; onlyMe?: boolean; notes?: string }): Promise<CallbackRow | null> {
    const rows = await this.db.query<CallbackRow>(
      `UPDATE dialer_callbacks SET due_at = coalesce($3, due_at), only_me = coalesce($4, only_me), notes = coalesce($5, notes), updated_at = now()
        WHERE app_id = $1 AND id = $2 RETURNING ${COLUMNS}`,
      [appId, id, patch.dueAt ?? null, patch.onlyMe ?? null, patch.notes ?? null],
    );
    return rows[0] ?? null;
  }

  async cancel(appId: AppId, id: string): Promise<boolean> {
    return (await this.db.execute(`UPDATE dialer_callbacks SET status = 'cancelled', updated_at = now() WHERE app_id = $1 AND id = $2 AND status = 'pending'`, [appId, id])) > 0;
  }
}
