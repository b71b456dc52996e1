import { Injectable } from '@nestjs/common';
import { timeRange } from '../common/time-range.js';
import type { AppId } from '../common/app-id.js';
import { DomainError } from '../common/errors/domain-error.js';
import { parseJsonLossless } from '../common/lossless-json.js';
import { CallRow, CallsRepository, contactOf } from './calls.repository.js';
import { decodeTimeCursor, encodeTimeCursor } from '../common/time-cursor.js';
import { ActiveCallsDto, CallDetailDto, CallDto, CallPageDto, CallTranscriptDto, ListCallsQueryDto } from './dto/calls.dto.js';
import { CallDetailsRepository } from './call-details.repository.js';
import { csatView, recapView, recordingsView } from './call-details.view.js';
import { UUID_PATTERN, DIGITS_ID_PATTERN } from '../common/ids.js';

@Injectable()
export class CallsService {
  constructor(
    private readonly calls: CallsRepository,
    private readonly details: CallDetailsRepository,
  ) {}

  async list(appId: AppId, q: ListCallsQueryDto): Promise<CallPageDto> {
    const limit = q.limit ?? 50;
    const { from, to } = timeRange(q);
    const rows = await this.calls.list(
      appId,
      {
        status: q.status,
        direction: q.direction,
        dialpadUserId: q.dialpad_user_id,
        crmUserId: q.crm_user_id,
        conversationId: q.conversation_id,
        from,
        to,
      },
      limit,
      q.cursor ? decodeTimeCursor(q.cursor) : undefined,
    );
    const last = rows[rows.length - 1];
    return {
      items: rows.map(toCallDto),
      next_cursor: rows.length === limit && last ? encodeTimeCursor({ at: last.sort_at, id: last.id }) : null,
    };
  }

  async active(appId: AppId): Promise<ActiveCallsDto> {
    return { items: (await this.calls.listActive(appId, 500)).map(toCallDto) };
  }

  async get(appId: AppId, id: string): Promise<CallDetailDto> {
    const row = await this.find(appId, id);
    const { details, showAdminRecordings } = await this.details.findOne(appId, row.dialpad_call_id);
    return {
      ...toCallDto(row),
      recordings: recordingsView(details, showAdminRecordings),
      transcript_available: details?.transcript != null,
      recap: recapView(details),
      csat: csatView(details),
      dispositions: details?.dispositions ?? [],
      labels: details?.labels ?? [],
      talk_time_ms: details?.talkTimeMs ?? null,
      hold_time_ms: details?.holdTimeMs ?? null,
      queue_time_ms: queueTimeMs(row),
      raw_payload: row.raw_payload_json ? (parseJsonLossless(row.raw_payload_json) as Record<string, unknown>) : null,
    };
  }

  /** The call's transcript; 404 when the call is not the app's or Dialpad sent none. */
  async transcript(appId: AppId, id: string): Promise<CallTranscriptDto> {
    const row = await this.find(appId, id);
    const transcript = (await this.details.findOne(appId, row.dialpad_call_id)).details?.transcript;
    if (!transcript) throw new DomainError('NOT_FOUND', 'No transcript for this call');
    return {
      id: row.id,
      dialpad_call_id: row.dialpad_call_id,
      text: transcript.value,
      updated_at: transcript.at === null ? null : new Date(transcript.at).toISOString(),
    };
  }

  private async find(appId: AppId, id: string) {
    if (!(DIGITS_ID_PATTERN.test(id) || UUID_PATTERN.test(id))) {
      throw new DomainError('NOT_FOUND', 'Call not found');
    }
    const row = await this.calls.findOne(appId, id);
    if (!row) throw new DomainError('NOT_FOUND', 'Call not found');
    return row;
  }
}

export function toCallDto(row: CallRow): CallDto {
  return {
    id: row.id,
    dialpad_call_id: row.dialpad_call_id,
    master_call_id: row.master_call_id,
    entry_point_call_id: row.entry_point_call_id,
    conversation_id: row.conversation_id,
    direction: row.direction,
    from_number: row.from_number,
    to_number: row.to_number,
    status: row.status,
    dialpad_user_id: row.dialpad_user_id,
    crm_user_id: row.crm_user_id,
    started_at: row.started_at,
    queued_at: row.queued_at,
    ringing_at: row.ringing_at,
    connected_at: row.connected_at,
    ended_at: row.ended_at,
    duration_ms: row.duration_ms,
    recording_url: row.recording_url,
    custom_data: row.custom_data,
    contact: contactOf(row),
    last_event_at: row.last_event_at,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

/** From entering the queue to the answer, or to the end when nobody answered; null without a queue time. */
function queueTimeMs(row: CallRow): number | null {
  const until = row.connected_at ?? row.ended_at;
  if (!row.queued_at || !until) return null;
  const ms = until.getTime() - row.queued_at.getTime();
  return ms >= 0 ? ms : null;
}
