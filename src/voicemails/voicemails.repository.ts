import { Injectable } from '@nestjs/common';
import type { AppId } from '../common/app-id.js';
import type { PoolClient } from 'pg';
import type { NormalizedEvent } from '../integrations/dialpad/wire/dialpad-event.js';
import { Sql } from '../infra/database/sql.js';

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

  /** Idempotent: a voicemail event delivered twice (or in parts) fills the same row. */
  async upsertFromEvent(
    client: PoolClient,
    appId: AppId,
    e: NormalizedEvent,
    crmUserId: string | null,
    rawPayloadJson: string,
  ): Promise<VoicemailRow> {
    const { rows } = await client.query<VoicemailRow>(
      `INSERT INTO voicemails (app_id, dialpad_call_id, dialpad_user_id, crm_user_id, from_number, to_number,
                               voicemail_url, recording_id, transcription, duration_ms, received_at, raw_payload)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12::jsonb)
       ON CONFLICT (app_id, dialpad_call_id) DO UPDATE SET
         dialpad_user_id = COALESCE(voicemails.dialpad_user_id, EXCLUDED.dialpad_user_id),
         crm_user_id = COALESCE(EXCLUDED.crm_user_id, voicemails.crm_user_id),
         from_number = COALESCE(voicemails.from_number, EXCLUDED.from_number),
         to_number = COALESCE(voicemails.to_number, EXCLUDED.to_number),
         voicemail_url = COALESCE(EXCLUDED.voicemail_url, voicemails.voicemail_url),
         recording_id = COALESCE(EXCLUDED.recording_id, voicemails.recording_id),
         transcription = COALESCE(EXCLUDED.transcription, voicemails.transcription),
         duration_ms = GREATEST(voicemails.duration_ms, EXCLUDED.duration_ms),
         received_at = LEAST(voicemails.received_at, EXCLUDED.received_at),
         raw_payload = EXCLUDED.raw_payload,
         updated_at = now()
       RETURNING ${VOICEMAIL_COLUMNS}`,
      [
        appId,
        e.dialpadCallId,
        e.dialpadUserId,
        crmUserId,
        e.fromNumber,
        e.toNumber,
        e.voicemailUrl,
        e.voicemailRecordingId,
        e.transcriptionText,
        e.durationMs === null ? null : Math.round(e.durationMs),
        e.eventAt ?? e.endedAt ?? new Date(),
        rawPayloadJson,
      ],
    );
    return rows[0]!;
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
