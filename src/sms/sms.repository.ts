import { Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import type { AppId } from '../common/app-id.js';
import { CURSOR_AT_SQL, type TimeCursor } from '../common/time-cursor.js';
import { Sql } from '../infra/database/sql.js';
import type { NormalizedSms } from '../integrations/dialpad/wire/sms-event.js';

export interface SmsRow {
  id: string;
  app_id: AppId;
  dialpad_sms_id: string;
  direction: 'inbound' | 'outbound';
  from_number: string | null;
  to_numbers: string[];
  text: string | null;
  mms: boolean | null;
  mms_url: string | null;
  message_status: string | null;
  delivery_result: string | null;
  status_at: Date | null;
  dialpad_user_id: string | null;
  crm_user_id: string | null;
  sender_id: string | null;
  target_id: string | null;
  target_type: string | null;
  target_name: string | null;
  target_phone: string | null;
  contact_id: string | null;
  contact_name: string | null;
  contact_email: string | null;
  contact_phone: string | null;
  contact_type: string | null;
  sent_at: Date | null;
  last_event_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

export type ListedSmsRow = SmsRow & { sort_at: string };

export interface SmsUpsert {
  appId: AppId;
  sms: NormalizedSms;
  crmUserId: string | null;
  payloadJson: string;
}

export interface SmsFilters {
  direction?: 'inbound' | 'outbound';
  dialpadUserId?: string;
  crmUserId?: string;
  from?: Date;
  to?: Date;
}

export function smsKey(appId: string, smsId: string, direction: string): string {
  return `${appId}/${smsId}/${direction}`;
}

const COLUMNS = `id, app_id, dialpad_sms_id, direction, from_number, to_numbers, text, mms, mms_url, message_status,
  delivery_result, status_at, dialpad_user_id, crm_user_id, sender_id, target_id, target_type, target_name, target_phone,
  contact_id, contact_name, contact_email, contact_phone, contact_type, sent_at, last_event_at, created_at, updated_at`;

/** A delivery status's weight when two events carry the same time: a final status beats `pending`. */
const STATUS_RANK_SQL = (column: string) =>
  `CASE ${column} WHEN 'success' THEN 3 WHEN 'delivered' THEN 3 WHEN 'failed' THEN 2 WHEN 'pending' THEN 1 ELSE 0 END`;

/** The stored row's status is older than the incoming one's (last writer by Dialpad's event time wins; ties by status). */
const NEWER = `(COALESCE(EXCLUDED.status_at, '-infinity'), ${STATUS_RANK_SQL('EXCLUDED.message_status')}, COALESCE(EXCLUDED.message_status, '') COLLATE "C")
             > (COALESCE(s.status_at, '-infinity'), ${STATUS_RANK_SQL('s.message_status')}, COALESCE(s.message_status, '') COLLATE "C")`;

/** Null never overwrites a value; two different values resolve to the smaller, whatever the order. */
const fill = (column: string) => `${column} = LEAST(s.${column} COLLATE "C", EXCLUDED.${column} COLLATE "C")`;

/** The only place SQL on `sms_messages` lives. Every method takes the tenant id. */
@Injectable()
export class SmsRepository {
  constructor(private readonly db: Sql) {}

  /**
   * Writes a batch of SMS events, order-free: fields fill in, the newest delivery status
   * wins. One statement per round, where round k holds the k-th event of each message in the
   * batch (one round unless a batch holds several events of one message): an upsert cannot
   * touch a row twice. Returns the rows by smsKey.
   */
  async upsertMany(client: PoolClient, upserts: SmsUpsert[]): Promise<Map<string, SmsRow>> {
    const rounds: SmsUpsert[][] = [];
    const seen = new Map<string, number>();
    for (const u of upserts) {
      const key = smsKey(u.appId, u.sms.smsId, u.sms.direction);
      const round = seen.get(key) ?? 0;
      seen.set(key, round + 1);
      (rounds[round] ??= []).push(u);
    }
    const out = new Map<string, SmsRow>();
    for (const round of rounds) {
      for (const row of await this.upsertRound(client, round)) out.set(smsKey(row.app_id, row.dialpad_sms_id, row.direction), row);
    }
    return out;
  }

  private async upsertRound(client: PoolClient, upserts: SmsUpsert[]): Promise<SmsRow[]> {
    const col = <T>(f: (u: SmsUpsert) => T) => upserts.map(f);
    const { rows } = await client.query<SmsRow>(
      `INSERT INTO sms_messages AS s (app_id, dialpad_sms_id, direction, from_number, to_numbers, text, mms, mms_url,
              message_status, delivery_result, status_at, dialpad_user_id, crm_user_id, sender_id, target_id, target_type,
              target_name, target_phone, contact_id, contact_name, contact_email, contact_phone, contact_type, sent_at,
              last_event_at, raw_payload)
       SELECT u.app_id, u.sms_id, u.direction, u.from_number, ARRAY(SELECT jsonb_array_elements_text(u.to_numbers)), u.text,
              u.mms, u.mms_url, u.message_status, u.delivery_result, u.status_at, u.dialpad_user_id, u.crm_user_id, u.sender_id,
              u.target_id, u.target_type, u.target_name, u.target_phone, u.contact_id, u.contact_name, u.contact_email,
              u.contact_phone, u.contact_type, u.sent_at, u.last_event_at, u.raw_payload
         FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::jsonb[], $6::text[], $7::boolean[], $8::text[],
                     $9::text[], $10::text[], $11::timestamptz[], $12::text[], $13::text[], $14::text[], $15::text[],
                     $16::text[], $17::text[], $18::text[], $19::text[], $20::text[], $21::text[], $22::text[], $23::text[],
                     $24::timestamptz[], $25::timestamptz[], $26::jsonb[])
           AS u(app_id, sms_id, direction, from_number, to_numbers, text, mms, mms_url, message_status, delivery_result,
                status_at, dialpad_user_id, crm_user_id, sender_id, target_id, target_type, target_name, target_phone,
                contact_id, contact_name, contact_email, contact_phone, contact_type, sent_at, last_event_at, raw_payload)
       ON CONFLICT (app_id, dialpad_sms_id, direction) DO UPDATE SET
         ${['from_number', 'text', 'mms_url', 'dialpad_user_id', 'sender_id', 'target_id', 'target_type', 'target_name', 'target_phone', 'contact_id', 'contact_name', 'contact_email', 'contact_phone', 'contact_type'].map(fill).join(',\n         ')},
         to_numbers = CASE WHEN cardinality(s.to_numbers) = 0 THEN EXCLUDED.to_numbers
                           WHEN cardinality(EXCLUDED.to_numbers) = 0 THEN s.to_numbers
                           ELSE LEAST(s.to_numbers COLLATE "C", EXCLUDED.to_numbers COLLATE "C") END,
         mms = GREATEST(s.mms, EXCLUDED.mms),
         message_status = CASE WHEN ${NEWER} THEN EXCLUDED.message_status ELSE s.message_status END,
         delivery_result = CASE WHEN ${NEWER} THEN EXCLUDED.delivery_result ELSE s.delivery_result END,
         raw_payload = CASE WHEN ${NEWER} THEN EXCLUDED.raw_payload ELSE s.raw_payload END,
         status_at = CASE WHEN ${NEWER} THEN EXCLUDED.status_at ELSE s.status_at END,
         crm_user_id = COALESCE(EXCLUDED.crm_user_id, s.crm_user_id),
         sent_at = LEAST(s.sent_at, EXCLUDED.sent_at),
         last_event_at = GREATEST(s.last_event_at, EXCLUDED.last_event_at),
         updated_at = now()
       RETURNING ${COLUMNS}`,
      [
        col((u) => u.appId),
        col((u) => u.sms.smsId),
        col((u) => u.sms.direction),
        col((u) => u.sms.fromNumber),
        col((u) => JSON.stringify(u.sms.toNumbers)),
        col((u) => u.sms.text),
        col((u) => u.sms.mms),
        col((u) => u.sms.mmsUrl),
        col((u) => u.sms.messageStatus),
        col((u) => u.sms.deliveryResult),
        col((u) => u.sms.eventAt),
        col((u) => u.sms.dialpadUserId),
        col((u) => u.crmUserId),
        col((u) => u.sms.senderId),
        col((u) => u.sms.target?.id ?? null),
        col((u) => u.sms.target?.type ?? null),
        col((u) => u.sms.target?.name ?? null),
        col((u) => u.sms.target?.phone ?? null),
        col((u) => u.sms.contact?.id ?? null),
        col((u) => u.sms.contact?.name ?? null),
        col((u) => u.sms.contact?.email ?? null),
        col((u) => u.sms.contact?.phone ?? null),
        col((u) => u.sms.contact?.type ?? null),
        col((u) => u.sms.createdAt),
        col((u) => u.sms.eventAt),
        col((u) => u.payloadJson),
      ],
    );
    return rows;
  }

  /** Newest first (by Dialpad's created_date), with filters and a cursor. */
  async list(appId: AppId, f: SmsFilters, limit: number, cursor?: TimeCursor): Promise<ListedSmsRow[]> {
    const where = ['app_id = $1'];
    const params: unknown[] = [appId];
    const add = (sql: string, value: unknown) => {
      params.push(value);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (f.direction) add('direction = ?', f.direction);
    if (f.dialpadUserId) add('dialpad_user_id = ?', f.dialpadUserId);
    if (f.crmUserId) add('crm_user_id = ?', f.crmUserId);
    if (f.from) add('COALESCE(sent_at, created_at) >= ?', f.from);
    if (f.to) add('COALESCE(sent_at, created_at) < ?', f.to);
    if (cursor) {
      params.push(cursor.at, cursor.id);
      where.push(`(COALESCE(sent_at, created_at), id) < ($${params.length - 1}::timestamptz, $${params.length}::uuid)`);
    }
    params.push(limit);
    return await this.db.query<ListedSmsRow>(
      `SELECT ${COLUMNS}, to_char(COALESCE(sent_at, created_at) AT TIME ZONE 'UTC', ${CURSOR_AT_SQL}) AS sort_at
         FROM sms_messages WHERE ${where.join(' AND ')}
        ORDER BY COALESCE(sent_at, created_at) DESC, id DESC LIMIT $${params.length}`,
      params,
    );
  }
}
