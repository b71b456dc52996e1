import { IsIn, IsOptional, Matches } from 'class-validator';
import { DIGITS_ID_PATTERN } from '../../common/ids.js';
import { ApiProperty } from '@nestjs/swagger';
import { CALL_STATUSES, type CallStatus } from '../domain/call-state.js';
import { ContactDto } from '../../common/dto/contact.dto.js';
import { ActivityQueryDto } from '../../common/dto/activity-query.dto.js';

/** `GET /api/calls`: started between `from` and `to`, by status, direction, user, cursor. */
export class ListCallsQueryDto extends ActivityQueryDto {
  @IsOptional()
  @IsIn(CALL_STATUSES)
  status?: CallStatus;

  /** Only the calls (legs) of this conversation (a Dialpad call id: digits). */
  @IsOptional()
  @Matches(DIGITS_ID_PATTERN, { message: 'conversation_id must be a Dialpad call id (digits)' })
  conversation_id?: string;
}

export class CallDto {
  id!: string;
  /** Dialpad's call id (a string: Dialpad ids exceed JavaScript's safe integers). */
  dialpad_call_id!: string;
  master_call_id!: string | null;
  entry_point_call_id!: string | null;
  /**
   * The conversation this call is a leg of: its `entry_point_call_id`, else its `master_call_id`, else its own
   * Dialpad call id (a lone call is its own conversation). See `GET /api/conversations/{id}`.
   */
  conversation_id!: string;
  direction!: 'inbound' | 'outbound' | null;
  /** E.164. Inbound: the caller; outbound: our line. */
  from_number!: string | null;
  to_number!: string | null;
  /**
   * initiated, queued, ringing, connected, on_hold, parked (a connected call on hold or parked), ended, missed,
   * unanswered (a leg, or a conversation's first call, that rang unanswered while the conversation went on elsewhere:
   * not a missed call of its own), blocked, voicemail (docs/wire-protocol.md, "Dialpad call states").
   */
  @ApiProperty({ enum: CALL_STATUSES })
  status!: CallStatus;
  dialpad_user_id!: string | null;
  crm_user_id!: string | null;
  started_at!: Date | null;
  /** When the call entered a call-centre queue. */
  queued_at!: Date | null;
  ringing_at!: Date | null;
  connected_at!: Date | null;
  ended_at!: Date | null;
  duration_ms!: number | null;
  recording_url!: string | null;
  custom_data!: string | null;
  /** The caller (inbound) or the callee (outbound), as Dialpad knows them. */
  contact!: ContactDto | null;
  last_event_at!: Date | null;
  created_at!: Date;
  updated_at!: Date;
}

/** One recording of a call (Dialpad's `recording_details`). */
export class RecordingDto {
  /** Dialpad's recording id */
  id!: string | null;
  /** `callrecording`, `admincallrecording` (shown only when the app's `show_admin_recordings` is on) or `voicemail` */
  type!: string | null;
  url!: string | null;
  duration_ms!: number | null;
  started_at!: string | null;
}

/** Dialpad's AI recap of the call. */
export class RecapDto {
  summary!: string | null;
  outcome!: string | null;
  purposes!: string[];
  action_items!: string[];
}

export class CsatDto {
  /** The caller's survey answer (Dialpad's `csat_score`, a string). */
  score!: string | null;
  /** Dialpad's predicted CSAT (the `pcsat` state's score). */
  predicted_score!: string | null;
  transcriptions!: string[];
  recording_urls!: string[];
}

export class CallDetailDto extends CallDto {
  /** Every recording of the call, oldest first; `recording_url` is the newest call recording. */
  recordings!: RecordingDto[];
  /** Whether Dialpad sent a transcript (`GET /api/calls/{id}/transcript`). */
  transcript_available!: boolean;
  recap!: RecapDto | null;
  csat!: CsatDto | null;
  /** Dialpad's dispositions (the `dispositions` state's labels). */
  dispositions!: string[];
  /** Every label Dialpad put on the call. */
  labels!: string[];
  /** Talking time (Dialpad's `talk_time`), hold time (`hold_time`), in milliseconds. */
  talk_time_ms!: number | null;
  hold_time_ms!: number | null;
  /** Time in a call-centre queue: from `queued_at` to the answer (or the end when nobody answered). */
  queue_time_ms!: number | null;
  /** The newest event's payload as Dialpad sent it. */
  raw_payload!: Record<string, unknown> | null;
}

export class CallTranscriptDto {
  /** Our call id (uuid) and Dialpad's */
  id!: string;
  dialpad_call_id!: string;
  /** Dialpad's `transcription_text`, as sent (the newest by Dialpad's event time) */
  text!: string;
  /** Dialpad's event time of the event that brought it */
  updated_at!: string | null;
}

export class CallPageDto {
  items!: CallDto[];
  /** Pass as `cursor` for the next page; null at the end. */
  next_cursor!: string | null;
}

export class ActiveCallsDto {
  items!: CallDto[];
}
