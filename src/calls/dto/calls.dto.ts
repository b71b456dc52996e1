import { IsIn, IsOptional } from 'class-validator';
import { ApiProperty } from '@nestjs/swagger';
import { CALL_STATUSES, type CallStatus } from '../domain/call-state.js';
import { ContactDto } from '../../common/dto/contact.dto.js';
import { ActivityQueryDto } from '../../common/dto/activity-query.dto.js';

/** `GET /api/calls`: started between `from` and `to`, by status, direction, user, cursor. */
export class ListCallsQueryDto extends ActivityQueryDto {
  @IsOptional()
  @IsIn(CALL_STATUSES)
  status?: CallStatus;
}

export class CallDto {
  id!: string;
  /** Dialpad's call id (a string: Dialpad ids exceed JavaScript's safe integers). */
  dialpad_call_id!: string;
  master_call_id!: string | null;
  entry_point_call_id!: string | null;
  direction!: 'inbound' | 'outbound' | null;
  /** E.164. Inbound: the caller; outbound: our line. */
  from_number!: string | null;
  to_number!: string | null;
  /**
   * initiated, queued, ringing, connected, on_hold, parked (a connected call on hold or parked), ended, missed,
   * blocked, voicemail (docs/wire-protocol.md, "Dialpad call states").
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

export class CallDetailDto extends CallDto {
  /** The newest event's payload as Dialpad sent it. */
  raw_payload!: Record<string, unknown> | null;
}

export class CallPageDto {
  items!: CallDto[];
  /** Pass as `cursor` for the next page; null at the end. */
  next_cursor!: string | null;
}

export class ActiveCallsDto {
  items!: CallDto[];
}
