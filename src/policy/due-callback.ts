import { minutesOfDay } from './campaign-policy.js';
import { leadOf, leadsOf } from './lead.js';
import { toE164 } from './phone.js';
import type { CampaignPolicy } from './campaign-policy.js';
import type { AgentRow } from './policy.types.js';
import { areaCodeZones, WindowClock, type ZoneLookup, zoneOfCell } from './time-zones.js';

/** A callback a lead asked for: its number, when. */
export interface ScheduledCallback {
  id: string;
  rowId: string;
  /** 1..10 */
  numberIndex: number;
  dueAtMs: number;
}

/**
 * The earliest due callback that may be dialed now: its lead's number, whatever the lead's status
 * or retry delay (the person asked for this call), but never a listed (DNC), reserved or in-progress
 * number, never outside the calling window. Null when none.
 */
/** What pickNext hands over (its input's fields): the rows, the policy, what is held or listed, the callbacks. */
export interface DueCallbackInput {
  rows: readonly AgentRow[];
  policy: CampaignPolicy;
  reserved?: { rowIds?: ReadonlySet<string>; numbers?: ReadonlySet<string> };
  dnc?: ReadonlySet<string>;
  callbacks?: readonly ScheduledCallback[];
  zones?: ZoneLookup;
}

export interface CallbackPick {
  callbackId: string;
  rowId: string;
  rowIndex: number;
  name: string;
  numberIndex: number;
  phone: string;
}

export function pickDueCallback(input: DueCallbackInput, nowMs: number): CallbackPick | null {
  const callbacks = input.callbacks;
  if (!callbacks || callbacks.length === 0) return null;
  const due = callbacks.filter((c) => c.dueAtMs <= nowMs).sort((a, b) => a.dueAtMs - b.dueAtMs);
  if (due.length === 0) return null;
  const { rows, policy, reserved, dnc } = input;
  // the rows of the due callbacks, in one pass (-1: the RowID is shared, the row cannot be addressed)
  const wanted = new Set(due.map((c) => c.rowId));
  const found = new Map<string, number>();
  for (let i = 0; i < rows.length; i++) {
    const id = rows[i]!.rowId;
    if (wanted.has(id)) found.set(id, found.has(id) ? -1 : i);
  }
  // the sheet's parsed leads, shared with the scan (parsed once per sheet read, not once per decision)
  const leads = leadsOf(rows, policy.defaultRegion);
  for (const c of due) {
    const index = found.get(c.rowId) ?? -1;
    if (index < 0) continue;
    const row = rows[index]!;
    if (reserved?.rowIds?.has(row.rowId)) continue;
    const lead = leads[index]!.row === row ? leads[index]! : leadOf(row, policy.defaultRegion);
    // the engine does not parse numbers whose status is terminal (a callback's may be CORRECT): parsed here then
    const phone = lead.phones[c.numberIndex - 1] ?? toE164(row.numbers[c.numberIndex - 1] ?? '', policy.defaultRegion);
    if (lead.hasInProgress || !phone || dnc?.has(phone) || reserved?.numbers?.has(phone)) continue;
    if (!insideWindow(input, row, phone, nowMs)) continue;
    return { callbackId: c.id, rowId: row.rowId, rowIndex: row.rowIndex, name: row.name, numberIndex: c.numberIndex, phone };
  }
  return null;
}

/** The calling window for one number, whatever its status: every zone it may be in. */
function insideWindow(input: DueCallbackInput, row: AgentRow, phone: string, nowMs: number): boolean {
  const w = input.policy.callingWindow;
  if (!w.enabled) return true;
  const zones = zoneOfCell(row.timezone) ?? (input.zones ?? areaCodeZones)(phone) ?? [input.policy.defaultTimezone];
  return new WindowClock(nowMs, minutesOfDay(w.start) ?? 0, minutesOfDay(w.end) ?? 24 * 60).inside(zones);
}
