import { IsOptional, IsString, Length, Matches } from 'class-validator';
import { LimitQueryDto } from '../../common/dto/page-query.dto.js';
import { DIGITS_ID_PATTERN } from '../../common/ids.js';

export class ListAgentStatusQueryDto extends LimitQueryDto {
  /** One agent: their Dialpad user id (digits). */
  @IsOptional()
  @Matches(DIGITS_ID_PATTERN, { message: 'dialpad_user_id must be digits' })
  dialpad_user_id?: string;

  /** Agents mapped to this CRM user. */
  @IsOptional()
  @IsString()
  @Length(1, 200)
  crm_user_id?: string;

  /** Opaque cursor from `next_cursor`. */
  @IsOptional()
  @IsString()
  @Length(1, 200)
  cursor?: string;
}

export class AgentStatusDto {
  /** The agent's Dialpad user id (a string: Dialpad ids exceed JavaScript's safe integers). */
  dialpad_user_id!: string;
  /** The CRM user mapped to the agent, if any. */
  crm_user_id!: string | null;
  name!: string | null;
  email!: string | null;
  phone!: string | null;
  /** The on-duty status as Dialpad words it: available, unavailable, occupied, wrapup, busy … */
  on_duty_status!: string | null;
  /** available, or unavailable (do not disturb, or in a call). */
  availability_status!: string | null;
  /** The reason the agent gave for going off duty. */
  on_duty_status_reason!: string | null;
  /** The call centres the agent is on duty for. */
  call_center_ids!: string[];
  powerdialer_mode!: boolean | null;
  powerdialer_session!: string | null;
  /** When the on-duty status last changed (Dialpad's `date`). */
  status_changed_at!: Date | null;
  /** Dialpad's time of the event this status came from. */
  event_at!: Date | null;
  updated_at!: Date;
}

export class AgentStatusPageDto {
  items!: AgentStatusDto[];
  /** Pass as `cursor` for the next page; null at the end. */
  next_cursor!: string | null;
}
