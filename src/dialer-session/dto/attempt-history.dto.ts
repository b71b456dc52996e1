import { Transform } from 'class-transformer';
import { IsEmail, IsIn, IsInt, IsISO8601, IsOptional, IsString, Length, Matches, Max, Min } from 'class-validator';

const toNumber = ({ value }: { value: unknown }) => Number(value);

export class AttemptFiltersDto {
  /** The agent's e-mail. */
  @IsOptional()
  @IsEmail()
  agent?: string;

  /** The campaign (the router sheet's campaign name). */
  @IsOptional()
  @IsString()
  @Length(1, 200)
  campaign?: string;

  /** The lead's RowID. */
  @IsOptional()
  @IsString()
  @Length(1, 200)
  row_id?: string;

  /** The dialed number, E.164. */
  @IsOptional()
  @Matches(/^\+[1-9]\d{6,14}$/, { message: 'phone must be E.164, e.g. +14155550123' })
  phone?: string;

  /** The disposition code (CORRECT, WRONG, …, DNC), or `none` for attempts without one. */
  @IsOptional()
  @Matches(/^([A-Z_]{2,20}|none)$/, { message: 'outcome must be a disposition code or none' })
  outcome?: string;

  /** Dialed at or after (ISO 8601). */
  @IsOptional()
  @IsISO8601({ strict: true })
  from?: string;

  /** Dialed before (ISO 8601). */
  @IsOptional()
  @IsISO8601({ strict: true })
  to?: string;
}

export class AttemptHistoryQueryDto extends AttemptFiltersDto {
  /** Page size (1–500, default 100; ignored for CSV, which streams every match). */
  @IsOptional()
  @Transform(toNumber)
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;

  /** `next_cursor` of the previous page. */
  @IsOptional()
  @IsString()
  @Length(1, 200)
  cursor?: string;

  /** `csv` streams every matching attempt as CSV (no page size), `json` (default) answers a page. */
  @IsOptional()
  @IsIn(['json', 'csv'])
  format?: 'json' | 'csv';
}

export class AttemptSummaryQueryDto {
  /** Group by agent or by campaign. */
  @IsIn(['agent', 'campaign'])
  group_by!: 'agent' | 'campaign';

  @IsOptional()
  @IsISO8601({ strict: true })
  from?: string;

  @IsOptional()
  @IsISO8601({ strict: true })
  to?: string;
}

export class AttemptHistoryItemDto {
  id!: string;
  agent_email!: string;
  campaign_name!: string | null;
  spreadsheet_id!: string;
  tab_id!: string;
  row_id!: string;
  number_index!: number;
  phone!: string;
  status!: string;
  disposition!: string | null;
  notes!: string | null;
  dialpad_call_id!: string | null;
  dialed_at!: Date;
  connected_at!: Date | null;
  ended_at!: Date | null;
  dispositioned_at!: Date | null;
  talk_time_ms!: number;
}

export class AttemptHistoryPageDto {
  items!: AttemptHistoryItemDto[];
  /** pass as `cursor` for the next page; null on the last one */
  next_cursor!: string | null;
}

export class AttemptSummaryRowDto {
  /** the agent's e-mail or the campaign name */
  key!: string;
  dials!: number;
  connects!: number;
  /** connects ÷ dials (0 when no dials) */
  connect_rate!: number;
  talk_time_ms!: number;
  dispositions!: Record<string, number>;
  /** dials per hour over the time between the group's first and last dial (at least one hour) */
  dials_per_hour!: number;
  /** pause time in the range, in ms, by reason */
  pause_time_ms!: Record<string, number>;
}

export class AttemptSummaryDto {
  group_by!: string;
  from!: string | null;
  to!: string | null;
  rows!: AttemptSummaryRowDto[];
}
