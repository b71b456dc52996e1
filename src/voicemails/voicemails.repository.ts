import { Injectable } from '@nestjs/common';
import type { AppId } from '../common/app-id.js';
import type { PoolClient } from 'pg';
import { rowsByKeys } from '../infra/database/rows-by-keys.js';
import { Sql } from '../infra/database/sql.js';
import type { VoicemailState } from './voicemail-fold.js';

/** One voicemail to write: its merged state, the CRM user, the newest contributing payload (null keeps the stored one). */
export interface VoicemailWrite {
  appId: AppId;
  dialpadCallId: string;
  state: VoicemailState;
  crmUserId: string | null;
  rawPayloadJson: string | null;
}

export interface VoicemailRow {
  id: string;
  app_id: AppId;
  dialpad_call_id: string;
  dialpad_user_id: string | null;
  crm_user_id: string | null;
  from_number: string | null;
  to_number: string | null;
  voicemail_url: string | null;
  recording_id: string | null;
  transcription: string | null;
  duration_ms: number | null;
  received_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

export const VOICEMAIL_COLUMNS = `id, app_id, dialpad_call_id, dialpad_user_id, crm_user_id, from_number, to_number,
  voicemail_url, recording_id, transcription, duration_ms::float8 AS duration_ms, received_at, created_at, updated_at`;

/** The only place SQL on `voicemails` lives. Every method takes the tenant id. */
@Injectable()
export class VoicemailsRepository {
  constructor(private readonly db: Sql) {}

  /** The voicemails of these calls (the processor holds the calls' locks, so they cannot change under it). */
  async findForCalls(client: PoolClient, keys: { appId: AppId; dialpadCallId: string }[]): Promise<VoicemailRow[]> {
    if (keys.length === 0) return [];
    const { rows } = await client.query<VoicemailRow>(
      rowsByKeys({ table: 'voicemails', keyColumn: 'dialpad_call_id', columns: VOICEMAIL_COLUMNS }),
      [keys.map((k) => k.appId), keys.map((k) => k.dialpadCallId)],
    );
    return rows;
  }

  /** Writes the folded voicemails of a batch in one statement (voicemails/voicemail-fold.ts merged them). */
  async upsertMany(client: PoolClient, writes: VoicemailWrite[]): Promise<VoicemailRow[]> {
    if (writes.length === 0) return [];
    const col = <T>(f: (w: VoicemailWrite) => T) => writes.map(f);
    const { rows } = await client.query<VoicemailRow>(
      `INSERT INTO voicemails (app_id, dialpad_call_id, dialpad_user_id, crm_user_id, from_number, to_number,
                               voicemail_url, recording_id, transcription, duration_ms, received_at, raw_payload)
       SELECT a, c, u, crm, f, t, url, rec, tr, d, COALESCE(r, now()), p
         FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
                     $9::text[], $10::bigint[], $11::timestamptz[], $12::jsonb[]) AS w(a, c, u, crm, f, t, url, rec, tr, d, r, p)
       ON CONFLICT (app_id, dialpad_call_id) DO UPDATE SET
         dialpad_user_id = EXCLUDED.dialpad_user_id,
         crm_user_id = COALESCE(EXCLUDED.crm_user_id, voicemails.crm_user_id),
         from_number = EXCLUDED.from_number, to_number = EXCLUDED.to_number,
         voicemail_url = EXCLUDED.voicemail_url, recording_id = EXCLUDED.recording_id,
         transcription = EXCLUDED.transcription, duration_ms = EXCLUDED.duration_ms,
         received_at = EXCLUDED.received_at,
         raw_payload = COALESCE(EXCLUDED.raw_payload, voicemails.raw_payload),
         updated_at = now()
       RETURNING ${VOICEMAIL_COLUMNS}`,
      [
        col((w) => w.appId),
        col((w) => w.dialpadCallId),
        col((w) => w.state.dialpadUserId),
        col((w) => w.crmUserId),
        col((w) => w.state.fromNumber),
        col((w) => w.state.toNumber),
        col((w) => w.state.voicemailUrl),
        col((w) => w.state.recordingId),
        col((w) => w.state.transcription),
        col((w) => (w.state.durationMs === null ? null : Math.round(w.state.durationMs))),
        col((w) => w.state.receivedAt),
        col((w) => w.rawPayloadJson),
      ],
    );
    return rows;
  }

  /** The voicemails of some calls of one app (a conversation's legs). */
  async listForCalls(appId: AppId, dialpadCallIds: string[]): Promise<VoicemailRow[]> {
    return await this.db.query<VoicemailRow>(`SELECT ${VOICEMAIL_COLUMNS} FROM voicemails WHERE app_id = $1 AND dialpad_call_id = ANY($2::text[])`, [
      appId,
      dialpadCallIds,
    ]);
  }

  async list(
    appId: AppId,
    f: { dialpadUserId?: string; from?: Date; to?: Date },
    limit: number,
    offset: number,
  ): Promise<VoicemailRow[]> {
    return await this.db.query<VoicemailRow>(
      `SELECT ${VOICEMAIL_COLUMNS} FROM voicemails
        WHERE app_id = $1
          AND ($2::text IS NULL OR dialpad_user_id = $2)
          AND ($3::timestamptz IS NULL OR received_at >= $3)
          AND ($4::timestamptz IS NULL OR received_at < $4)
        ORDER BY received_at DESC NULLS LAST, id DESC
        LIMIT $5 OFFSET $6`,
      [appId, f.dialpadUserId ?? null, f.from ?? null, f.to ?? null, limit, offset],
    );
  }

  async findOne(appId: AppId, id: string): Promise<VoicemailRow | null> {
    const rows = await this.db.query<VoicemailRow>(`SELECT ${VOICEMAIL_COLUMNS} FROM voicemails WHERE app_id = $1 AND id = $2`, [
      appId,
      id,
    ]);
    return rows[0] ?? null;
  }

  async delete(appId: AppId, id: string): Promise<boolean> {
    return (await this.db.execute(`DELETE FROM voicemails WHERE app_id = $1 AND id = $2`, [appId, id])) > 0;
  }
}

/** A stored voicemail as the fold reads it. */
export function voicemailStateOf(row: VoicemailRow): VoicemailState {
  return {
    voicemailUrl: row.voicemail_url,
    recordingId: row.recording_id,
    transcription: row.transcription,
    durationMs: row.duration_ms,
    receivedAt: row.received_at,
    dialpadUserId: row.dialpad_user_id,
    fromNumber: row.from_number,
    toNumber: row.to_number,
  };
}
