import { ApiPropertyOptional } from '@nestjs/swagger';
import { CALLBACK_AT, CallbackDto } from './callbacks.dto.js';
import type { AppId } from '../../common/app-id.js';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsBoolean, IsDefined, IsIn, IsObject, IsOptional, IsString, IsUUID, Length, Matches, MaxLength } from 'class-validator';

export class DialerConfigInputDto {
  /** The router spreadsheet's id (from its URL). */
  @Matches(/^[A-Za-z0-9_-]{10,200}$/, { message: 'router_spreadsheet_id must be a Google spreadsheet id' })
  router_spreadsheet_id!: string;

  /** The router tab: its title, or its numeric sheetId (the URL's gid). Default "Router". */
  @IsOptional()
  @IsString()
  @Length(1, 100)
  router_tab?: string;

  /** Why agents may pause (1–20 reasons); absent: Break, Lunch, Training, Meeting, Coaching, Technical issue, Other. */
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(20)
  @IsString({ each: true })
  @Length(1, 40, { each: true })
  pause_reasons?: string[];

  /** Campaign policy overrides (calling window, retry delays, max attempts, region, zone); defaults in docs/architecture.md, "Picking the next number". */
  @IsOptional()
  @IsObject()
  policy?: Record<string, unknown>;
}

export class DialerConfigDto {
  router_spreadsheet_id!: string;
  router_tab!: string;
  /** the overrides as stored */
  policy!: Record<string, unknown>;
  /** the policy in effect (defaults with the overrides laid over them) */
  effective_policy!: Record<string, unknown>;
  /** the reasons an agent may pause with */
  pause_reasons!: string[];
  /** "app" when configured for this app, "env" when from ROUTER_SPREADSHEET_ID */
  source!: 'app' | 'env';
}

export class DispositionInputDto {
  @IsUUID()
  attempt_id!: string;

  /** 1–7 or CORRECT, WRONG, VM_SAME_NAME, VM_OR_NA_UNKNOWN, NO_ANSWER, SKIP, DNC (7: do not call — the number joins the app's do-not-call list). */
  @IsDefined()
  @Transform(({ value }: { value: unknown }) => (typeof value === 'number' ? String(value) : value))
  @IsString()
  @Length(1, 20)
  code!: string;

  @IsOptional()
  @IsString()
  @MaxLength(2000)
  notes?: string;

  /** Schedule a callback: `2026-03-10T15:00` in the lead's local time, or an ISO instant with its offset. */
  @IsOptional()
  @Matches(CALLBACK_AT, { message: 'callback_at must be a date and time such as 2026-03-10T15:00 (the lead\'s local time) or an ISO 8601 instant' })
  callback_at?: string;

  /** The callback is this agent's only (default: anyone on the campaign may dial it). */
  @IsOptional()
  @IsBoolean()
  callback_only_me?: boolean;
}

/** `POST /dial` (and a disposition's `next`): the call placed, `{attempt: null, attempt_id: null, reason, skipped}`, or (a chained dial only) `{attempt_id: null, scheduled_at}`. */
export class DialResultDto {
  /** null when nothing can be dialed now (see `reason`) */
  attempt_id!: string | null;
  /** present (null) only when nothing was dialed: the seed's `{attempt: null}` */
  @ApiPropertyOptional({ nullable: true, type: String, description: 'present (null) only when nothing was dialed' })
  attempt?: null;
  row_id?: string;
  name?: string;
  number_index?: number;
  /** E.164 */
  phone?: string;
  dialpad_call_id?: string;
  /** the lead as the agent's screen shows it */
  lead?: LeadViewDto;
  /** the scheduled callback this dial honours */
  callback_id?: string;
  /** why nothing was dialed: the summary of skip reasons */
  reason?: string;
  skipped?: Record<string, number>;
  /**
   * a chained dial held by Dialpad's call rate limit is scheduled for this time (ISO 8601) instead of failing:
   * the agent's socket gets `DIAL_SCHEDULED`, then `DIAL_RESULT` with the dial's outcome
   */
  scheduled_at?: string;
}

/** Why a chained dial failed; the disposition itself stands. */
export class ChainedDialErrorDto {
  statusCode!: number;
  /** the error code (see docs/wire-protocol.md, "Error codes") */
  code!: string;
  message!: string;
  retry_after_ms?: number;
}

export class DispositionResultDto {
  attempt_id!: string;
  code!: string;
  /**
   * `queued`: durable in the Sheets write queue, which sends every agent's changes to a spreadsheet in one
   * request per SHEETS_FLUSH_INTERVAL_MS within the Google user's quota (every decision sees it at once);
   * `lead_gone` when the row was deleted, `number_gone` when the dialed number was erased from the row (nothing left to write)
   */
  sheet!: 'queued' | 'lead_gone' | 'number_gone';
  /** the next dial, chained when the session is PLAY (null when paused or when it failed: see `next_error`) */
  next!: DialResultDto | null;
  /** why the chained dial failed; the disposition itself stands */
  next_error?: ChainedDialErrorDto;
  /** the callback the disposition scheduled (callback_at) */
  callback?: CallbackDto;
}

export class AttemptRefDto {
  @IsUUID()
  attempt_id!: string;
}

export class HangupResultDto {
  attempt_id!: string;
  hung_up!: boolean;
}

/** One of the lead's numbers as the sheet has it. */
export class LeadNumberDto {
  /** 1–10: NumN */
  index!: number;
  phone!: string;
  /** StatusN as written (NEW, IN_PROGRESS, CORRECT, …) */
  status!: string;
}

/** The lead being dialed, for the agent's screen. */
export class LeadViewDto {
  row_id!: string;
  name!: string;
  notes!: string;
  /** AttemptCount */
  attempts!: number;
  /** the lead's IANA zone (its Timezone cell, else the dialed number's area code); null when unknown */
  time_zone!: string | null;
  /** the lead's local time now (ISO 8601 with offset); null when the zone is unknown */
  local_time!: string | null;
  numbers!: LeadNumberDto[];
}

export class SessionStatsDto {
  dials!: number;
  connects!: number;
  /** dispositions by code */
  dispositions!: Record<string, number>;
  talk_time_ms!: number;
  dials_per_hour!: number;
}

/** The attempt waiting for its disposition (a reloaded console restores the call and its dialog from it). */
export class AttemptViewDto {
  attempt_id!: string;
  /** dialing, ringing, connected, ended (the disposition is due), dispositioned or failed */
  status!: string;
  row_id!: string;
  number_index!: number;
  phone!: string;
  dialpad_call_id!: string | null;
  dialed_at!: Date;
  connected_at!: Date | null;
  ended_at!: Date | null;
  /** null when the row is no longer in the sheet */
  lead!: LeadViewDto | null;
}

export class SessionViewDto {
  id!: string;
  app_id!: AppId;
  agent_email!: string;
  dialpad_user_id!: string;
  spreadsheet_id!: string;
  tab_id!: string;
  campaign_name!: string;
  /** PLAY, PAUSE or STOPPED */
  state!: string;
  current_attempt_id!: string | null;
  started_at!: string;
  updated_at!: string;
  stats!: SessionStatsDto;
  current_attempt?: AttemptViewDto | null;
  /** the pause in progress (PAUSE only): its reason and start */
  pause?: { reason: string; since: Date } | null;
  /** time paused in this session, in ms, by reason */
  pause_time_ms?: Record<string, number>;
  /** the reasons the agent may pause with (the app's dialer-config `pause_reasons`; on GET /session/current and POST /session/start) */
  pause_reasons?: string[];
}

export class PauseInputDto {
  /** One of the app's pause reasons (dialer-config `pause_reasons`, any case); absent: recorded as "Unspecified". */
  @IsOptional()
  @IsString()
  @Length(1, 40)
  reason?: string;
}

export class StartSessionResultDto {
  session!: SessionViewDto;
  /** true when the agent's live session was returned (crash-safe recovery) */
  recovered!: boolean;
}

export class DialQueryDto {
  /** `lead`: the dial answers (and a disposition's `next`) carry the lead card (`lead`) */
  @IsOptional()
  @IsIn(['lead'], { message: 'include must be "lead"' })
  include?: 'lead';
}
