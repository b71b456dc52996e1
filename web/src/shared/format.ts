/** Display helpers (pure). */

/** 83 000 ms → "01:23"; past an hour "1:01:23". */
export function clock(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const mm = String(m).padStart(2, '0');
  const ss = String(s).padStart(2, '0');
  return h > 0 ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}

/** A talk-time total: "0:00:00". */
export function hms(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  return `${h}:${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}`;
}

/** +15551234567 → "+1 555 123 4567" (NANP); any other number as it is. */
export function phone(e164: string | null | undefined): string {
  if (!e164) return '—';
  const m = /^\+1(\d{3})(\d{3})(\d{4})$/.exec(e164);
  return m ? `+1 ${m[1]} ${m[2]} ${m[3]}` : e164;
}

/**
 * A number as typed in the sheet ("(312) 555-0101", "312-555-0101", "+1 312 555 0101"),
 * shown as phone() shows the dialed one: separators dropped, NANP grouped. A national
 * 10-digit number is read as NANP only when `nanp` (the lead's dialed number is +1);
 * anything else is shown as typed.
 */
export function sheetPhone(raw: string | null | undefined, nanp: boolean): string {
  const typed = (raw ?? '').trim();
  const compact = typed.replace(/[\s().-]/g, '');
  if (/^\+1\d{10}$/.test(compact)) return phone(compact);
  if (nanp && /^1?[2-9]\d{2}[2-9]\d{6}$/.test(compact)) return phone(`+${compact.length === 10 ? '1' : ''}${compact}`);
  return typed || '—';
}

const OFFSET = /(Z|[+-]\d{2}:?\d{2})$/;

/**
 * The lead's local time now: from its IANA zone (live), else from an ISO time
 * with an offset (live: the offset is kept), else an "HH:mm" as given.
 */
export function leadLocalTime(lead: { time_zone?: string | null; local_time?: string | null } | null, nowMs: number): string | null {
  if (!lead) return null;
  if (lead.time_zone) {
    try {
      return new Intl.DateTimeFormat('en-US', { timeZone: lead.time_zone, hour: 'numeric', minute: '2-digit', timeZoneName: 'short' }).format(nowMs);
    } catch {
      // unknown zone: fall through
    }
  }
  const local = lead.local_time;
  if (!local) return null;
  const m = OFFSET.exec(local);
  if (m && Number.isFinite(Date.parse(local))) {
    const offset = m[1] === 'Z' ? 0 : offsetMinutes(m[1] ?? '');
    const shifted = new Date(nowMs + offset * 60_000);
    const hh = shifted.getUTCHours();
    const mm = String(shifted.getUTCMinutes()).padStart(2, '0');
    const h12 = hh % 12 === 0 ? 12 : hh % 12;
    return `${h12}:${mm} ${hh < 12 ? 'AM' : 'PM'} (UTC${m[1] === 'Z' ? '' : (m[1] ?? '').replace(/^([+-]\d{2}):?(\d{2})$/, '$1:$2')})`;
  }
  return local;
}

function offsetMinutes(text: string): number {
  const m = /^([+-])(\d{2}):?(\d{2})$/.exec(text);
  if (!m) return 0;
  const minutes = Number(m[2]) * 60 + Number(m[3]);
  return m[1] === '-' ? -minutes : minutes;
}

/** "NEW" → "New", "NO_ANSWER" → "No answer". */
export function statusLabel(status: string): string {
  const s = status.trim().toLowerCase().replace(/_/g, ' ');
  return s ? s[0]!.toUpperCase() + s.slice(1) : '—';
}
