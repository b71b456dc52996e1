/**
 * Callback times in the LEAD's local time (pure, Intl only): the quick choices, a typed
 * date and time read as the lead's wall clock, the instant sent as ISO with its offset
 * (`callback_at`), and how it reads ("Thu 3:00 PM").
 */

/** Where the lead's wall clock is: an IANA zone, a fixed offset (from the lead's local_time), or the agent's own. */
export type LeadZone = { kind: 'iana'; name: string } | { kind: 'offset'; minutes: number } | { kind: 'agent' };

export type QuickChoice = 'in-1h' | 'in-3h' | 'tomorrow-9' | 'tomorrow-14' | 'next-week-9';

export const QUICK_CHOICES: ReadonlyArray<{ id: QuickChoice; label: string }> = [
  { id: 'in-1h', label: 'In 1 hour' },
  { id: 'in-3h', label: 'In 3 hours' },
  { id: 'tomorrow-9', label: 'Tomorrow 9 AM' },
  { id: 'tomorrow-14', label: 'Tomorrow 2 PM' },
  { id: 'next-week-9', label: 'In a week, 9 AM' },
];

/** What the picker holds: a quick choice or a typed `YYYY-MM-DDTHH:mm` (the lead's wall time). */
export type CallbackChoice = { kind: 'quick'; id: QuickChoice } | { kind: 'custom'; local: string };

/** A callback may be scheduled at most this far ahead (the backend refuses more than a year). */
const MAX_AHEAD_MS = 365 * 24 * 3600_000;
const OFFSET = /(Z|[+-]\d{2}:?\d{2})$/;
const HOUR = 3600_000;

interface Wall {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  weekday: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function partsFormatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    formatters.set(zone, f);
  }
  return f;
}

/** The lead's zone from its view: its IANA zone when the browser knows it, else the offset of its local time, else the agent's. */
export function leadZone(lead: { time_zone?: string | null; local_time?: string | null } | null | undefined): LeadZone {
  if (lead?.time_zone) {
    try {
      partsFormatter(lead.time_zone);
      return { kind: 'iana', name: lead.time_zone };
    } catch {
      // a zone this browser does not know: fall through
    }
  }
  const m = lead?.local_time ? OFFSET.exec(lead.local_time) : null;
  if (m?.[1]) return { kind: 'offset', minutes: m[1] === 'Z' ? 0 : parseOffset(m[1]) };
  return { kind: 'agent' };
}

function parseOffset(text: string): number {
  const m = /^([+-])(\d{2}):?(\d{2})$/.exec(text);
  if (!m) return 0;
  const minutes = Number(m[2]) * 60 + Number(m[3]);
  return m[1] === '-' ? -minutes : minutes;
}

/** The zone's offset from UTC (minutes) at an instant. */
export function offsetAt(zone: LeadZone, ms: number): number {
  if (zone.kind === 'offset') return zone.minutes;
  if (zone.kind === 'agent') return -new Date(ms).getTimezoneOffset();
  const p: Record<string, number> = {};
  for (const part of partsFormatter(zone.name).formatToParts(ms)) if (part.type !== 'literal') p[part.type] = Number(part.value);
  const asUtc = Date.UTC(p.year ?? 1970, (p.month ?? 1) - 1, p.day ?? 1, p.hour ?? 0, p.minute ?? 0, p.second ?? 0);
  return Math.round((asUtc - Math.floor(ms / 1000) * 1000) / 60_000);
}

/** The zone's wall clock at an instant. */
function wallAt(zone: LeadZone, ms: number): Wall {
  const d = new Date(ms + offsetAt(zone, ms) * 60_000);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), hour: d.getUTCHours(), minute: d.getUTCMinutes(), weekday: d.getUTCDay() };
}

/** The instant the zone's wall clock shows the given time (a time skipped by a DST jump moves forward with it). */
export function wallToInstant(zone: LeadZone, w: { year: number; month: number; day: number; hour: number; minute: number }): number {
  const naive = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute);
  let guess = naive - offsetAt(zone, naive) * 60_000;
  guess = naive - offsetAt(zone, guess) * 60_000;
  return guess;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** `2026-03-10T15:00:00-05:00`: the instant as the lead's wall time with its offset (what `callback_at` carries). */
export function isoWithOffset(zone: LeadZone, ms: number): string {
  const off = offsetAt(zone, ms);
  const w = wallAt(zone, ms);
  const sign = off < 0 ? '-' : '+';
  const abs = Math.abs(off);
  return `${w.year}-${pad(w.month)}-${pad(w.day)}T${pad(w.hour)}:${pad(w.minute)}:00${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/** `YYYY-MM-DDTHH:mm` of the instant on the lead's wall clock (a datetime-local input's value). */
export function localInputValue(zone: LeadZone, ms: number): string {
  return isoWithOffset(zone, ms).slice(0, 16);
}

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function clock12(hour: number, minute: number): string {
  return `${hour % 12 === 0 ? 12 : hour % 12}:${pad(minute)} ${hour < 12 ? 'AM' : 'PM'}`;
}

/** "Thu 3:00 PM" on the zone's clock; "Thu Mar 12, 3:00 PM" when not within the coming week of `nowMs`. */
export function wallText(zone: LeadZone, ms: number, nowMs: number): string {
  const w = wallAt(zone, ms);
  const soon = ms >= nowMs - 24 * HOUR && ms < nowMs + 6 * 24 * HOUR;
  return soon ? `${WEEKDAYS[w.weekday]} ${clock12(w.hour, w.minute)}` : `${WEEKDAYS[w.weekday]} ${MONTHS[w.month - 1]} ${w.day}, ${clock12(w.hour, w.minute)}`;
}

/** How the zone is named: "America/Chicago", "UTC−05:00", or "your time zone". */
export function zoneName(zone: LeadZone): string {
  if (zone.kind === 'iana') return zone.name;
  if (zone.kind === 'agent') return 'your time zone';
  const abs = Math.abs(zone.minutes);
  return `UTC${zone.minutes < 0 ? '−' : '+'}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/** "Thu 3:00 PM lead time (America/Chicago)" — or "your time" when the lead's zone is unknown. */
export function leadTimeText(zone: LeadZone, ms: number, nowMs: number): string {
  return zone.kind === 'agent' ? `${wallText(zone, ms, nowMs)} your time (the lead's time zone is unknown)` : `${wallText(zone, ms, nowMs)} lead time (${zoneName(zone)})`;
}

/** The next whole 5 minutes at or after `ms` (a callback "in 1 hour" reads 3:05 PM, not 3:02:17). */
function roundUp5(ms: number): number {
  const step = 5 * 60_000;
  return Math.ceil(ms / step) * step;
}

/** The instant of a quick choice, on the lead's clock. */
export function quickInstant(zone: LeadZone, id: QuickChoice, nowMs: number): number {
  switch (id) {
    case 'in-1h':
      return roundUp5(nowMs + HOUR);
    case 'in-3h':
      return roundUp5(nowMs + 3 * HOUR);
    case 'tomorrow-9':
    case 'tomorrow-14':
    case 'next-week-9': {
      const today = wallAt(zone, nowMs);
      const days = id === 'next-week-9' ? 7 : 1;
      // calendar arithmetic on the wall date (Date.UTC rolls month and year over)
      const d = new Date(Date.UTC(today.year, today.month - 1, today.day + days));
      return wallToInstant(zone, { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), hour: id === 'tomorrow-14' ? 14 : 9, minute: 0 });
    }
  }
}

/** A `YYYY-MM-DDTHH:mm` read on the lead's clock; null when it is not one. */
export function parseLocalInput(zone: LeadZone, text: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(text.trim());
  if (!m) return null;
  const [year, month, day, hour, minute] = m.slice(1).map(Number) as [number, number, number, number, number];
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59) return null;
  const d = new Date(Date.UTC(year, month - 1, day));
  if (d.getUTCMonth() !== month - 1) return null; // 31 April
  return wallToInstant(zone, { year, month, day, hour, minute });
}

export type ResolvedCallback = { ok: true; atMs: number; iso: string } | { ok: false; error: string };

/** The picker's choice as the instant to send, or why it cannot be one (empty, in the past, more than a year ahead). */
export function resolveCallback(zone: LeadZone, choice: CallbackChoice, nowMs: number): ResolvedCallback {
  const atMs = choice.kind === 'quick' ? quickInstant(zone, choice.id, nowMs) : parseLocalInput(zone, choice.local);
  if (atMs === null) return { ok: false, error: 'Type the callback date and time, or pick a quick choice' };
  if (atMs < nowMs) return { ok: false, error: 'That callback time has passed: pick a later one' };
  if (atMs > nowMs + MAX_AHEAD_MS) return { ok: false, error: 'A callback can be at most a year ahead' };
  return { ok: true, atMs, iso: isoWithOffset(zone, atMs) };
}

/** How a scheduled callback stands now: upcoming, due (its time has come) or missed (over 5 minutes past, as the backend flags it). */
export function callbackStanding(dueAtMs: number, nowMs: number, missedFlag = false): 'upcoming' | 'due' | 'missed' {
  if (missedFlag || nowMs - dueAtMs > 5 * 60_000) return 'missed';
  return dueAtMs <= nowMs ? 'due' : 'upcoming';
}
