import { Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import type { AppId } from '../common/app-id.js';
import { Sql } from '../infra/database/sql.js';
import type { NormalizedAgentStatus } from '../integrations/dialpad/wire/agent-status-event.js';

export interface AgentStatusRow {
  app_id: AppId;
  dialpad_user_id: string;
  crm_user_id: string | null;
  agent_name: string | null;
  agent_email: string | null;
  agent_phone: string | null;
  on_duty_status: string | null;
  availability_status: string | null;
  on_duty_status_reason: string | null;
  call_center_ids: string[];
  powerdialer_mode: boolean | null;
  powerdialer_session: string | null;
  status_changed_at: Date | null;
  event_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

export interface AgentStatusUpsert {
  appId: AppId;
  status: NormalizedAgentStatus & { dialpadUserId: string };
  crmUserId: string | null;
  payloadJson: string;
}

const COLUMNS = `app_id, dialpad_user_id, crm_user_id, agent_name, agent_email, agent_phone, on_duty_status, availability_status,
  on_duty_status_reason, call_center_ids, powerdialer_mode, powerdialer_session, status_changed_at, event_at, created_at, updated_at`;

/** What two statuses with the same event time are told apart by (compared as bytes, in SQL with COLLATE "C"). */
export function statusKeyOf(s: NormalizedAgentStatus): string {
  return JSON.stringify([s.onDutyStatus, s.availabilityStatus, s.onDutyStatusReason, s.callCenterIds, s.powerdialerMode, s.powerdialerSession, s.agentName, s.agentEmail, s.agentPhone]);
}

/** Last writer wins, order-free: the later Dialpad event time, then the larger status key. */
function newer(a: AgentStatusUpsert, b: AgentStatusUpsert): boolean {
  const at = (a.status.eventAt?.getTime() ?? -Infinity) - (b.status.eventAt?.getTime() ?? -Infinity);
  if (at !== 0 && !Number.isNaN(at)) return at > 0;
  return Buffer.compare(Buffer.from(statusKeyOf(a.status)), Buffer.from(statusKeyOf(b.status))) > 0;
}

/** The only place SQL on `agent_statuses` lives. Every method takes the tenant id. */
@Injectable()
export class AgentStatusRepository {
  constructor(private readonly db: Sql) {}

  /**
   * Keeps each agent's latest status (by Dialpad's event time; the history is the event log),
   * in one statement: the batch's newest status per agent, merged with the stored one by the same rule.
   */
  async upsertMany(client: PoolClient, upserts: AgentStatusUpsert[]): Promise<Map<string, AgentStatusRow>> {
    const winners = new Map<string, AgentStatusUpsert>();
    for (const u of upserts) {
      const key = `${u.appId}/${u.status.dialpadUserId}`;
      const current = winners.get(key);
      if (!current || newer(u, current)) winners.set(key, u);
    }
    const list = [...winners.values()];
    if (list.length === 0) return new Map();
    const col = <T>(f: (u: AgentStatusUpsert) => T) => list.map(f);
    const newerSql = `(COALESCE(EXCLUDED.event_at, '-infinity'), EXCLUDED.status_key COLLATE "C") > (COALESCE(a.event_at, '-infinity'), a.status_key COLLATE "C")`;
    const take = (column: string) => `${column} = CASE WHEN ${newerSql} THEN EXCLUDED.${column} ELSE a.${column} END`;
    const { rows } = await client.query<AgentStatusRow>(
      `INSERT INTO agent_statuses AS a (app_id, dialpad_user_id, crm_user_id, agent_name, agent_email, agent_phone,
              on_duty_status, availability_status, on_duty_status_reason, call_center_ids, powerdialer_mode,
              powerdialer_session, status_changed_at, event_at, status_key, raw_payload)
       SELECT u.app_id, u.user_id, u.crm_user_id, u.agent_name, u.agent_email, u.agent_phone, u.on_duty_status,
              u.availability_status, u.reason, ARRAY(SELECT jsonb_array_elements_text(u.call_center_ids)), u.powerdialer_mode,
              u.powerdialer_session, u.status_changed_at, u.event_at, u.status_key, u.raw_payload
         FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
                     $9::text[], $10::jsonb[], $11::boolean[], $12::text[], $13::timestamptz[], $14::timestamptz[],
                     $15::text[], $16::jsonb[])
           AS u(app_id, user_id, crm_user_id, agent_name, agent_email, agent_phone, on_duty_status, availability_status,
                reason, call_center_ids, powerdialer_mode, powerdialer_session, status_changed_at, event_at, status_key,
                raw_payload)
       ON CONFLICT (app_id, dialpad_user_id) DO UPDATE SET
         ${['agent_name', 'agent_email', 'agent_phone', 'on_duty_status', 'availability_status', 'on_duty_status_reason', 'call_center_ids', 'powerdialer_mode', 'powerdialer_session', 'status_changed_at', 'raw_payload', 'status_key', 'event_at'].map(take).join(',\n         ')},
         crm_user_id = COALESCE(EXCLUDED.crm_user_id, a.crm_user_id),
         updated_at = now()
       RETURNING ${COLUMNS}`,
      [
        col((u) => u.appId),
        col((u) => u.status.dialpadUserId),
        col((u) => u.crmUserId),
        col((u) => u.status.agentName),
        col((u) => u.status.agentEmail),
        col((u) => u.status.agentPhone),
        col((u) => u.status.onDutyStatus),
        col((u) => u.status.availabilityStatus),
        col((u) => u.status.onDutyStatusReason),
        col((u) => JSON.stringify(u.status.callCenterIds)),
        col((u) => u.status.powerdialerMode),
        col((u) => u.status.powerdialerSession),
        col((u) => u.status.changedAt),
        col((u) => u.status.eventAt),
        col((u) => statusKeyOf(u.status)),
        col((u) => u.payloadJson),
      ],
    );
    return new Map(rows.map((r) => [`${r.app_id}/${r.dialpad_user_id}`, r]));
  }

  /** The latest status of each agent of the app, by Dialpad user id, after `afterUserId`. */
  async list(appId: AppId, f: { dialpadUserId?: string; crmUserId?: string }, limit: number, afterUserId?: string): Promise<AgentStatusRow[]> {
    return await this.db.query<AgentStatusRow>(
      `SELECT ${COLUMNS} FROM agent_statuses
        WHERE app_id = $1
          AND ($2::text IS NULL OR dialpad_user_id = $2)
          AND ($3::text IS NULL OR crm_user_id = $3)
          AND ($4::text IS NULL OR (length(dialpad_user_id), dialpad_user_id COLLATE "C") > (length($4), $4 COLLATE "C"))
        ORDER BY length(dialpad_user_id), dialpad_user_id COLLATE "C"
        LIMIT $5`,
      [appId, f.dialpadUserId ?? null, f.crmUserId ?? null, afterUserId ?? null, limit],
    );
  }
}
