import { Injectable } from '@nestjs/common';
import { timeRange } from '../common/time-range.js';
import type { AppId } from '../common/app-id.js';
import { decodeTimeCursor, encodeTimeCursor } from '../common/time-cursor.js';
import { ListSmsQueryDto, SmsDto, SmsPageDto } from './dto/sms.dto.js';
import { SmsRepository, SmsRow } from './sms.repository.js';

@Injectable()
export class SmsService {
  constructor(private readonly sms: SmsRepository) {}

  async list(appId: AppId, q: ListSmsQueryDto): Promise<SmsPageDto> {
    const limit = q.limit ?? 50;
    const { from, to } = timeRange(q);
    const rows = await this.sms.list(
      appId,
      { direction: q.direction, dialpadUserId: q.dialpad_user_id, crmUserId: q.crm_user_id, from, to },
      limit,
      q.cursor ? decodeTimeCursor(q.cursor) : undefined,
    );
    const last = rows[rows.length - 1];
    return {
      items: rows.map(toSmsDto),
      next_cursor: rows.length === limit && last ? encodeTimeCursor({ at: last.sort_at, id: last.id }) : null,
    };
  }
}

function orNull<T extends Record<string, unknown>>(value: T): T | null {
  return Object.values(value).some((v) => v !== null) ? value : null;
}

export function toSmsDto(row: SmsRow): SmsDto {
  return {
    id: row.id,
    dialpad_sms_id: row.dialpad_sms_id,
    direction: row.direction,
    from_number: row.from_number,
    to_numbers: row.to_numbers,
    text: row.text,
    mms: row.mms,
    mms_url: row.mms_url,
    message_status: row.message_status,
    delivery_result: row.delivery_result,
    dialpad_user_id: row.dialpad_user_id,
    crm_user_id: row.crm_user_id,
    sender_id: row.sender_id,
    target: orNull({ id: row.target_id, type: row.target_type, name: row.target_name, phone: row.target_phone }),
    contact: orNull({ id: row.contact_id, name: row.contact_name, email: row.contact_email, phone: row.contact_phone, type: row.contact_type }),
    sent_at: row.sent_at,
    last_event_at: row.last_event_at,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}
