/**
 * The live calls board (the CTI half), as a pure reducer: app event messages
 * from `/ws?api_key=…` (src/events/event-message.ts) and `GET /api/calls/active`
 * rows become one row per call_id, whose status never goes backwards; inbound
 * calls pop a toast (the screen pop); ended calls leave after a few seconds.
 */

export type CallStatus = 'initiated' | 'ringing' | 'connected' | 'ended' | 'missed' | 'voicemail';

export interface BoardCall {
  callId: string;
  status: CallStatus;
  direction: 'inbound' | 'outbound' | null;
  externalNumber: string | null;
  internalNumber: string | null;
  dialpadUserId: string | null;
  crmUser: string | null;
  contactName: string | null;
  startedAtMs: number;
  connectedAtMs: number | null;
  endedAtMs: number | null;
  lastEvent: string;
  /** local time of the last change */
  updatedAtMs: number;
}

export interface Toast {
  id: string;
  callId: string;
  number: string | null;
  name: string | null;
  atMs: number;
}

export interface BoardState {
  phase: 'loading' | 'live' | 'expired';
  socket: 'connecting' | 'open' | 'closed';
  calls: Record<string, BoardCall>;
  /** call ids, newest first */
  order: string[];
  toasts: Toast[];
  /** calls that already popped a toast, and calls that left the board (late messages about them are ignored) */
  toasted: string[];
  gone: string[];
}

export type BoardEvent =
  | { type: 'MESSAGE'; message: unknown; now: number }
  | { type: 'SEED'; items: unknown[]; requestedAtMs: number; now: number }
  | { type: 'TICK'; now: number }
  | { type: 'DISMISS'; id: string }
  | { type: 'SOCKET'; status: BoardState['socket'] }
  | { type: 'UNAUTHORIZED' };

export const TOAST_MS = 8_000;
export const ENDED_LINGER_MS = 5_000;
/** a ring older than this (a replay after a reconnect) pops no toast */
const FRESH_MS = 30_000;
const MAX_TOASTS = 4;
const MAX_REMEMBERED = 500;

const RANK: Record<CallStatus, number> = { initiated: 0, ringing: 1, connected: 2, ended: 3, missed: 3, voicemail: 3 };
const STATUSES = new Set<string>(Object.keys(RANK));
const EVENT_STATUS: Record<string, CallStatus> = {
  'call.started': 'initiated',
  'call.calling': 'initiated',
  'call.ring': 'ringing',
  'call.ringing': 'ringing',
  'call.connected': 'connected',
  'call.hold': 'connected',
  'call.ended': 'ended',
  'call.hangup': 'ended',
  'call.missed': 'missed',
  'voicemail.received': 'voicemail',
};

export function isEnded(status: CallStatus): boolean {
  return RANK[status] === 3;
}

export function initialBoard(): BoardState {
  return { phase: 'loading', socket: 'connecting', calls: {}, order: [], toasts: [], toasted: [], gone: [] };
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const text = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : typeof v === 'number' && Number.isFinite(v) ? String(v) : null);

function timeMs(v: unknown, now: number): number | null {
  if (typeof v !== 'string' && typeof v !== 'number') return null;
  const t = typeof v === 'number' ? v : Date.parse(v);
  return Number.isFinite(t) ? Math.min(t, now) : null;
}

function contactName(m: Json): string | null {
  const contact = isObject(m.contact) ? m.contact : null;
  return text(m.contact_name) ?? text(contact?.name) ?? text(m.caller_name) ?? text(m.name) ?? null;
}

interface CallFacts {
  callId: string;
  status: CallStatus;
  eventName: string;
  direction: BoardCall['direction'];
  from: string | null;
  to: string | null;
  dialpadUserId: string | null;
  crmUser: string | null;
  name: string | null;
  atMs: number;
  connectedAtMs: number | null;
  endedAtMs: number | null;
}

/** An event message → the call facts it carries; null for control frames, agent messages and non-call events. */
export function factsOfMessage(raw: unknown, now: number): CallFacts | null {
  if (!isObject(raw)) return null;
  const callId = text(raw.call_id);
  const eventName = text(raw.event) ?? text(raw.type) ?? '';
  if (!callId || !(eventName.startsWith('call.') || eventName.startsWith('voicemail.'))) return null;
  const data = isObject(raw.data) ? { ...raw, ...raw.data } : raw;
  const given = text(data.status);
  const status: CallStatus | undefined = given && STATUSES.has(given) ? (given as CallStatus) : EVENT_STATUS[eventName];
  if (!status) return null;
  const direction = data.direction === 'inbound' || data.direction === 'outbound' ? data.direction : null;
  const atMs = timeMs(data.timestamp, now) ?? now;
  return {
    callId,
    status,
    eventName,
    direction,
    from: text(data.from_number),
    to: text(data.to_number),
    dialpadUserId: text(data.user_id) ?? text(data.dialpad_user_id),
    crmUser: text(data.target_crm_user) ?? text(data.crm_user_id),
    name: contactName(data),
    atMs,
    connectedAtMs: status === 'connected' ? atMs : null,
    endedAtMs: isEnded(status) ? atMs : null,
  };
}

/** A `GET /api/calls/active` item → call facts. */
export function factsOfCallRow(raw: unknown, now: number): CallFacts | null {
  if (!isObject(raw)) return null;
  const callId = text(raw.dialpad_call_id) ?? text(raw.call_id);
  const status = text(raw.status);
  if (!callId || !status || !STATUSES.has(status)) return null;
  const direction = raw.direction === 'inbound' || raw.direction === 'outbound' ? raw.direction : null;
  const started = timeMs(raw.started_at, now) ?? timeMs(raw.ringing_at, now) ?? timeMs(raw.created_at, now) ?? now;
  return {
    callId,
    status: status as CallStatus,
    eventName: `call.${status}`,
    direction,
    from: text(raw.from_number),
    to: text(raw.to_number),
    dialpadUserId: text(raw.dialpad_user_id),
    crmUser: text(raw.crm_user_id),
    name: contactName(raw),
    atMs: started,
    connectedAtMs: timeMs(raw.connected_at, now),
    endedAtMs: timeMs(raw.ended_at, now),
  };
}

function external(direction: BoardCall['direction'], from: string | null, to: string | null): string | null {
  return direction === 'outbound' ? to : from;
}

function internal(direction: BoardCall['direction'], from: string | null, to: string | null): string | null {
  return direction === 'outbound' ? from : to;
}

function remember(list: string[], id: string): string[] {
  return list.includes(id) ? list : [...list, id].slice(-MAX_REMEMBERED);
}

function merge(state: BoardState, f: CallFacts, now: number, live: boolean): BoardState {
  if (state.gone.includes(f.callId)) return state;
  const prev = state.calls[f.callId];
  if (!prev && isEnded(f.status)) return state; // nothing to show of a call that is already over
  let call: BoardCall;
  if (!prev) {
    call = {
      callId: f.callId,
      status: f.status,
      direction: f.direction,
      externalNumber: external(f.direction, f.from, f.to),
      internalNumber: internal(f.direction, f.from, f.to),
      dialpadUserId: f.dialpadUserId,
      crmUser: f.crmUser,
      contactName: f.name,
      startedAtMs: f.atMs,
      connectedAtMs: f.connectedAtMs ?? (f.status === 'connected' ? now : null),
      endedAtMs: null,
      lastEvent: f.eventName,
      updatedAtMs: now,
    };
  } else {
    const forward = RANK[f.status] > RANK[prev.status];
    const direction = prev.direction ?? f.direction;
    call = {
      ...prev,
      status: forward ? f.status : prev.status,
      direction,
      externalNumber: prev.externalNumber ?? external(direction, f.from, f.to),
      internalNumber: prev.internalNumber ?? internal(direction, f.from, f.to),
      dialpadUserId: prev.dialpadUserId ?? f.dialpadUserId,
      crmUser: prev.crmUser ?? f.crmUser,
      contactName: prev.contactName ?? f.name,
      startedAtMs: Math.min(prev.startedAtMs, f.atMs),
      connectedAtMs: prev.connectedAtMs ?? f.connectedAtMs,
      lastEvent: f.eventName,
      updatedAtMs: now,
    };
  }
  if (isEnded(call.status) && call.endedAtMs === null) call.endedAtMs = live ? now : (f.endedAtMs ?? now);
  const calls = { ...state.calls, [f.callId]: call };
  const order = prev ? state.order : [f.callId, ...state.order];
  let next: BoardState = { ...state, calls, order };
  const pops = live && !prev && call.direction === 'inbound' && (call.status === 'initiated' || call.status === 'ringing') && now - f.atMs <= FRESH_MS;
  if (pops && !state.toasted.includes(f.callId)) {
    const toast: Toast = { id: `${f.callId}:${now}`, callId: f.callId, number: call.externalNumber, name: call.contactName, atMs: now };
    next = { ...next, toasts: [...state.toasts, toast].slice(-MAX_TOASTS), toasted: remember(state.toasted, f.callId) };
  }
  return next;
}

export function boardTransition(state: BoardState, event: BoardEvent): BoardState {
  if (state.phase === 'expired') return state;
  switch (event.type) {
    case 'MESSAGE': {
      const facts = factsOfMessage(event.message, event.now);
      return facts ? merge({ ...state, phase: 'live' }, facts, event.now, true) : state;
    }
    case 'SEED': {
      let next: BoardState = { ...state, phase: 'live' };
      const seen = new Set<string>();
      for (const item of event.items) {
        const facts = factsOfCallRow(item, event.now);
        if (!facts) continue;
        seen.add(facts.callId);
        next = merge(next, facts, event.now, false);
      }
      // calls the server no longer lists as active, unchanged since we asked: they ended while we were away
      const calls = { ...next.calls };
      for (const [id, call] of Object.entries(calls)) {
        if (!seen.has(id) && !isEnded(call.status) && call.updatedAtMs <= event.requestedAtMs) {
          calls[id] = { ...call, status: 'ended', endedAtMs: event.now, updatedAtMs: event.now };
        }
      }
      return { ...next, calls };
    }
    case 'TICK': {
      const toasts = state.toasts.filter((t) => event.now - t.atMs < TOAST_MS);
      const leaving = state.order.filter((id) => {
        const c = state.calls[id];
        return c !== undefined && c.endedAtMs !== null && event.now - c.endedAtMs >= ENDED_LINGER_MS;
      });
      if (leaving.length === 0 && toasts.length === state.toasts.length) return state;
      const calls = { ...state.calls };
      let gone = state.gone;
      for (const id of leaving) {
        delete calls[id];
        gone = remember(gone, id);
      }
      return { ...state, calls, order: state.order.filter((id) => !leaving.includes(id)), toasts, gone };
    }
    case 'DISMISS':
      return { ...state, toasts: state.toasts.filter((t) => t.id !== event.id) };
    case 'SOCKET':
      return state.socket === event.status ? state : { ...state, socket: event.status };
    case 'UNAUTHORIZED':
      return { ...state, phase: 'expired', toasts: [] };
  }
}
