import { IsIn, IsISO8601, IsOptional, IsString, Length, Matches } from 'class-validator';
import { LimitQueryDto } from '../../common/dto/page-query.dto.js';
import { DIGITS_ID_PATTERN } from '../../common/ids.js';

export class ListCallsQueryDto extends LimitQueryDto {
  @IsOptional()
  @IsIn(['initiated', 'ringing', 'connected', 'ended', 'missed', 'voicemail'])
  status?: 'initiated' | 'ringing' | 'connected' | 'ended' | 'missed' | 'voicemail';

  @IsOptional()
  @IsIn(['inbound', 'outbound'])
  direction?: 'inbound' | 'outbound';

  /** Dialpad user id (digits). */
  @IsOptional()
  @Matches(DIGITS_ID_PATTERN, { message: 'dialpad_user_id must be digits' })
  dialpad_user_id?: string;

  @IsOptional()
  @IsString()
  @Length(1, 200)
  crm_user_id?: string;

  /** Calls started at or after this instant (ISO 8601). */
  @IsOptional()
  @IsISO8601({ strict: true })
  from?: string;

  /** Calls started before this instant (ISO 8601). */
  @IsOptional()
  @IsISO8601({ strict: true })
  to?: string;

  /** Opaque cursor from `next_cursor`. */
  @IsOptional()
  @IsString()
  @Length(1, 200)
  cursor?: string;
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
  status!: 'initiated' | 'ringing' | 'connected' | 'ended' | 'missed' | 'voicemail';
  dialpad_user_id!: string | null;
  crm_user_id!: string | null;
  started_at!: Date | null;
  ringing_at!: Date | null;
  connected_at!: Date | null;
  ended_at!: Date | null;
  duration_ms!: number | null;
  recording_url!: string | null;
  custom_data!: string | null;
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
