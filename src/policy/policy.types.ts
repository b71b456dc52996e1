/** Vocabulary of the preview dialer's sheet and policy (docs/architecture.md, "The dialer's rules"). */

export const MAX_NUMBERS = 10;

export const PHONE_STATUSES = ['NEW', 'IN_PROGRESS', 'CORRECT', 'WRONG', 'VOICEMAIL', 'NO_ANSWER', 'SKIPPED', 'EXHAUSTED', 'DNC'] as const;
export type PhoneStatus = (typeof PHONE_STATUSES)[number];

/** Statuses after which a number is never dialed again. */
export const TERMINAL_STATUSES: ReadonlySet<PhoneStatus> = new Set(['CORRECT', 'WRONG', 'SKIPPED', 'EXHAUSTED', 'DNC']);
/** Statuses a number can be dialed from. */
export const OPEN_STATUSES: ReadonlySet<PhoneStatus> = new Set(['NEW', 'VOICEMAIL', 'NO_ANSWER']);

/** Why a number was set SKIPPED / EXHAUSTED, or why the engine passed a lead over. */
export const SKIP_REASONS = ['SIBLING_CORRECT', 'MAX_ATTEMPTS', 'OUTSIDE_WINDOW', 'RETRY_PENDING', 'MANUAL_SKIP'] as const;
export type SkipReason = (typeof SKIP_REASONS)[number];

/**
 * Why `pickNext` passed a row or number over: the sheet's skip reasons plus the
 * engine's own (never written to the sheet).
 */
export type PassReason =
  | Exclude<SkipReason, 'MANUAL_SKIP'>
  /** a number of the lead is being dialed now */
  | 'IN_PROGRESS'
  /** the row or number is held by another dial (Redis reservation) */
  | 'RESERVED'
  /** the per-number cap of attempts in 24 h is reached */
  | 'DAILY_CAP'
  /** not a phone number: normaliseRow turns it WRONG */
  | 'INVALID_NUMBER'
  /** the same E.164 number appears earlier in the lead */
  | 'DUPLICATE_NUMBER'
  /** a Status cell holds text the dialer does not know (e.g. "DNC"): never dialed */
  | 'UNKNOWN_STATUS'
  /** the row has no RowID, or shares it with another row: it cannot be addressed */
  | 'NO_ROW_ID'
  /** the number is on the app's do-not-call list */
  | 'DNC'
  /** the number or the lead reached a campaign cap of attempts per 24 h or per 7 days (attempt history) */
  | 'ATTEMPT_CAP';

export const DISPOSITION_CODES = ['CORRECT', 'WRONG', 'VM_SAME_NAME', 'VM_OR_NA_UNKNOWN', 'NO_ANSWER', 'SKIP', 'DNC'] as const;
export type DispositionCode = (typeof DISPOSITION_CODES)[number];
/** Dispositions that are retried later, after a delay. */
export type RetryableCode = 'VM_SAME_NAME' | 'VM_OR_NA_UNKNOWN' | 'NO_ANSWER';



/**
 * One lead of an agent sheet, as read. Values are the cells' text; `numbers`
 * and `statuses` always hold MAX_NUMBERS entries ('' when empty). Rows are
 * values: a changed row is a new object with new arrays (applyChanges); the
 * engine memoises what it derives per row object and never sees an in-place edit.
 */
export interface AgentRow {
  /** 1-based sheet row number (the header is row 1). */
  readonly rowIndex: number;
  readonly rowId: string;
  readonly name: string;
  /** Num1..Num10 as written in the sheet. */
  readonly numbers: readonly string[];
  /** Status1..Status10 as written in the sheet. */
  readonly statuses: readonly string[];
  readonly notes: string;
  readonly lastOutcome: string;
  readonly attemptCount: string;
  readonly nextIndex: string;
  /** ISO-8601 ('' when never called or the column is absent). */
  readonly lastCalledAt: string;
  /** IANA zone of the lead ('' when absent). */
  readonly timezone: string;
  /** Every other column, by header name (kept, never written). */
  readonly extra: Readonly<Record<string, string>>;
}

/** A column of the agent sheet, by its header name. */
export type AgentColumn =
  | 'RowID'
  | 'Name'
  | `Num${number}`
  | `Status${number}`
  | 'Notes'
  | 'LastOutcome'
  | 'AttemptCount'
  | 'NextIndex'
  | 'LastCalledAt'
  | 'Timezone';

export interface CellChange {
  column: AgentColumn;
  value: string | number;
}

export interface FormatChange {
  column: AgentColumn;
  /** #RRGGBB */
  backgroundColor: string;
}

/** The exact cells to write for one row: values (RAW) and background colours. */
export interface RowChanges {
  values: CellChange[];
  formats: FormatChange[];
}

/** Purple of sibling-skipped numbers (docs/architecture.md, "Dispositions"). */
export const SIBLING_SKIP_COLOUR = '#8E7CC3';

export const statusColumn = (index: number): AgentColumn => `Status${index}`;
