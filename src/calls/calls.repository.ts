import { Injectable } from '@nestjs/common';
import type { AppId } from '../common/app-id.js';
import type { PoolClient } from 'pg';
import type { CallSnapshot, CallStatus } from './domain/call-state.js';
import type { CallRow } from './call-row.js';
import { rowsByKeys } from '../infra/database/rows-by-keys.js';
import { Sql } from '../infra/database/sql.js';
import { UUID_PATTERN } from '../common/ids.js';
import { receivedAtBounds } from '../common/received-at.js';
import { CURSOR_AT_SQL, type TimeCursor } from '../common/time-cursor.js';

export { type CallRow, contactOf, snapshotOf } from './call-row.js';

export interface CallFilters {
  status?: CallStatus;
  direction?: 'inbound' | 'outbound';
  dialpadUserId?: string;
  crmUserId?: string;
  from?: Date;
  to?: Date;
  conversationId?: string;
}

export interface CallKey {
  appId: AppId;
  dialpadCallId: string;
}

export interface CallUpdate extends CallKey {
  snapshot: CallSnapshot;
  crmUserId: string | null;
  /**
   * The stored event whose payload becomes raw_payload (copied inside PostgreSQL: sending 500 payloads back as a
   * jsonb[] parameter cost more than the rest of the update); null keeps the stored payload.
   */
  rawPayloadFrom: { eventId: string; receivedAt: string } | null;
}

/** A calls row with its row version (`xmin`): changes with every update of the row. */
export type VersionedCallRow = CallRow & { row_version: string };

export function callKey(k: CallKey): string {
  return `${k.appId}/${k.dialpadCallId.padStart(20, '0')}`;
}

function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The sort key COALESCE(started_at, created_at) as exact UTC text, and the id. */
export type CallCursor = TimeCursor;

/** A listed call with its exact sort key (for the next cursor). */
export type ListedCallRow = CallRow & { sort_at: string };

const COLUMNS = `id, app_id, dialpad_call_id, master_call_id, entry_point_call_id, direction, from_number, to_number,
  status, dialpad_user_id, crm_user_id, started_at, queued_at, ringing_at, connected_at, ended_at, duration_ms::float8 AS duration_ms,
  recording_url, custom_data, last_event_at, contact_id, contact_name, contact_email, contact_phone, contact_type, contact_at,
  position, position_at, conversation_id, created_at, updated_at`;

/** The statuses of a call in progress (listed by /api/calls/active). */
export const LIVE_STATUSES: readonly CallStatus[] = ['initiated', 'queued', 'ringing', 'connected', 'on_hold', 'parked'];
/** As SQL, matching the partial index calls_app_active_idx (migration 1732230600000-dialpad-states). */
const LIVE_STATUSES_SQL = LIVE_STATUSES.map((s) => `'${s}'`).join(', ');

/** How long a call may sit in a live status without news before /active stops listing it. */
export const ACTIVE_CALL_STALE_AFTER = '12 hours';

/** The columns a processed event writes from its snapshot, in the order of UNNEST_UPDATES (then crm_user_id, the raw event). */
const WRITTEN_COLUMNS = [
  'app_id', 'dialpad_call_id', 'status', 'direction', 'from_number', 'to_number', 'dialpad_user_id', 'master_call_id',
  'entry_point_call_id', 'started_at', 'queued_at', 'ringing_at', 'connected_at', 'ended_at', 'duration_ms', 'recording_url',
  'custom_data', 'last_event_at', 'contact_id', 'contact_name', 'contact_email', 'contact_phone', 'contact_type', 'contact_at',
  'position', 'position_at',
] as const;

/** updateParams as rows named `u` (the statement's FROM item). */
const UNNEST_UPDATES = `unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
                   $9::text[], $10::timestamptz[], $11::timestamptz[], $12::timestamptz[], $13::timestamptz[], $14::timestamptz[],
                   $15::bigint[], $16::text[], $17::text[], $18::timestamptz[], $19::text[], $20::text[], $21::text[],
                   $22::text[], $23::text[], $24::timestamptz[], $25::text[], $26::timestamptz[], $27::text[], $28::bigint[],
                   $29::timestamptz[])
         AS u(${WRITTEN_COLUMNS.join(', ')}, crm_user_id, raw_event_id, raw_received_at)`;

const SET_WRITTEN = WRITTEN_COLUMNS.filter((c) => c !== 'app_id' && c !== 'dialpad_call_id')
  .map((c) => `${c} = u.${c}`)
  .join(', ');

/** The payload of the stored event a row of `u` names (its key, within the batch's received_at bounds: updateParams). */
const RAW_PAYLOAD_OF_U = `(SELECT e.payload FROM webhook_events e WHERE e.received_at BETWEEN $30::timestamptz AND $31::timestamptz
           AND e.id = u.raw_event_id AND e.received_at = u.raw_received_at)`;

const INSERT_CALLS_SQL = `INSERT INTO calls (${WRITTEN_COLUMNS.join(', ')}, crm_user_id, raw_payload)
  SELECT ${WRITTEN_COLUMNS.map((c) => `u.${c}`).join(', ')}, u.crm_user_id,
         ${RAW_PAYLOAD_OF_U}
    FROM ${UNNEST_UPDATES}
  ON CONFLICT (app_id, dialpad_call_id) DO NOTHING
  RETURNING ${COLUMNS}`;

/** The only place SQL on `calls` lives. Every method takes the tenant id. */
@Injectable()
export class CallsRepository {
  constructor(private readonly db: Sql) {}

  /**
   * The stored calls rows of a batch, each with its row version (`xmin`): read without a lock first (the
   * processor's phase 1), then locked with `lock` (phase 3, after its new calls are inserted), in one global
   * order (app, call id, as compareKeys sorts them; one index probe per key, see rowsByKeys). Inserts before
   * locks, each in key order, is what keeps concurrent batches free of deadlocks: a batch never waits for an
   * insert while it holds a row lock another batch may be waiting for.
   */
  async findMany(client: PoolClient, keys: CallKey[], lock: boolean): Promise<Map<string, VersionedCallRow>> {
    if (keys.length === 0) return new Map();
    const sorted = [...keys].sort((a, b) => compareKeys(callKey(a), callKey(b)));
    // unnamed (here and below, the processor's per-event path): planned for this batch's keys each time (see "Statement plans" in events/event-processor.service.ts)
    const { rows } = await client.query<VersionedCallRow>({
      text: rowsByKeys({ table: 'calls', keyColumn: 'dialpad_call_id', columns: `${COLUMNS}, xmin::text AS row_version`, lock }),
      values: [sorted.map((k) => k.appId), sorted.map((k) => k.dialpadCallId)],
    });
    return byKey(rows);
  }

  /**
   * Stores new calls whole, in one statement and key order: one row version each, not a blank row
   * updated in the same transaction (which wrote every call twice, with its eight index entries).
   * A call another transaction stored since findMany did not find it is left alone (the INSERT waits
   * for that transaction): absent from the result, it is the caller's to lock and fold onto that row.
   */
  async insertMany(client: PoolClient, inserts: CallUpdate[]): Promise<Map<string, CallRow>> {
    if (inserts.length === 0) return new Map();
    const sorted = [...inserts].sort((a, b) => compareKeys(callKey(a), callKey(b)));
    const { rows } = await client.query<CallRow>({
      text: INSERT_CALLS_SQL,
      values: updateParams(sorted),
    });
    return byKey(rows);
  }

  /** Writes the new state of many stored calls in one statement. */
  async writeMany(client: PoolClient, updates: CallUpdate[]): Promise<Map<string, CallRow>> {
    if (updates.length === 0) return new Map();
    const { rows } = await client.query<CallRow>({
      text: `UPDATE calls c SET ${SET_WRITTEN},
         crm_user_id = COALESCE(u.crm_user_id, c.crm_user_id), raw_payload = COALESCE(${RAW_PAYLOAD_OF_U}, c.raw_payload),
         updated_at = now()
       FROM ${UNNEST_UPDATES}
       WHERE c.app_id = u.app_id AND c.dialpad_call_id = u.dialpad_call_id
       RETURNING ${COLUMNS.replace(/(^|,\s*)(?=\w)/g, '$1c.')}`,
      values: updateParams(updates),
    });
    return byKey(rows);
  }

  /**
   * A conversation's own call (its root) is `missed` only when no leg of the conversation connected,
   * else `unanswered` (calls/domain/conversation.ts). Settles the roots of the given conversations
   * after their legs were written: locks them first (in key order), then decides in a second statement,
   * whose snapshot includes every leg committed by a batch that held a root's lock before us.
   * Returns the roots whose status it changed.
   */
  async settleRoots(client: PoolClient, roots: CallKey[]): Promise<Map<string, CallStatus>> {
    const changed = new Map<string, CallStatus>();
    if (roots.length === 0) return changed;
    const sorted = [...roots].sort((a, b) => compareKeys(callKey(a), callKey(b)));
    const { rows: locked } = await client.query<{ id: string }>(rowsByKeys({ table: 'calls', keyColumn: 'dialpad_call_id', columns: 'id', lock: true }), [
      sorted.map((k) => k.appId),
      sorted.map((k) => k.dialpadCallId),
    ]);
    if (locked.length === 0) return changed;
    // the locked roots by primary key (one probe each, whatever the statistics), read again in this statement's snapshot
    const { rows } = await client.query<{ app_id: AppId; dialpad_call_id: string; status: CallStatus }>(
      `UPDATE calls c SET status = s.status, updated_at = now()
         FROM (SELECT r.id,
                      CASE WHEN EXISTS (SELECT 1 FROM calls l WHERE l.app_id = r.app_id AND l.conversation_id = r.dialpad_call_id
                                           AND l.connected_at IS NOT NULL) THEN 'unanswered' ELSE 'missed' END AS status
                 FROM calls r
                WHERE r.id = ANY($1::uuid[]) AND r.conversation_id = r.dialpad_call_id AND r.status IN ('missed', 'unanswered')) s
        WHERE c.id = s.id AND c.status <> s.status
        RETURNING c.app_id, c.dialpad_call_id, c.status`,
      [locked.map((r) => r.id)],
    );
    for (const r of rows) changed.set(callKey({ appId: r.app_id, dialpadCallId: r.dialpad_call_id }), r.status);
    return changed;
  }

  /** Every call of one conversation (unordered: calls/domain/conversation.ts orders them). */
  async listConversation(appId: AppId, conversationId: string, limit: number): Promise<CallRow[]> {
    return await this.db.query<CallRow>(`SELECT ${COLUMNS} FROM calls WHERE app_id = $1 AND conversation_id = $2 LIMIT $3`, [
      appId,
      conversationId,
      limit,
    ]);
  }

  async list(appId: AppId, f: CallFilters, limit: number, cursor?: CallCursor): Promise<ListedCallRow[]> {
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
    if (f.conversationId) add('conversation_id = ?', f.conversationId);
    if (f.from) add('COALESCE(started_at, created_at) >= ?', f.from);
    if (f.to) add('COALESCE(started_at, created_at) < ?', f.to);
    if (cursor) {
      params.push(cursor.at, cursor.id);
      where.push(`(COALESCE(started_at, created_at), id) < ($${params.length - 1}::timestamptz, $${params.length}::uuid)`);
    }
    params.push(limit);
    return await this.db.query<ListedCallRow>(
      `SELECT ${COLUMNS},
              to_char(COALESCE(started_at, created_at) AT TIME ZONE 'UTC', ${CURSOR_AT_SQL}) AS sort_at
         FROM calls WHERE ${where.join(' AND ')}
        ORDER BY COALESCE(started_at, created_at) DESC, id DESC LIMIT $${params.length}`,
      params,
    );
  }

  async listActive(appId: AppId, limit: number): Promise<CallRow[]> {
    return await this.db.query<CallRow>(
      `SELECT ${COLUMNS} FROM calls
        WHERE app_id = $1 AND status IN (${LIVE_STATUSES_SQL})
          AND COALESCE(last_event_at, created_at) > now() - interval '${ACTIVE_CALL_STALE_AFTER}'
        ORDER BY last_event_at DESC NULLS LAST LIMIT $2`,
      [appId, limit],
    );
  }

  /** By our uuid or by Dialpad's call id. */
  async findOne(appId: AppId, id: string): Promise<(CallRow & { raw_payload_json: string | null }) | null> {
    const byUuid = UUID_PATTERN.test(id);
    const rows = await this.db.query<CallRow & { raw_payload_json: string | null }>(
      `SELECT ${COLUMNS}, raw_payload::text AS raw_payload_json FROM calls
        WHERE app_id = $1 AND ${byUuid ? 'id = $2::uuid' : 'dialpad_call_id = $2'}`,
      [appId, id],
    );
    return rows[0] ?? null;
  }
}

/** The column arrays of UNNEST_UPDATES. */
function updateParams(updates: CallUpdate[]): unknown[] {
  const col = <T>(f: (u: CallUpdate) => T) => updates.map(f);
  return [
    col((u) => u.appId),
    col((u) => u.dialpadCallId),
    col((u) => u.snapshot.status),
    col((u) => u.snapshot.direction),
    col((u) => u.snapshot.fromNumber),
    col((u) => u.snapshot.toNumber),
    col((u) => u.snapshot.dialpadUserId),
    col((u) => u.snapshot.masterCallId),
    col((u) => u.snapshot.entryPointCallId),
    col((u) => u.snapshot.startedAt),
    col((u) => u.snapshot.queuedAt),
    col((u) => u.snapshot.ringingAt),
    col((u) => u.snapshot.connectedAt),
    col((u) => u.snapshot.endedAt),
    col((u) => (u.snapshot.durationMs === null ? null : Math.round(u.snapshot.durationMs))),
    col((u) => u.snapshot.recordingUrl),
    col((u) => u.snapshot.customData),
    col((u) => u.snapshot.lastEventAt),
    col((u) => u.snapshot.contact?.id ?? null),
    col((u) => u.snapshot.contact?.name ?? null),
    col((u) => u.snapshot.contact?.email ?? null),
    col((u) => u.snapshot.contact?.phone ?? null),
    col((u) => u.snapshot.contact?.type ?? null),
    col((u) => u.snapshot.contactAt),
    col((u) => u.snapshot.position),
    col((u) => u.snapshot.positionAt),
    col((u) => u.crmUserId),
    col((u) => u.rawPayloadFrom?.eventId ?? null),
    col((u) => u.rawPayloadFrom?.receivedAt ?? null),
    // the raw payloads' partitions (see receivedAtBounds)
    ...receivedAtBounds(updates.map((u) => u.rawPayloadFrom?.receivedAt ?? null)),
  ];
}

function byKey<R extends CallRow>(rows: R[]): Map<string, R> {
  return new Map(rows.map((r) => [callKey({ appId: r.app_id, dialpadCallId: r.dialpad_call_id }), r]));
}
