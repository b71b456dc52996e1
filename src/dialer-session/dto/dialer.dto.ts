import { Transform } from 'class-transformer';
import { IsDefined, IsObject, IsOptional, IsString, IsUUID, Length, Matches, MaxLength } from 'class-validator';

export class DialerConfigInputDto {
  /** The router spreadsheet's id (from its URL). */
  @Matches(/^[A-Za-z0-9_-]{10,200}$/, { message: 'router_spreadsheet_id must be a Google spreadsheet id' })
  router_spreadsheet_id!: string;

  /** The router tab: its title, or its numeric sheetId (the URL's gid). Default "Router". */
  @IsOptional()
  @IsString()
  @Length(1, 100)
  router_tab?: string;

  /** Campaign policy overrides (calling window, retry delays, max attempts, region, zone); defaults per SPEC §9. */
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
  /** "app" when configured for this app, "env" when from ROUTER_SPREADSHEET_ID */
  source!: 'app' | 'env';
}

export class DispositionInputDto {
  @IsUUID()
  attempt_id!: string;

  /** 1–6 or CORRECT, WRONG, VM_SAME_NAME, VM_OR_NA_UNKNOWN, NO_ANSWER, SKIP. */
  @IsDefined()
  @Transform(({ value }) => (typeof value === 'number' ? String(value) : value))
  @IsString()
  @Length(1, 20)
  code!: string;

  @IsOptional()
  @IsString()
  @MaxLength(2000)
  notes?: string;
}

/** `POST /dial` (and a disposition's `next`): the call placed, or `{attempt: null, attempt_id: null, reason, skipped}`. */
export class DialResultDto {
  /** null when nothing can be dialed now (see `reason`) */
  attempt_id!: string | null;
  row_id?: string;
  name?: string;
  number_index?: number;
  /** E.164 */
  phone?: string;
  dialpad_call_id?: string;
  /** why nothing was dialed: the summary of skip reasons */
  reason?: string;
  skipped?: Record<string, number>;
}

export class DispositionResultDto {
  attempt_id!: string;
  code!: string;
  /** `written` now, `queued` in the durable outbox while Google Sheets is unavailable, `lead_gone` when the row was deleted */
  sheet!: string;
  /** the next dial, chained when the session is PLAY (null when paused or when it failed: see `next_error`) */
  next!: DialResultDto | null;
  /** why the chained dial failed ({statusCode, code, message, retry_after_ms}); the disposition itself stands */
  next_error?: Record<string, unknown>;
}
