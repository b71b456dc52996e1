import { Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import type { CallSnapshot, CallStatus } from '../webhooks/domain/call-state.js';
import { Sql } from '../infra/database/sql.js';

export interface CallRow {
  id: string;
  app_id: string;
  dialpad_call_id: string;
  master_call_id: string | null;
  entry_point_call_id: string | null;
  direction: 'inbound' | 'outbound' | null;
  from_number: string | null;
  to_number: string | null;
  status: CallStatus;
  dialpad_user_id: string | null;
  crm_user_id: string | null;
  started_at: Date | null;
  ringing_at: Date | null;
  connected_at: Date | null;
  ended_at: Date | null;
  duration_ms: number | null;
  recording_url: string | null;
  custom_data: string | null;
  last_event_at: Date | null;
  created_at: Date;
  updated_at: Date;
  raw_payload?: unknown;
}

export interface CallFilters {
  status?: CallStatus;
  direction?: 'inbound' | 'outbound';
  dialpadUserId?: string;
  crmUserId?: string;
  from?: Date;
  to?: Date;
}

export interface CallCursor {
  /** The sort key COALESCE(started_at, created_at) as exact UTC text: microseconds kept, so rows sharing a millisecond are not skipped. */
  at: string;
  id: string;
}

/** A listed call with its exact sort key (for the next cursor). */
export type ListedCallRow = CallRow & { sort_at: string };

const COLUMNS = `id, app_id, dialpad_call_id, master_call_id, entry_point_call_id, direction, from_number, to_number,
  status, dialpad_user_id, crm_user_id, started_at, ringing_at, connected_at, ended_at, duration_ms::float8 AS duration_ms,
  recording_url, custom_data, last_event_at, created_at, updated_at`;

/** How long a call may sit in a live status without news before /active stops listing it. */
export const ACTIVE_CALL_STALE_AFTER = '12 hours';

/** The only place SQL on `calls` lives. Every method takes the tenant id. */
@Injectable()
export class CallsRepository {
  constructor(private readonly db: Sql) {}

  /**
   * Locks the call's row inside the processor's transaction, creating it if
   * needed. Returns null when the row is new (no state yet).
   */
  async lockForEvent(client: PoolClient, appId: string, dialpadCallId: string): Promise<CallRow | null> {
    const inserted = await client.query(
      `INSERT INTO calls (app_id, dialpad_call_id, status) VALUES ($1, $2, 'initiated')
       ON CONFLICT (app_id, dialpad_call_id) DO NOTHING RETURNING id`,
      [appId, dialpadCallId],
    );
    const { rows } = await client.query<CallRow>(
      `SELECT ${COLUMNS} FROM calls WHERE app_id = $1 AND dialpad_call_id = $2 FOR UPDATE`,
      [appId, dialpadCallId],
    );
    return inserted.rowCount ? null : (rows[0] ?? null);
  }

  async writeSnapshot(
    client: PoolClient,
    appId: string,
    dialpadCallId: string,
    s: CallSnapshot,
    extra: { crmUserId: string | null; rawPayloadJson: string | null },
  ): Promise<CallRow> {
    const { rows } = await client.query<CallRow>(
      `UPDATE calls SET
         status = $3, direction = $4, from_number = $5, to_number = $6, dialpad_user_id = $7,
         master_call_id = $8, entry_point_call_id = $9, started_at = $10, ringing_at = $11, connected_at = $12,
         ended_at = $13, duration_ms = $14, recording_url = $15, custom_data = $16, last_event_at = $17,
         crm_user_id = COALESCE($18, crm_user_id), raw_payload = COALESCE($19::jsonb, raw_payload), updated_at = now()
       WHERE app_id = $1 AND dialpad_call_id = $2
       RETURNING ${COLUMNS}`,
      [
        appId,
        dialpadCallId,
        s.status,
        s.direction,
        s.fromNumber,
        s.toNumber,
        s.dialpadUserId,
        s.masterCallId,
        s.entryPointCallId,
        s.startedAt,
        s.ringingAt,
        s.connectedAt,
        s.endedAt,
        s.durationMs === null ? null : Math.round(s.durationMs),
        s.recordingUrl,
        s.customData,
        s.lastEventAt,
        extra.crmUserId,
        extra.rawPayloadJson,
      ],
    );
    return rows[0]!;
  }

  async list(appId: string, f: CallFilters, limit: number, cursor?: CallCursor): Promise<ListedCallRow[]> {
    const where = ['app_id = $1'];
    const params: unknown[] = [appId];
    const add = (sql: string, value: unknown) => {
      params.push(value);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (f.status) add('status = ?', f.status);
    if (f.direction) add('direction = ?', f.direction);
    if (f.dialpadUserId) add('dialpad_user_id = ?', f.dialpadUserId);
    if (f.crmUserId) add('crm_user_id = ?', f.crmUserId);
    if (f.from) add('COALESCE(started_at, created_at) >= ?', f.from);
    if (f.to) add('COALESCE(started_at, created_at) < ?', f.to);
    if (cursor) {
      params.push(cursor.at, cursor.id);
      where.push(`(COALESCE(started_at, created_at), id) < ($${params.length - 1}::timestamptz, $${params.length}::uuid)`);
    }
    params.push(limit);
    return (await this.db.query(
      `SELECT ${COLUMNS},
              to_char(COALESCE(started_at, created_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS sort_at
         FROM calls WHERE ${where.join(' AND ')}
        ORDER BY COALESCE(started_at, created_at) DESC, id DESC LIMIT $${params.length}`,
      params,
    )) as ListedCallRow[];
  }

  async listActive(appId: string, limit: number): Promise<CallRow[]> {
    return (await this.db.query(
      `SELECT ${COLUMNS} FROM calls
        WHERE app_id = $1 AND status IN ('initiated', 'ringing', 'connected')
          AND COALESCE(last_event_at, created_at) > now() - interval '${ACTIVE_CALL_STALE_AFTER}'
        ORDER BY last_event_at DESC NULLS LAST LIMIT $2`,
      [appId, limit],
    )) as CallRow[];
  }

  /** By our uuid or by Dialpad's call id. */
  async findOne(appId: string, id: string): Promise<(CallRow & { raw_payload_json: string | null }) | null> {
    const byUuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id);
    const rows = (await this.db.query(
      `SELECT ${COLUMNS}, raw_payload::text AS raw_payload_json FROM calls
        WHERE app_id = $1 AND ${byUuid ? 'id = $2::uuid' : 'dialpad_call_id = $2'}`,
      [appId, id],
    )) as (CallRow & { raw_payload_json: string | null })[];
    return rows[0] ?? null;
  }
}

export function snapshotOf(row: CallRow): CallSnapshot {
  return {
    status: row.status,
    direction: row.direction,
    fromNumber: row.from_number,
    toNumber: row.to_number,
    dialpadUserId: row.dialpad_user_id,
    masterCallId: row.master_call_id,
    entryPointCallId: row.entry_point_call_id,
    startedAt: row.started_at,
    ringingAt: row.ringing_at,
    connectedAt: row.connected_at,
    endedAt: row.ended_at,
    durationMs: row.duration_ms,
    recordingUrl: row.recording_url,
    customData: row.custom_data,
    lastEventAt: row.last_event_at,
  };
}
