import type { CampaignPolicy } from './campaign-policy.js';
import { leadOf, leadsOf } from './lead.js';
import { type AgentRow, MAX_NUMBERS, type PassReason } from './policy.types.js';
import { retryDelayMinutes } from './retry.js';
import { pickDueCallback, type ScheduledCallback } from './due-callback.js';
export type { ScheduledCallback } from './due-callback.js';
import type { ZoneLookup } from './time-zones.js';
import { lowestBit, WindowAnswers } from './window-answers.js';

const DAY_MS = 24 * 60 * 60 * 1000;
const WEEK_MS = 7 * DAY_MS;

/** Rows and numbers held by dials in flight (Redis reservations; docs/architecture.md, "Picking the next number", rule 7). */
export interface Reservations {
  rowIds?: ReadonlySet<string>;
  /** E.164 */
  numbers?: ReadonlySet<string>;
}

export interface PickInput {
  /** the session's ready state: only PLAY dials */
  readyState: string;
  /** the agent sheet's rows, top to bottom */
  rows: readonly AgentRow[];
  policy: CampaignPolicy;
  now: Date;
  reserved?: Reservations;
  /** epoch ms of recent dials per E.164 number (the attempt history), for the per-number caps */
  recentDials?: ReadonlyMap<string, readonly number[]>;
  /** epoch ms of recent dials per RowID (the attempt history), for the per-lead caps */
  recentLeadDials?: ReadonlyMap<string, readonly number[]>;
  /** the app's do-not-call list (E.164): a number on it is never picked */
  dnc?: ReadonlySet<string>;
  /** scheduled callbacks of this tab the agent may dial; a due one is picked before any other lead */
  callbacks?: readonly ScheduledCallback[];
  /** area code → zones; defaults to libphonenumber's table */
  zones?: ZoneLookup;
  /**
   * list every row passed over and why (default true); false keeps only the
   * summary's counts — the dialer's hot path, where only the pick matters
   */
  explain?: boolean;
}

export interface LeadPick {
  /** set when the pick is a due callback */
  callbackId?: string;
  rowId: string;
  rowIndex: number;
  name: string;
  /** 1..10 */
  numberIndex: number;
  /** E.164 */
  phone: string;
}

/** A row (no numberIndex) or one of its numbers passed over, and why. */
export interface Skipped {
  rowId: string;
  rowIndex: number;
  numberIndex?: number;
  reason: PassReason;
  /** RETRY_PENDING: when the lead may be dialed again (ISO) */
  until?: string;
}

export interface PickSummary {
  outcome: 'PICKED' | 'NOT_PLAYING' | 'NO_ELIGIBLE_LEAD';
  /** rows looked at (up to and including the picked one) */
  scanned: number;
  /** rows with no number left to dial (all terminal) */
  done: number;
  /** rows without any number */
  empty: number;
  /** rows passed over with a reason */
  passed: number;
  byReason: Partial<Record<PassReason, number>>;
}

export interface PickResult {
  pick: LeadPick | null;
  /** rows passed over before the pick, in sheet order (empty unless `explain`) */
  skipped: Skipped[];
  summary: PickSummary;
}

/**
 * The next lead and number to dial (docs/architecture.md, "Picking the next number"), a pure function of its input.
 * Rules in order, per row top to bottom: ready state PLAY; calling window in
 * the called person's local time; retry delay since LastCalledAt; no CORRECT
 * sibling; attempts below the maximum (and the per-number 24 h cap); NextIndex
 * round-robin among the eligible numbers; never a duplicate or reserved number.
 * Terminal, in-progress, invalid and unknown-status numbers are never picked.
 */
export function pickNext(input: PickInput): PickResult {
  if (input.readyState !== 'PLAY') {
    return { pick: null, skipped: [], summary: { outcome: 'NOT_PLAYING', scanned: 0, done: 0, empty: 0, passed: 0, byReason: {} } };
  }
  return new Decision(input).run();
}

const REASONS: readonly PassReason[] = [
  'OUTSIDE_WINDOW', 'RETRY_PENDING', 'SIBLING_CORRECT', 'MAX_ATTEMPTS', 'IN_PROGRESS', 'RESERVED',
  'DAILY_CAP', 'INVALID_NUMBER', 'DUPLICATE_NUMBER', 'UNKNOWN_STATUS', 'NO_ROW_ID', 'DNC', 'ATTEMPT_CAP',
];
const REASON_ID = new Map(REASONS.map((r, i) => [r, i]));

/** One pickNext call: a class so the hot loop's state lives in fields, not closures. */
class Decision {
  private readonly skipped: Skipped[] = [];
  private readonly reasonCounts = new Int32Array(REASONS.length);
  private scanned = 0;
  private done = 0;
  private empty = 0;
  private passed = 0;
  // number-level passes of the row being looked at, reported only if the row is passed over
  private readonly passIndex = new Int32Array(MAX_NUMBERS);
  private readonly passReason = new Int32Array(MAX_NUMBERS);
  private passCount = 0;
  private readonly nowMs: number;
  private readonly window: WindowAnswers | null;
  private readonly explain: boolean;

  constructor(private readonly input: PickInput) {
    this.nowMs = input.now.getTime();
    this.explain = input.explain ?? true;
    this.window = input.policy.callingWindow.enabled ? new WindowAnswers(input.policy, this.nowMs, input.zones) : null;
  }

  run(): PickResult {
    const callback = pickDueCallback(this.input, this.nowMs);
    if (callback) return { pick: callback, skipped: this.skipped, summary: this.summary('PICKED') };
    const { rows, policy } = this.input;
    const reservedRows = this.input.reserved?.rowIds;
    const reservedNumbers = this.input.reserved?.numbers;
    const cap = policy.maxAttemptsPerNumberPer24h;
    const weekCap = policy.maxAttemptsPerNumberPer7d;
    const recentDials = cap !== null || weekCap !== null ? this.input.recentDials : undefined;
    const leadDials = policy.maxAttemptsPerLeadPer24h !== null || policy.maxAttemptsPerLeadPer7d !== null ? this.input.recentLeadDials : undefined;
    const dnc = this.input.dnc !== undefined && this.input.dnc.size > 0 ? this.input.dnc : undefined;
    const leads = leadsOf(rows, policy.defaultRegion);
    for (let r = 0; r < rows.length; r++) {
      const row = rows[r]!;
      let lead = leads[r]!;
      if (lead.row !== row) lead = leads[r] = leadOf(row, policy.defaultRegion);
      this.scanned++;
      if (lead.rest !== null) {
        if (lead.rest === 'DONE') this.done++;
        else this.empty++;
        continue;
      }
      this.passCount = 0;
      for (const p of lead.staticPasses) this.passNumber(p.index, p.reason);
      // the numbers still in the running, one bit each (bit i: Num i+1)
      let mask = lead.candidateMask;
      if (lead.rowIdBlank) {
        this.passRow(row, 'NO_ROW_ID');
        continue;
      }
      if (lead.hasInProgress || reservedRows?.has(lead.rowId)) {
        this.passCount = 0;
        this.passRow(row, lead.hasInProgress ? 'IN_PROGRESS' : 'RESERVED');
        continue;
      }

      // 2. calling window: the row's zone, else the number's area-code zones (all of them), else the campaign's
      if (this.window) {
        const outside = this.window.outsideMask(lead) & mask;
        for (let m = outside; m !== 0; m &= m - 1) this.passNumber(lowestBit(m), 'OUTSIDE_WINDOW');
        mask &= ~outside;
      }
      if (mask === 0) {
        this.passRow(row, null);
        continue;
      }

      // 3. retry delay after the last outcome
      if (policy.retry.enabled && lead.lastCalledAtMs !== null) {
        const readyAt = lead.lastCalledAtMs + retryDelayMinutes(lead.lastOutcome, policy) * 60_000;
        if (this.nowMs < readyAt) {
          this.passRow(row, 'RETRY_PENDING', isoOf(readyAt));
          continue;
        }
      }

      // 4. a lead whose number was CORRECT is done
      if (lead.hasCorrect) {
        this.passRow(row, 'SIBLING_CORRECT');
        continue;
      }

      // 5. attempts per lead, and per number in any 24 h; 7. never a number another dial holds
      if (lead.attemptCount >= policy.maxAttempts) {
        this.passRow(row, 'MAX_ATTEMPTS');
        continue;
      }
      if (leadDials && this.leadCapped(leadDials.get(lead.rowId))) {
        this.passRow(row, 'ATTEMPT_CAP');
        continue;
      }
      if (recentDials || reservedNumbers || dnc) {
        for (let m = mask; m !== 0; m &= m - 1) {
          const i = lowestBit(m);
          const phone = lead.phones[i]!;
          let reason: PassReason | null = null;
          // the do-not-call list first: whatever else holds, such a number is never dialed
          if (dnc?.has(phone)) reason = 'DNC';
          else if (recentDials && cap !== null && dialsWithin(recentDials.get(phone), this.nowMs, DAY_MS) >= cap) reason = 'DAILY_CAP';
          else if (recentDials && weekCap !== null && dialsWithin(recentDials.get(phone), this.nowMs, WEEK_MS) >= weekCap) reason = 'ATTEMPT_CAP';
          else if (reservedNumbers?.has(phone)) reason = 'RESERVED';
          if (reason !== null) {
            mask &= ~(1 << i);
            this.passNumber(i, reason);
          }
        }
      }

      // 6. round-robin from NextIndex
      const chosen = roundRobin(mask, lead.nextIndex);
      if (chosen === null) {
        this.passRow(row, null);
        continue;
      }
      if (sharesRowId(rows, r)) {
        this.passCount = 0;
        this.passRow(row, 'NO_ROW_ID');
        continue;
      }
      const pick = { rowId: row.rowId, rowIndex: row.rowIndex, name: row.name, numberIndex: chosen + 1, phone: lead.phones[chosen]! };
      return { pick, skipped: this.skipped, summary: this.summary('PICKED') };
    }
    return { pick: null, skipped: this.skipped, summary: this.summary('NO_ELIGIBLE_LEAD') };
  }

  /** Whether the lead's dials (all its numbers) reached a per-lead cap of the campaign. */
  private leadCapped(times: readonly number[] | undefined): boolean {
    const { maxAttemptsPerLeadPer24h: day, maxAttemptsPerLeadPer7d: week } = this.input.policy;
    return (day !== null && dialsWithin(times, this.nowMs, DAY_MS) >= day) || (week !== null && dialsWithin(times, this.nowMs, WEEK_MS) >= week);
  }

  private passNumber(index: number, reason: PassReason): void {
    this.passIndex[this.passCount] = index;
    this.passReason[this.passCount++] = REASON_ID.get(reason)!;
  }

  private passRow(row: AgentRow, reason: PassReason | null, until?: string): void {
    this.passed++;
    for (let p = 0; p < this.passCount; p++) {
      const id = this.passReason[p]!;
      this.reasonCounts[id]!++;
      if (this.explain) this.skipped.push({ rowId: row.rowId, rowIndex: row.rowIndex, numberIndex: this.passIndex[p]! + 1, reason: REASONS[id]! });
    }
    if (reason === null) return;
    this.reasonCounts[REASON_ID.get(reason)!]!++;
    if (!this.explain) return;
    this.skipped.push(until === undefined ? { rowId: row.rowId, rowIndex: row.rowIndex, reason } : { rowId: row.rowId, rowIndex: row.rowIndex, reason, until });
  }

  private summary(outcome: PickSummary['outcome']): PickSummary {
    const byReason: Partial<Record<PassReason, number>> = {};
    this.reasonCounts.forEach((n, id) => {
      if (n > 0) byReason[REASONS[id]!] = n;
    });
    return { outcome, scanned: this.scanned, done: this.done, empty: this.empty, passed: this.passed, byReason };
  }
}

let lastIso = { ms: Number.NaN, iso: '' };
/** ISO text of an instant; leads retried together share LastCalledAt, so the last answer is kept. */
function isoOf(ms: number): string {
  if (lastIso.ms !== ms) lastIso = { ms, iso: new Date(ms).toISOString() };
  return lastIso.iso;
}

function dialsWithin(times: readonly number[] | undefined, nowMs: number, spanMs: number): number {
  if (!times) return 0;
  let n = 0;
  for (const t of times) if (t <= nowMs && nowMs - t < spanMs) n++;
  return n;
}

/** Does another row carry the RowID of rows[index]? (a write could not tell them apart) */
function sharesRowId(rows: readonly AgentRow[], index: number): boolean {
  const id = rows[index]!.rowId;
  for (let r = 0; r < rows.length; r++) if (r !== index && rows[r]!.rowId === id) return true;
  return false;
}

/** The first number of `mask` (bit i: Num i+1) at or after NextIndex (1-based), wrapping around; null when none. */
export function roundRobin(mask: number, nextIndex: number): number | null {
  if (mask === 0) return null;
  const atOrAfter = mask & ~((1 << (nextIndex - 1)) - 1);
  return lowestBit(atOrAfter !== 0 ? atOrAfter : mask);
}
