import type { CountryCode } from 'libphonenumber-js/max';
import { toE164 } from './phone.js';
import { type AgentRow, MAX_NUMBERS, PHONE_STATUSES, type PhoneStatus, TERMINAL_STATUSES } from './policy.types.js';
import { areaCodeZones, zoneOfCell } from './time-zones.js';
import { windowSignatureId, zoneSetId } from './zone-sets.js';

export interface StaticPass {
  /** 0-based */
  readonly index: number;
  readonly reason: 'UNKNOWN_STATUS' | 'INVALID_NUMBER' | 'DUPLICATE_NUMBER';
}

/** UNCHECKED: a number of a lead that is done (every number terminal): never parsed, never dialed. */
export type NumberKind = 'EMPTY' | 'INVALID' | 'DUPLICATE' | 'OK' | 'UNCHECKED';
export type ParsedStatus = PhoneStatus | 'UNKNOWN';

/** What the engine derives from one row, computed once per row object (rows are values). */
export interface Lead {
  /** the row it was derived from */
  readonly row: AgentRow;
  readonly rowId: string;
  /** no RowID: the row cannot be addressed */
  readonly rowIdBlank: boolean;
  /** per number, index 0..9 */
  readonly kinds: readonly NumberKind[];
  /** E.164 per number (null when empty or invalid) */
  readonly phones: readonly (string | null)[];
  /** 1-based index of the earlier number a DUPLICATE repeats (0 otherwise) */
  readonly duplicateOf: readonly number[];
  readonly statuses: readonly ParsedStatus[];
  readonly hasCorrect: boolean;
  readonly hasInProgress: boolean;
  readonly attemptCount: number;
  /** 1..10 */
  readonly nextIndex: number;
  readonly lastCalledAtMs: number | null;
  readonly lastOutcome: string;
  /** the row's own zone (Timezone cell), if any */
  readonly rowZones: readonly string[] | null;
  /**
   * per number, the zone set that decides its calling window with the default
   * area-code lookup (zone-sets.ts id): the row's zone, else the number's
   * zones; -1 when unknown (the campaign zone applies)
   */
  readonly windowZoneIds: readonly number[];
  /** id of (dialable numbers, their zone sets): one window answer per decision serves every lead alike */
  readonly windowSignature: number;
  /** nothing to decide: the row has no number (EMPTY) or none left to dial (DONE); null otherwise */
  readonly rest: 'EMPTY' | 'DONE' | null;
  /** bit i set: number i (0-based) may be dialed, as far as the row alone tells */
  readonly candidateMask: number;
  /** numbers not done yet that can never be dialed as they stand (unknown status, invalid, duplicate) */
  readonly staticPasses: readonly StaticPass[];
}

interface Memo {
  readonly region: string;
  readonly numbers: readonly string[];
  readonly statuses: readonly string[];
  readonly rowId: string;
  readonly attemptCount: string;
  readonly nextIndex: string;
  readonly lastCalledAt: string;
  readonly lastOutcome: string;
  readonly timezone: string;
  readonly lead: Lead;
}

const memo = new WeakMap<AgentRow, Memo>();
const sheets = new WeakMap<readonly AgentRow[], { region: string; leads: Lead[] }>();

/**
 * The derived lead of a row, memoised per row object while it keeps the same
 * arrays and cell texts. Rows are values: a changed row is a new object
 * (applyChanges), and the arrays of rows built here and by the Sheets gateway
 * are frozen, so they cannot change in place.
 */
export function leadOf(row: AgentRow, region: CountryCode): Lead {
  const m = memo.get(row);
  if (
    m !== undefined &&
    m.numbers === row.numbers &&
    m.statuses === row.statuses &&
    m.region === region &&
    m.rowId === row.rowId &&
    m.attemptCount === row.attemptCount &&
    m.nextIndex === row.nextIndex &&
    m.lastCalledAt === row.lastCalledAt &&
    m.lastOutcome === row.lastOutcome &&
    m.timezone === row.timezone
  ) {
    return m.lead;
  }
  const lead = deriveLead(row, region);
  memo.set(row, {
    region,
    numbers: row.numbers,
    statuses: row.statuses,
    rowId: row.rowId,
    attemptCount: row.attemptCount,
    nextIndex: row.nextIndex,
    lastCalledAt: row.lastCalledAt,
    lastOutcome: row.lastOutcome,
    timezone: row.timezone,
    lead,
  });
  return lead;
}

/**
 * The leads of a rows array, kept with the array: the dialer decides over the
 * same cached array again and again, and walking one array of leads is what
 * keeps a decision over 10,000 rows well under 5 ms (the per-row map lookups
 * of leadOf cost more than the whole decision). A slot whose row object was
 * replaced is derived again.
 */
export function leadsOf(rows: readonly AgentRow[], region: CountryCode): Lead[] {
  const cached = sheets.get(rows);
  if (cached && cached.region === region && cached.leads.length === rows.length) return cached.leads;
  // a new array is usually the previous one with a row or two replaced (a write): start from it
  const base = recent.find((e) => e.region === region && e.leads.length === rows.length && sameMostly(e.leads, rows));
  const leads = base ? rows.map((row, i) => (base.leads[i]!.row === row ? base.leads[i]! : leadOf(row, region))) : rows.map((row) => leadOf(row, region));
  sheets.set(rows, { region, leads });
  recent.unshift({ region, leads });
  if (recent.length > RECENT) recent.pop();
  return leads;
}

const RECENT = 16;
const recent: { region: string; leads: Lead[] }[] = [];

function sameMostly(leads: readonly Lead[], rows: readonly AgentRow[]): boolean {
  let same = 0;
  for (let i = 0; i < rows.length; i++) if (leads[i]!.row === rows[i]) same++;
  return same * 2 >= rows.length;
}

function deriveLead(row: AgentRow, region: CountryCode): Lead {
  const kinds: NumberKind[] = [];
  const phones: (string | null)[] = [];
  const duplicateOf: number[] = [];
  const statuses: ParsedStatus[] = [];
  const windowZoneIds: number[] = [];
  const seen = new Map<string, number>();
  const rowZones = zoneOfCell(row.timezone);
  let hasCorrect = false;
  let hasInProgress = false;
  // parsing is the costly part: a lead whose numbers are all terminal is done, its numbers are not parsed
  let live = false;
  for (let i = 0; i < MAX_NUMBERS; i++) {
    const status = parseStatus(row.statuses[i] ?? '');
    statuses.push(status);
    if ((row.numbers[i] ?? '').trim() !== '' && (status === 'UNKNOWN' || !TERMINAL_STATUSES.has(status))) live = true;
  }
  for (let i = 0; i < MAX_NUMBERS; i++) {
    const raw = row.numbers[i] ?? '';
    const status = statuses[i]!;
    duplicateOf.push(0);
    windowZoneIds.push(-1);
    if (raw.trim() === '') {
      kinds.push('EMPTY');
      phones.push(null);
      continue;
    }
    if (status === 'CORRECT') hasCorrect = true;
    if (status === 'IN_PROGRESS') hasInProgress = true;
    if (!live) {
      kinds.push('UNCHECKED');
      phones.push(null);
      continue;
    }
    const e164 = toE164(raw, region);
    phones.push(e164);
    if (e164 === null) {
      kinds.push('INVALID');
      continue;
    }
    const zones = rowZones ?? areaCodeZones(e164);
    if (zones) windowZoneIds[i] = zoneSetId(zones);
    if (seen.has(e164)) {
      kinds.push('DUPLICATE');
      duplicateOf[i] = seen.get(e164)!;
    } else {
      kinds.push('OK');
      seen.set(e164, i + 1);
    }
  }
  let candidateMask = 0;
  const staticPasses: StaticPass[] = [];
  for (let i = 0; i < MAX_NUMBERS; i++) {
    const kind = kinds[i];
    const status = statuses[i]!;
    if (kind === 'EMPTY' || status === 'IN_PROGRESS' || (status !== 'UNKNOWN' && TERMINAL_STATUSES.has(status))) continue;
    if (status === 'UNKNOWN') staticPasses.push({ index: i, reason: 'UNKNOWN_STATUS' });
    else if (kind === 'INVALID') staticPasses.push({ index: i, reason: 'INVALID_NUMBER' });
    else if (kind === 'DUPLICATE') staticPasses.push({ index: i, reason: 'DUPLICATE_NUMBER' });
    else candidateMask |= 1 << i;
  }
  const idle = candidateMask === 0 && staticPasses.length === 0 && !hasInProgress;
  return {
    row,
    rowId: row.rowId,
    rowIdBlank: row.rowId.trim() === '',
    kinds,
    phones,
    duplicateOf,
    statuses,
    hasCorrect,
    hasInProgress,
    attemptCount: parseCount(row.attemptCount),
    nextIndex: parseIndex(row.nextIndex),
    lastCalledAtMs: parseTime(row.lastCalledAt),
    lastOutcome: row.lastOutcome.trim().toUpperCase().replace(/[\s-]+/g, '_'),
    rowZones,
    windowZoneIds,
    windowSignature: windowSignatureId(candidateMask, windowZoneIds),
    rest: !idle ? null : kinds.some((k) => k !== 'EMPTY') ? 'DONE' : 'EMPTY',
    candidateMask,
    staticPasses,
  };
}

const STATUS_ALIASES: Record<string, PhoneStatus> = {
  '': 'NEW',
  VM: 'VOICEMAIL',
  NA: 'NO_ANSWER',
  NOANSWER: 'NO_ANSWER',
  SKIP: 'SKIPPED',
  INPROGRESS: 'IN_PROGRESS',
  DIALING: 'IN_PROGRESS',
};
const KNOWN = new Set<string>(PHONE_STATUSES);

/** A Status cell → a status; case and spacing are forgiven, anything else is UNKNOWN (never dialed). */
export function parseStatus(text: string): ParsedStatus {
  const norm = text.trim().toUpperCase().replace(/[\s-]+/g, '_');
  if (KNOWN.has(norm)) return norm as PhoneStatus;
  return STATUS_ALIASES[norm.replace(/_/g, '')] ?? STATUS_ALIASES[norm] ?? 'UNKNOWN';
}

export function parseCount(text: string): number {
  const n = Number.parseInt(text.trim(), 10);
  return Number.isFinite(n) && n > 0 ? n : 0;
}

/** NextIndex cell → 1..10 (anything else: 1). */
export function parseIndex(text: string): number {
  const n = Number.parseInt(text.trim(), 10);
  return Number.isInteger(n) && n >= 1 && n <= MAX_NUMBERS ? n : 1;
}

function parseTime(text: string): number | null {
  if (text.trim() === '') return null;
  const ms = Date.parse(text.trim());
  return Number.isFinite(ms) ? ms : null;
}

/**
 * Derives the leads of rows[from, from + count) ahead of a decision and returns
 * where to continue. The first decision over a freshly read sheet parses every
 * live number (~15 µs each with libphonenumber's full metadata); a caller can
 * spread that over several event-loop turns with this, e.g. 200 rows a turn.
 */
export function warmLeads(rows: readonly AgentRow[], region: CountryCode, from: number, count: number): number {
  const end = Math.min(rows.length, from + count);
  for (let i = from; i < end; i++) leadOf(rows[i]!, region);
  return end;
}
