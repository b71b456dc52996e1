import { IsISO8601, IsOptional, Matches } from 'class-validator';
import { OffsetPageQueryDto } from '../../common/dto/page-query.dto.js';
import { DIGITS_ID_PATTERN } from '../../common/ids.js';

export class ListVoicemailsQueryDto extends OffsetPageQueryDto {
  @IsOptional()
  @Matches(DIGITS_ID_PATTERN, { message: 'dialpad_user_id must be digits' })
  dialpad_user_id?: string;

  /** Received at or after (ISO 8601). */
  @IsOptional()
  @IsISO8601({ strict: true })
  from?: string;

  /** Received before (ISO 8601). */
  @IsOptional()
  @IsISO8601({ strict: true })
  to?: string;

}

export class VoicemailDto {
  id!: string;
  dialpad_call_id!: string;
  dialpad_user_id!: string | null;
  crm_user_id!: string | null;
  from_number!: string | null;
  to_number!: string | null;
  voicemail_url!: string | null;
  recording_id!: string | null;
  transcription!: string | null;
  duration_ms!: number | null;
  received_at!: Date | null;
  created_at!: Date;
  updated_at!: Date;
}
