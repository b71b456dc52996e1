import { IsBoolean, IsOptional, IsString, Matches, MaxLength } from 'class-validator';

/** `2026-03-10T15:00` (the lead's local time) or a full ISO 8601 instant with its offset. */
export const CALLBACK_AT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})?$/;

export class CallbackDto {
  id!: string;
  row_id!: string;
  lead_name!: string;
  number_index!: number;
  phone!: string;
  campaign_name!: string;
  /** who scheduled it */
  agent_email!: string;
  /** only that agent dials it (else anyone on the campaign's tab) */
  only_me!: boolean;
  /** when, as an instant (UTC) */
  due_at!: Date;
  /** when, in the lead's local time (ISO with the lead's offset); as due_at when the lead's zone is unknown */
  due_local!: string;
  time_zone!: string | null;
  notes!: string | null;
  /** pending, done (dialed) or cancelled */
  status!: string;
  /** pending and more than 5 minutes past due: nobody has dialed it yet (it stays due) */
  missed!: boolean;
}

export class UpdateCallbackDto {
  /** A new time: the lead's local time (`2026-03-10T15:00`) or an ISO instant with its offset. */
  @IsOptional()
  @Matches(CALLBACK_AT, { message: 'due_at must be a date and time such as 2026-03-10T15:00 (the lead\'s local time) or an ISO 8601 instant' })
  due_at?: string;

  @IsOptional()
  @IsBoolean()
  only_me?: boolean;

  @IsOptional()
  @IsString()
  @MaxLength(500)
  notes?: string;
}
