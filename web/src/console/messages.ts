import type { AgentMessage, CallbackView, DialResult, LeadNumber, LeadView, ReadyState, SessionStats } from './types';

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const READY: ReadonlySet<string> = new Set(['PLAY', 'PAUSE', 'STOPPED']);

/** Session counters with every field present (an older or partial answer fills in zeros); null when not an object. */
export function normalizeStats(v: unknown): SessionStats | null {
  if (!isObject(v)) return null;
  const dispositions: Record<string, number> = {};
  if (isObject(v.dispositions)) for (const [k, n] of Object.entries(v.dispositions)) if (typeof n === 'number') dispositions[k] = n;
  return {
    dials: num(v.dials) ?? 0,
    connects: num(v.connects) ?? 0,
    dispositions,
    talk_time_ms: num(v.talk_time_ms) ?? 0,
    dials_per_hour: num(v.dials_per_hour) ?? 0,
  };
}

/**
 * The agent socket's messages the console acts on, checked; null for anything
 * else (control frames like `welcome`/`pong`, app call messages, unknown events).
 */
export function parseAgentMessage(raw: unknown): AgentMessage | null {
  if (!isObject(raw)) return null;
  switch (raw.event) {
    case 'STATS': {
      const s = normalizeStats(raw.stats);
      if (!s) return null;
      const state = typeof raw.state === 'string' && READY.has(raw.state) ? (raw.state as ReadyState) : undefined;
      return { event: 'STATS', session_id: str(raw.session_id), state, stats: s };
    }
    case 'CALL_STATE': {
      const attempt = str(raw.attempt_id);
      const status = raw.status;
      if (!attempt || (status !== 'ringing' && status !== 'connected' && status !== 'ended')) return null;
      return { event: 'CALL_STATE', attempt_id: attempt, status, connected_at: str(raw.connected_at) ?? null, ended_at: str(raw.ended_at) ?? null };
    }
    case 'SHOW_DISPO': {
      const attempt = str(raw.attempt_id);
      if (!attempt) return null;
      return {
        event: 'SHOW_DISPO',
        attempt_id: attempt,
        row_id: str(raw.row_id),
        number_index: num(raw.number_index),
        phone: str(raw.phone),
        dialpad_call_id: str(raw.dialpad_call_id) ?? null,
        connected: typeof raw.connected === 'boolean' ? raw.connected : undefined,
        talk_time_ms: num(raw.talk_time_ms),
      };
    }
    case 'DIAL_SCHEDULED': {
      const at = str(raw.scheduled_at);
      if (!at || !Number.isFinite(Date.parse(at))) return null;
      return { event: 'DIAL_SCHEDULED', scheduled_at: at, attempt_id: str(raw.attempt_id) ?? null };
    }
    case 'DIAL_RESULT': {
      // `{event:'DIAL_RESULT', ...DialResult}`; a nested `result` is accepted too
      const body = isObject(raw.result) ? raw.result : raw;
      const result = parseDialResult(body);
      return result ? { event: 'DIAL_RESULT', result } : null;
    }
    default:
      return null;
  }
}

/** A dial answer of any of its three shapes; null when it is none of them. */
export function parseDialResult(v: unknown): DialResult | null {
  if (!isObject(v)) return null;
  const attempt = str(v.attempt_id);
  if (attempt) {
    return {
      attempt_id: attempt,
      row_id: str(v.row_id) ?? '',
      name: str(v.name) ?? (isObject(v.lead) ? (str(v.lead.name) ?? '') : ''),
      number_index: num(v.number_index) ?? 0,
      phone: str(v.phone) ?? '',
      dialpad_call_id: str(v.dialpad_call_id) ?? null,
      lead: normalizeLead(v.lead),
      callback_id: str(v.callback_id) ?? null,
    };
  }
  const at = str(v.scheduled_at);
  if (at) return { attempt_id: null, scheduled_at: at };
  const reason = str(v.reason);
  if (reason !== undefined || 'skipped' in v) {
    return { attempt_id: null, reason: reason ?? 'No lead can be dialed now', skipped: isObject(v.skipped) ? (v.skipped as Record<string, number>) : {} };
  }
  return null;
}

/** A lead with safe field types (strings, numbers, a numbers list), or null. */
export function normalizeLead(v: unknown): LeadView | null {
  if (!isObject(v)) return null;
  const numbers: LeadNumber[] = Array.isArray(v.numbers)
    ? v.numbers.filter(isObject).flatMap((n) => {
        const index = num(n.index);
        const phone = str(n.phone);
        return index !== undefined && phone ? [{ index, phone, status: typeof n.status === 'string' ? n.status : '' }] : [];
      })
    : [];
  return {
    row_id: str(v.row_id) ?? '',
    name: str(v.name) ?? '',
    notes: typeof v.notes === 'string' ? v.notes : null,
    attempts: num(v.attempts) ?? null,
    time_zone: str(v.time_zone) ?? null,
    local_time: str(v.local_time) ?? null,
    numbers,
  };
}

/** One scheduled callback with safe field types; null without an id or a valid due time. */
export function parseCallback(v: unknown): CallbackView | null {
  if (!isObject(v)) return null;
  const id = str(v.id);
  const due = str(v.due_at);
  if (!id || !due || !Number.isFinite(Date.parse(due))) return null;
  return {
    id,
    row_id: str(v.row_id) ?? '',
    lead_name: str(v.lead_name) ?? '',
    number_index: num(v.number_index) ?? 0,
    phone: str(v.phone) ?? '',
    campaign_name: str(v.campaign_name) ?? '',
    agent_email: str(v.agent_email) ?? '',
    only_me: v.only_me === true,
    due_at: due,
    due_local: str(v.due_local) ?? due,
    time_zone: str(v.time_zone) ?? null,
    notes: typeof v.notes === 'string' ? v.notes : null,
    status: str(v.status) ?? 'pending',
    missed: v.missed === true,
  };
}

/** GET /api/callbacks: the valid items, by due time. */
export function parseCallbacks(v: unknown): CallbackView[] {
  if (!Array.isArray(v)) return [];
  return v
    .map(parseCallback)
    .filter((c): c is CallbackView => c !== null)
    .sort((a, b) => Date.parse(a.due_at) - Date.parse(b.due_at));
}
