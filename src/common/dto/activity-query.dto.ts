import { IsIn, IsISO8601, IsOptional, IsString, Length, Matches } from 'class-validator';
import { DIGITS_ID_PATTERN } from '../ids.js';
import { LimitQueryDto } from './page-query.dto.js';

/** The filters and cursor shared by the lists of Dialpad activity (`/api/calls`, `/api/sms`). */
export class ActivityQueryDto extends LimitQueryDto {
  /** inbound or outbound. */
  @IsOptional()
  @IsIn(['inbound', 'outbound'])
  direction?: 'inbound' | 'outbound';

  /** Dialpad user id (digits). */
  @IsOptional()
  @Matches(DIGITS_ID_PATTERN, { message: 'dialpad_user_id must be digits' })
  dialpad_user_id?: string;

  /** The CRM user mapped to the Dialpad user. */
  @IsOptional()
  @IsString()
  @Length(1, 200)
  crm_user_id?: string;

  /** At or after this instant (ISO 8601). */
  @IsOptional()
  @IsISO8601({ strict: true })
  from?: string;

  /** Before this instant (ISO 8601). */
  @IsOptional()
  @IsISO8601({ strict: true })
  to?: string;

  /** Opaque cursor from `next_cursor`. */
  @IsOptional()
  @IsString()
  @Length(1, 200)
  cursor?: string;
}
