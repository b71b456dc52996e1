import { DomainError } from '../common/errors/domain-error.js';
import type { CampaignPolicy } from './campaign-policy.js';
import { leadOf, type ParsedStatus, parseStatus } from './lead.js';
import {
  type AgentRow,
  type CellChange,
  DISPOSITION_CODES,
  type DispositionCode,
  type FormatChange,
  MAX_NUMBERS,
  OPEN_STATUSES,
  type PhoneStatus,
  type RowChanges,
  SIBLING_SKIP_COLOUR,
  type SkipReason,
  statusColumn,
} from './policy.types.js';
import { appendNote, applyChanges, onlyChanged } from './row-changes.js';
import { retryDelayMinutes } from './retry.js';

/** What each of the six dispositions does to the dialed number (docs/architecture.md, "Dispositions"). */
export const DISPOSITIONS: Readonly<Record<DispositionCode, { hotkey: number; status: PhoneStatus; reason?: SkipReason }>> = {
  CORRECT: { hotkey: 1, status: 'CORRECT' },
  WRONG: { hotkey: 2, status: 'WRONG' },
  VM_SAME_NAME: { hotkey: 3, status: 'VOICEMAIL' },
  VM_OR_NA_UNKNOWN: { hotkey: 4, status: 'VOICEMAIL' },
  NO_ANSWER: { hotkey: 5, status: 'NO_ANSWER' },
  SKIP: { hotkey: 6, status: 'SKIPPED', reason: 'MANUAL_SKIP' },
  // the number asked never to be called again: DNC in the sheet (never dialed), and the dialer adds it to the app's list
  DNC: { hotkey: 7, status: 'DNC' },
};

/** A hotkey (1–6, number or text) or a code name (any case) → the code; null when neither. */
export function parseDispositionCode(input: unknown): DispositionCode | null {
  if (typeof input === 'number' || (typeof input === 'string' && /^\s*\d\s*$/.test(input))) {
    const n = Number(input);
    return DISPOSITION_CODES.find((c) => DISPOSITIONS[c].hotkey === n) ?? null;
  }
  if (typeof input !== 'string') return null;
  const name = input.trim().toUpperCase();
  return (DISPOSITION_CODES as readonly string[]).includes(name) ? (name as DispositionCode) : null;
}

export interface DispositionInput {
  row: AgentRow;
  /** 1..10 */
  numberIndex: number;
  /** 1–6 or the code's name */
  code: number | string;
  notes?: string;
  now: Date;
  policy: CampaignPolicy;
}

export interface RowUpdate {
  /** the cells to write (only those that change) */
  changes: RowChanges;
  /** the row as it reads afterwards */
  row: AgentRow;
}

export interface DispositionOutcome extends RowUpdate {
  code: DispositionCode;
  /** the dialed number's new status */
  status: PhoneStatus;
  /** SKIPPED / SIBLING_CORRECT siblings (1-based) */
  siblingsSkipped: number[];
  /** numbers set EXHAUSTED / MAX_ATTEMPTS (1-based) */
  exhausted: number[];
  /** when the lead may be dialed again, if the outcome is retried (ISO) */
  retryAt: string | null;
}

/** `details.reason` of the DispositionError when the dialed number's cell is empty (erased since the dial). */
export const NUMBER_ERASED = 'NUMBER_ERASED';

/** A disposition the row cannot take: a client error (400), never a 500. */
export class DispositionError extends DomainError {
  constructor(message: string, reason?: typeof NUMBER_ERASED) {
    super('INVALID_INPUT', message, reason ? { reason } : undefined);
    this.name = 'DispositionError';
  }
}

/**
 * The exact cell changes of a disposition: the number's status; for CORRECT the
 * lead's other open numbers SKIPPED and coloured #8E7CC3; Notes (appended,
 * stamped) when notes are given; LastOutcome; AttemptCount + 1; NextIndex (the
 * next open number after this one); LastCalledAt. At maxAttempts the lead's
 * open numbers become EXHAUSTED.
 */
export function applyDisposition(input: DispositionInput): DispositionOutcome {
  const { row, numberIndex, now, policy } = input;
  const code = parseDispositionCode(input.code);
  if (code === null) throw new DispositionError(`unknown disposition ${JSON.stringify(input.code)}: use 1-${DISPOSITION_CODES.length} or ${DISPOSITION_CODES.join(', ')}`);
  if (!Number.isInteger(numberIndex) || numberIndex < 1 || numberIndex > MAX_NUMBERS) {
    throw new DispositionError(`numberIndex must be 1-${MAX_NUMBERS}`);
  }
  if ((row.numbers[numberIndex - 1] ?? '').trim() === '') throw new DispositionError(`Num${numberIndex} of row ${row.rowId} is empty`, NUMBER_ERASED);

  const lead = leadOf(row, policy.defaultRegion);
  const status = DISPOSITIONS[code].status;
  const statuses: ParsedStatus[] = row.statuses.map(parseStatus);
  const values: CellChange[] = [];
  const formats: FormatChange[] = [];
  const setStatus = (index: number, value: PhoneStatus): void => {
    statuses[index - 1] = value;
    values.push({ column: statusColumn(index), value });
  };
  const isOpen = (i: number): boolean => lead.kinds[i] !== 'EMPTY' && OPEN_STATUSES.has(statuses[i] as PhoneStatus);

  setStatus(numberIndex, status);
  const siblingsSkipped: number[] = [];
  if (code === 'CORRECT') {
    for (let i = 0; i < MAX_NUMBERS; i++) {
      if (i === numberIndex - 1 || !isOpen(i)) continue;
      setStatus(i + 1, 'SKIPPED');
      formats.push({ column: statusColumn(i + 1), backgroundColor: SIBLING_SKIP_COLOUR });
      siblingsSkipped.push(i + 1);
    }
  }

  const attempts = lead.attemptCount + 1;
  const exhausted: number[] = [];
  if (code !== 'CORRECT' && attempts >= policy.maxAttempts) {
    for (let i = 0; i < MAX_NUMBERS; i++) {
      if (!isOpen(i)) continue;
      setStatus(i + 1, 'EXHAUSTED');
      exhausted.push(i + 1);
    }
  }

  if (input.notes !== undefined && input.notes.trim() !== '') {
    values.push({ column: 'Notes', value: appendNote(row.notes, `${stamp(now)} Num${numberIndex} ${code}: ${input.notes.trim()}`) });
  }
  values.push({ column: 'LastOutcome', value: code });
  values.push({ column: 'AttemptCount', value: attempts });
  const next = nextOpenIndex(numberIndex, (i) => isOpen(i) && lead.kinds[i] === 'OK');
  if (next !== null) values.push({ column: 'NextIndex', value: next });
  values.push({ column: 'LastCalledAt', value: now.toISOString() });

  const delay = retryDelayMinutes(code, policy);
  const retryAt =
    policy.retry.enabled && delay > 0 && exhausted.length === 0 && next !== null ? new Date(now.getTime() + delay * 60_000).toISOString() : null;
  const changes = onlyChanged(row, { values: dedupe(values), formats });
  return { code, status: statuses[numberIndex - 1] as PhoneStatus, changes, row: applyChanges(row, changes), siblingsSkipped, exhausted, retryAt };
}

/** Marks the number being dialed IN_PROGRESS (the lead is never picked while it is). */
export function markInProgress(row: AgentRow, numberIndex: number): RowUpdate {
  if (!Number.isInteger(numberIndex) || numberIndex < 1 || numberIndex > MAX_NUMBERS) {
    throw new DispositionError(`numberIndex must be 1-${MAX_NUMBERS}`);
  }
  const changes = onlyChanged(row, { values: [{ column: statusColumn(numberIndex), value: 'IN_PROGRESS' }], formats: [] });
  return { changes, row: applyChanges(row, changes) };
}

/** 1-based index of the first number after `from` (wrapping, `from` itself last) that passes `eligible`. */
function nextOpenIndex(from: number, eligible: (zeroBased: number) => boolean): number | null {
  for (let step = 1; step <= MAX_NUMBERS; step++) {
    const i = (from - 1 + step) % MAX_NUMBERS;
    if (eligible(i)) return i + 1;
  }
  return null;
}

/** The last change of a column wins, in the position of its first change. */
function dedupe(values: CellChange[]): CellChange[] {
  const last = new Map<string, CellChange>();
  for (const v of values) last.set(v.column, v);
  const seen = new Set<string>();
  return values.filter((v) => !seen.has(v.column) && seen.add(v.column)).map((v) => last.get(v.column)!);
}

function stamp(now: Date): string {
  return `[${now.toISOString().slice(0, 16).replace('T', ' ')} UTC]`;
}
