/**
 * The agent console's state machine, as pure functions: `transition(state, event)`
 * returns the next state and never does I/O. The store (store.ts) sends requests
 * and feeds their answers and the socket's messages in as events.
 *
 *   idle ─Play→ (start) → ready ─dial→ dialing → ringing → connected → wrap-up (dialog)
 *                                   ↑                                      │ disposition
 *                                   └──────── next (chained dial) ─────────┘
 *   plus paused, stopped, scheduled (next dial in N s), nothing (nothing to dial),
 *   expired (401) and error.
 */
import { type CallbackChoice, leadTimeText, leadZone } from './callback-time';
import { dispositionLabel } from './dispositions';
import { normalizeLead, normalizeStats } from './messages';
import type {
  AgentMessage,
  AttemptView,
  CallbackView,
  DialResult,
  DispositionAnswer,
  DispositionCode,
  LeadView,
  PlacedDial,
  ReadyState,
  SessionStats,
  SessionView,
} from './types';

export type Phase =
  | 'loading'
  | 'idle'
  | 'ready'
  | 'dialing'
  | 'ringing'
  | 'connected'
  | 'wrap-up'
  | 'paused'
  | 'stopped'
  | 'scheduled'
  | 'nothing'
  | 'expired'
  | 'error';

export type CallStatus = 'dialing' | 'ringing' | 'connected' | 'ended';

export interface CurrentCall {
  /** null while the dial request is in flight */
  attemptId: string | null;
  status: CallStatus;
  rowId: string | null;
  name: string | null;
  phone: string | null;
  numberIndex: number | null;
  dialpadCallId: string | null;
  lead: LeadView | null;
  /** local clock (ms): when this console learnt of the dial / connect / end */
  dialedAtMs: number;
  connectedAtMs: number | null;
  endedAtMs: number | null;
  /** from SHOW_DISPO: the call's final talk time */
  talkTimeMs: number | null;
  connected: boolean;
  /** the scheduled callback this dial honours */
  callbackId: string | null;
}

export type SessionOp = 'start' | 'resume' | 'pause' | 'stop';

export interface CallOp {
  kind: 'dial' | 'disposition' | 'hangup' | 'skip';
  attemptId: string | null;
}

/** A callback to schedule with the disposition: when (on the lead's clock) and whether only this agent dials it. */
export interface CallbackDraft {
  choice: CallbackChoice;
  onlyMe: boolean;
}

export interface DialogState {
  open: boolean;
  code: DispositionCode | null;
  notes: string;
  error: string | null;
  /** Do not call was confirmed once (Enter): the next Enter sends it, Esc goes back */
  dncConfirm: boolean;
  /** the callback picker's choice; null: no callback */
  callback: CallbackDraft | null;
}

/** A pause in progress: its reason and start (local clock). */
export interface PauseNow {
  reason: string;
  sinceMs: number;
}

export interface Scheduled {
  atMs: number;
  /** 'server': the backend dials and sends DIAL_RESULT; 'client': the console dials again (retry after a 429) */
  by: 'server' | 'client';
  attemptId: string | null;
}

/** Socket events for an attempt the console does not know yet (they can beat the dial's HTTP answer). */
export interface EarlyEvent {
  status: CallStatus;
  atMs: number;
  connectedAtMs: number | null;
  endedAtMs: number | null;
  talkTimeMs: number | null;
  connected: boolean | null;
  phone: string | null;
  rowId: string | null;
  numberIndex: number | null;
  dialpadCallId: string | null;
}

export interface ConsoleState {
  phase: Phase;
  /** null: no live session */
  readyState: ReadyState | null;
  sessionId: string | null;
  campaign: string | null;
  agentEmail: string | null;
  stats: SessionStats;
  call: CurrentCall | null;
  sessionOp: SessionOp | null;
  callOp: CallOp | null;
  dialog: DialogState;
  scheduled: Scheduled | null;
  nothingReason: string | null;
  error: string | null;
  /** a non-fatal message (a refused Stop, a failed Hang up) */
  notice: string | null;
  early: Record<string, EarlyEvent>;
  /** attempts that have their disposition (newest last): their late messages are ignored */
  finished: string[];
  /** what the polite live region says; `n` changes at each announcement */
  announcement: { text: string; n: number };
  socket: 'connecting' | 'open' | 'closed';
  /** bumped by every call-changing event: a restore answer older than it is stale */
  epoch: number;
  /** the app's pause reasons (from the session answers); empty: Pause sends no reason */
  pauseReasons: string[];
  /** the pause reason menu is open */
  pauseMenu: boolean;
  /** the pause in progress (PAUSE only) */
  pausedFor: PauseNow | null;
  /** time paused in this session by reason as last answered, and when (local clock): the open pause runs on from there */
  pauseTime: { byReason: Record<string, number>; atMs: number };
  /** the agent's pending callbacks (GET /api/callbacks), by due time; null until loaded */
  callbacks: CallbackView[] | null;
}

export interface ApiErrorLike {
  status: number;
  message: string;
  code?: string | undefined;
  retryAfterMs?: number | undefined;
}

export type ConsoleEvent =
  | { type: 'RESTORED'; view: SessionView | null; epoch: number; now: number }
  | { type: 'RESTORE_FAILED'; error: ApiErrorLike }
  | { type: 'SESSION_REQUESTED'; op: SessionOp }
  | { type: 'STARTED'; view: SessionView; now: number }
  | { type: 'SESSION_UPDATED'; view: SessionView; now: number }
  | { type: 'SESSION_FAILED'; op: SessionOp; error: ApiErrorLike }
  | { type: 'DIAL_REQUESTED'; now: number }
  | { type: 'DIAL_ANSWERED'; result: DialResult; now: number }
  | { type: 'DIAL_FAILED'; error: ApiErrorLike; now: number }
  | { type: 'HANGUP_REQUESTED'; attemptId: string }
  | { type: 'HANGUP_ANSWERED'; attemptId: string }
  | { type: 'HANGUP_FAILED'; error: ApiErrorLike }
  | { type: 'SKIP_REQUESTED'; attemptId: string }
  | { type: 'DISPOSITION_REQUESTED'; attemptId: string; code: DispositionCode }
  | { type: 'DISPOSITION_ANSWERED'; answer: DispositionAnswer; now: number }
  | { type: 'DISPOSITION_FAILED'; kind: 'disposition' | 'skip'; attemptId: string; error: ApiErrorLike }
  | { type: 'MESSAGE'; message: AgentMessage; now: number }
  | { type: 'SOCKET'; status: ConsoleState['socket'] }
  | { type: 'DIALOG_OPEN' }
  | { type: 'DIALOG_CLOSE' }
  | { type: 'DIALOG_SELECT'; code: DispositionCode }
  | { type: 'DIALOG_NOTES'; notes: string }
  | { type: 'DIALOG_INVALID'; message: string }
  | { type: 'DIALOG_DNC_CONFIRM' }
  | { type: 'DIALOG_CALLBACK'; callback: CallbackDraft | null }
  | { type: 'PAUSE_MENU'; open: boolean }
  | { type: 'CALLBACKS_LOADED'; items: CallbackView[] }
  | { type: 'DISMISS_NOTICE' }
  | { type: 'UNAUTHORIZED' };

export const EMPTY_STATS: SessionStats = { dials: 0, connects: 0, dispositions: {}, talk_time_ms: 0, dials_per_hour: 0 };
const CLOSED_DIALOG: DialogState = { open: false, code: null, notes: '', error: null, dncConfirm: false, callback: null };
const MAX_FINISHED = 50;
const MAX_EARLY = 20;

export function initialState(): ConsoleState {
  return {
    phase: 'loading',
    readyState: null,
    sessionId: null,
    campaign: null,
    agentEmail: null,
    stats: EMPTY_STATS,
    call: null,
    sessionOp: null,
    callOp: null,
    dialog: CLOSED_DIALOG,
    scheduled: null,
    nothingReason: null,
    error: null,
    notice: null,
    early: {},
    finished: [],
    announcement: { text: '', n: 0 },
    socket: 'connecting',
    epoch: 0,
    pauseReasons: [],
    pauseMenu: false,
    pausedFor: null,
    pauseTime: { byReason: {}, atMs: 0 },
    callbacks: null,
  };
}

const RANK: Record<CallStatus, number> = { dialing: 0, ringing: 1, connected: 2, ended: 3 };
const CALL_PHASES: ReadonlySet<Phase> = new Set(['dialing', 'ringing', 'connected', 'wrap-up']);

export function isCallPhase(phase: Phase): boolean {
  return CALL_PHASES.has(phase);
}

/** The one reducer. Expired is final: nothing leaves it but a new sign-in link (a reload). */
export function transition(state: ConsoleState, event: ConsoleEvent): ConsoleState {
  const next = step(state, event);
  // the pause menu closes when pausing no longer makes sense, or when the disposition dialog takes the screen
  const menuStale = next.pauseMenu && (next.readyState !== 'PLAY' || next.sessionOp !== null || next.phase === 'expired' || (next.phase === 'wrap-up' && next.dialog.open));
  return menuStale ? { ...next, pauseMenu: false } : next;
}

function step(state: ConsoleState, event: ConsoleEvent): ConsoleState {
  if (state.phase === 'expired') return state;
  if (event.type === 'UNAUTHORIZED' || ('error' in event && event.error.status === 401)) return expire(state);
  switch (event.type) {
    case 'RESTORED':
      return restored(state, event.view, event.epoch, event.now);
    case 'RESTORE_FAILED':
      return state.phase === 'loading' ? { ...state, phase: 'error', error: `Could not load your session: ${event.error.message}` } : { ...state, notice: `Could not refresh the session: ${event.error.message}` };
    case 'SESSION_REQUESTED':
      return { ...state, sessionOp: event.op, notice: null, pauseMenu: false };
    case 'STARTED':
      return { ...adoptSession(state, event.view, event.now), sessionOp: null, epoch: state.epoch + 1 };
    case 'SESSION_UPDATED':
      return sessionUpdated({ ...state, sessionOp: null }, event.view, event.now);
    case 'SESSION_FAILED':
      return sessionFailed({ ...state, sessionOp: null }, event.op, event.error);
    case 'DIAL_REQUESTED':
      return {
        ...state,
        phase: 'dialing',
        callOp: { kind: 'dial', attemptId: null },
        call: placeholderCall(event.now),
        scheduled: null,
        nothingReason: null,
        error: null,
        notice: null,
        epoch: state.epoch + 1,
      };
    case 'DIAL_ANSWERED':
      return applyDialResult({ ...state, callOp: null, call: state.call?.attemptId === null ? null : state.call, epoch: state.epoch + 1 }, event.result, event.now);
    case 'DIAL_FAILED':
      return dialFailed({ ...state, callOp: null, call: state.call?.attemptId === null ? null : state.call, epoch: state.epoch + 1 }, event.error, event.now);
    case 'HANGUP_REQUESTED':
      return { ...state, callOp: { kind: 'hangup', attemptId: event.attemptId }, notice: null };
    case 'HANGUP_ANSWERED':
      return { ...state, callOp: state.callOp?.kind === 'hangup' ? null : state.callOp };
    case 'HANGUP_FAILED':
      return { ...state, callOp: state.callOp?.kind === 'hangup' ? null : state.callOp, notice: `Hang up failed: ${event.error.message}` };
    case 'SKIP_REQUESTED':
      return { ...state, callOp: { kind: 'skip', attemptId: event.attemptId }, notice: null };
    case 'DISPOSITION_REQUESTED':
      return { ...state, callOp: { kind: 'disposition', attemptId: event.attemptId }, dialog: { ...state.dialog, code: event.code, error: null }, notice: null };
    case 'DISPOSITION_ANSWERED':
      return dispositionAnswered(state, event.answer, event.now);
    case 'DISPOSITION_FAILED':
      return dispositionFailed({ ...state, callOp: null }, event.kind, event.attemptId, event.error);
    case 'MESSAGE':
      return onMessage(state, event.message, event.now);
    case 'SOCKET':
      return state.socket === event.status ? state : { ...state, socket: event.status };
    case 'DIALOG_OPEN':
      return state.phase === 'wrap-up' && !state.dialog.open ? { ...state, dialog: { ...state.dialog, open: true } } : state;
    case 'DIALOG_CLOSE':
      if (state.dialog.open && state.dialog.dncConfirm) return { ...state, dialog: { ...state.dialog, dncConfirm: false, error: null } };
      return state.dialog.open ? { ...state, dialog: { ...state.dialog, open: false }, ...announce(state, 'Dialog closed: the call still needs its disposition') } : state;
    case 'DIALOG_SELECT':
      return state.dialog.open && state.callOp?.kind !== 'disposition' ? { ...state, dialog: { ...state.dialog, code: event.code, error: null, dncConfirm: false } } : state;
    case 'DIALOG_DNC_CONFIRM':
      return state.dialog.open && state.dialog.code === 'DNC' ? { ...state, dialog: { ...state.dialog, dncConfirm: true, error: null } } : state;
    case 'DIALOG_CALLBACK':
      return state.dialog.open && state.callOp?.kind !== 'disposition' ? { ...state, dialog: { ...state.dialog, callback: event.callback, error: null } } : state;
    case 'PAUSE_MENU':
      if (!event.open) return state.pauseMenu ? { ...state, pauseMenu: false } : state;
      return state.readyState === 'PLAY' && state.sessionOp === null && state.pauseReasons.length > 0 && !state.pauseMenu ? { ...state, pauseMenu: true } : state;
    case 'CALLBACKS_LOADED':
      return { ...state, callbacks: event.items };
    case 'DIALOG_NOTES':
      return state.phase === 'wrap-up' ? { ...state, dialog: { ...state.dialog, notes: event.notes } } : state;
    case 'DIALOG_INVALID':
      return state.dialog.open ? { ...state, dialog: { ...state.dialog, error: event.message } } : state;
    case 'DISMISS_NOTICE':
      return state.notice === null ? state : { ...state, notice: null };
  }
}

function expire(state: ConsoleState): ConsoleState {
  return {
    ...state,
    phase: 'expired',
    sessionOp: null,
    callOp: null,
    dialog: CLOSED_DIALOG,
    scheduled: null,
    notice: null,
    error: null,
    ...announce(state, 'Your sign-in link has expired'),
  };
}

function announce(state: ConsoleState, text: string): Pick<ConsoleState, 'announcement'> {
  return { announcement: { text, n: state.announcement.n + 1 } };
}

function withAnnouncement(state: ConsoleState, text: string): ConsoleState {
  return { ...state, ...announce(state, text) };
}

function placeholderCall(now: number): CurrentCall {
  return {
    attemptId: null,
    status: 'dialing',
    rowId: null,
    name: null,
    phone: null,
    numberIndex: null,
    dialpadCallId: null,
    lead: null,
    dialedAtMs: now,
    connectedAtMs: null,
    endedAtMs: null,
    talkTimeMs: null,
    connected: false,
    callbackId: null,
  };
}

function finish(state: ConsoleState, attemptId: string): Pick<ConsoleState, 'finished' | 'early'> {
  const finished = state.finished.includes(attemptId) ? state.finished : [...state.finished, attemptId].slice(-MAX_FINISHED);
  const early = { ...state.early };
  delete early[attemptId];
  return { finished, early };
}

/** The phase with no call: what the session's ready state says. */
function restingPhase(state: ConsoleState): Phase {
  if (state.readyState === null) return 'idle';
  if (state.readyState === 'STOPPED') return 'stopped';
  if (state.readyState === 'PAUSE') return 'paused';
  return 'ready';
}

function phaseOfCall(call: CurrentCall): Phase {
  return call.status === 'ended' ? 'wrap-up' : call.status;
}

/** A time from the server, on the local clock: never in the future. */
function serverTimeMs(iso: string | null | undefined, now: number): number | null {
  if (!iso) return null;
  const t = Date.parse(iso);
  return Number.isFinite(t) ? Math.min(t, now) : null;
}

function classify(result: DialResult | null | undefined): 'placed' | 'scheduled' | 'nothing' {
  if (result && typeof result.attempt_id === 'string' && result.attempt_id !== '') return 'placed';
  if (result && 'scheduled_at' in result && typeof result.scheduled_at === 'string') return 'scheduled';
  return 'nothing';
}

// ---------------------------------------------------------------- calls

function callFromPlaced(result: PlacedDial, now: number): CurrentCall {
  return {
    attemptId: result.attempt_id,
    status: 'dialing',
    rowId: result.row_id || result.lead?.row_id || null,
    name: result.name || result.lead?.name || null,
    phone: result.phone ?? null,
    numberIndex: typeof result.number_index === 'number' ? result.number_index : null,
    dialpadCallId: result.dialpad_call_id ?? null,
    lead: normalizeLead(result.lead),
    dialedAtMs: now,
    connectedAtMs: null,
    endedAtMs: null,
    talkTimeMs: null,
    connected: false,
    callbackId: result.callback_id ?? null,
  };
}

function callFromAttempt(a: AttemptView, now: number): CurrentCall {
  const status: CallStatus = a.status === 'ringing' || a.status === 'connected' || a.status === 'ended' ? a.status : 'dialing';
  const connectedAtMs = serverTimeMs(a.connected_at, now);
  const endedAtMs = serverTimeMs(a.ended_at, now);
  return {
    attemptId: a.attempt_id,
    status,
    rowId: a.row_id || a.lead?.row_id || null,
    name: a.lead?.name || a.name || null,
    phone: a.phone || null,
    numberIndex: typeof a.number_index === 'number' && a.number_index > 0 ? a.number_index : null,
    dialpadCallId: a.dialpad_call_id ?? null,
    lead: normalizeLead(a.lead),
    dialedAtMs: serverTimeMs(a.dialed_at, now) ?? now,
    connectedAtMs: connectedAtMs ?? (status === 'connected' ? now : null),
    endedAtMs: endedAtMs ?? (status === 'ended' ? now : null),
    talkTimeMs: connectedAtMs !== null && endedAtMs !== null ? Math.max(0, endedAtMs - connectedAtMs) : null,
    connected: connectedAtMs !== null || status === 'connected',
    callbackId: null,
  };
}

function announcementFor(call: CurrentCall): string {
  switch (call.status) {
    case 'dialing':
      return call.name ? `Dialing ${call.name}` : 'Dialing';
    case 'ringing':
      return 'Ringing';
    case 'connected':
      return 'Connected';
    case 'ended':
      return 'Call ended';
  }
}

/** Moves the call forward (never back) with what an event says. */
function advance(call: CurrentCall, e: Partial<EarlyEvent> & { status: CallStatus }, now: number): CurrentCall {
  const status = RANK[e.status] > RANK[call.status] ? e.status : call.status;
  const next: CurrentCall = { ...call, status };
  if (status === 'connected' || e.status === 'connected' || e.connected === true || e.connectedAtMs) {
    next.connected = true;
    next.connectedAtMs = call.connectedAtMs ?? e.connectedAtMs ?? (e.status === 'connected' ? now : null);
  }
  if (status === 'ended') {
    next.endedAtMs = call.endedAtMs ?? e.endedAtMs ?? now;
    if (typeof e.talkTimeMs === 'number') next.talkTimeMs = e.talkTimeMs;
    else if (next.talkTimeMs === null && next.connectedAtMs !== null) next.talkTimeMs = Math.max(0, next.endedAtMs - next.connectedAtMs);
    if (e.connected === false && next.connectedAtMs === null) next.connected = false;
  }
  if (!next.phone && e.phone) next.phone = e.phone;
  if (!next.rowId && e.rowId) next.rowId = e.rowId;
  if (next.numberIndex === null && typeof e.numberIndex === 'number') next.numberIndex = e.numberIndex;
  if (!next.dialpadCallId && e.dialpadCallId) next.dialpadCallId = e.dialpadCallId;
  return next;
}

/**
 * Makes `call` the current call, applying any socket events that arrived for it
 * before we knew its attempt id, and enters its phase (wrap-up opens the dialog,
 * unless a skip or disposition of it is already in flight).
 */
function enterCall(state: ConsoleState, call: CurrentCall, now: number, quiet = false): ConsoleState {
  let current = call;
  const early = call.attemptId ? state.early[call.attemptId] : undefined;
  const rest = { ...state.early };
  if (call.attemptId) delete rest[call.attemptId];
  if (early) current = advance(current, early, now);
  const phase = phaseOfCall(current);
  const inFlight = state.callOp && state.callOp.attemptId === current.attemptId && (state.callOp.kind === 'skip' || state.callOp.kind === 'disposition');
  const dialog = phase === 'wrap-up' ? { ...CLOSED_DIALOG, open: !inFlight } : CLOSED_DIALOG;
  const next: ConsoleState = { ...state, call: current, phase, early: rest, dialog, scheduled: null, nothingReason: null, error: null };
  if (quiet) return next;
  const parts = [announcementFor(call)];
  if (current.status !== call.status) parts.push(announcementFor(current));
  return withAnnouncement(next, parts.join('. '));
}

/** The current call moved on (socket message or restore): update it and its phase. */
function updateCall(state: ConsoleState, e: Partial<EarlyEvent> & { status: CallStatus }, now: number): ConsoleState {
  const call = state.call;
  if (!call) return state;
  const next = advance(call, e, now);
  const changed = next.status !== call.status;
  if (!changed) {
    // a duplicate (SHOW_DISPO twice, CALL_STATE after SHOW_DISPO): details only, the dialog is left as it is
    return { ...state, call: next };
  }
  const phase = phaseOfCall(next);
  let dialog = state.dialog;
  if (phase === 'wrap-up') {
    const inFlight = state.callOp && state.callOp.attemptId === next.attemptId && (state.callOp.kind === 'skip' || state.callOp.kind === 'disposition');
    dialog = { ...CLOSED_DIALOG, open: !inFlight };
  }
  return withAnnouncement({ ...state, call: next, phase, dialog, epoch: state.epoch + 1 }, announcementFor(next));
}

function applyDialResult(state: ConsoleState, result: DialResult | null, now: number, prefix?: string): ConsoleState {
  const say = (text: string) => (prefix ? `${prefix}. ${text}` : text);
  switch (classify(result)) {
    case 'placed': {
      const placed = result as PlacedDial;
      if (state.finished.includes(placed.attempt_id)) return state;
      if (state.call?.attemptId === placed.attempt_id) {
        // already known (DIAL_RESULT on the socket beat the HTTP answer): keep its progress, fill in the lead
        const lead = state.call.lead ?? normalizeLead(placed.lead);
        return { ...state, call: { ...state.call, lead, name: state.call.name ?? placed.name ?? lead?.name ?? null } };
      }
      const entered = enterCall(withoutCallback(state, placed.callback_id), callFromPlaced(placed, now), now, true);
      const parts = [announcementFor(callFromPlaced(placed, now))];
      if (entered.call && entered.call.status !== 'dialing') parts.push(announcementFor(entered.call));
      return withAnnouncement(entered, say(parts.join('. ')));
    }
    case 'scheduled': {
      const at = Date.parse((result as { scheduled_at: string }).scheduled_at);
      const atMs = Number.isFinite(at) ? at : now;
      const seconds = Math.max(0, Math.ceil((atMs - now) / 1000));
      return withAnnouncement(
        { ...state, call: null, phase: 'scheduled', scheduled: { atMs, by: 'server', attemptId: null }, nothingReason: null, error: null, dialog: CLOSED_DIALOG },
        say(`Next dial in ${seconds} seconds`),
      );
    }
    case 'nothing': {
      const reason = (result as { reason?: unknown } | null)?.reason;
      const text = typeof reason === 'string' && reason !== '' ? reason : 'No lead can be dialed now';
      return withAnnouncement(
        { ...state, call: null, phase: 'nothing', nothingReason: text, scheduled: null, error: null, dialog: CLOSED_DIALOG },
        say('Nothing to dial'),
      );
    }
  }
}

function dialFailed(state: ConsoleState, error: ApiErrorLike, now: number): ConsoleState {
  if (error.status === 404) {
    // the session is gone (stopped elsewhere, or expired after 8 h idle)
    return withAnnouncement({ ...state, call: null, readyState: null, sessionId: null, phase: 'idle', notice: 'Your session has ended: press Play to start a new one' }, 'Session ended');
  }
  if (error.status === 409) {
    // paused, or an attempt waits for its disposition (elsewhere): the store re-reads the session
    return { ...state, call: null, phase: restingPhase(state), notice: error.message };
  }
  if (error.status === 429 && typeof error.retryAfterMs === 'number') {
    const atMs = now + Math.max(1000, error.retryAfterMs);
    return withAnnouncement(
      { ...state, call: null, phase: 'scheduled', scheduled: { atMs, by: 'client', attemptId: null }, error: null },
      `Next dial in ${Math.ceil((atMs - now) / 1000)} seconds`,
    );
  }
  return withAnnouncement({ ...state, call: null, phase: 'error', error: `The dial failed: ${error.message}` }, 'The dial failed');
}

// ---------------------------------------------------------------- session

function adoptSession(state: ConsoleState, view: SessionView, now: number): ConsoleState {
  const sameSession = state.sessionId === view.id;
  let next: ConsoleState = {
    ...state,
    readyState: view.state,
    sessionId: view.id,
    campaign: view.campaign_name ?? state.campaign,
    agentEmail: view.agent_email ?? state.agentEmail,
    stats: normalizeStats(view.stats) ?? (sameSession ? state.stats : EMPTY_STATS),
    error: null,
    ...pauseFields(state, view, now, sameSession),
  };
  if (view.state === 'STOPPED') return { ...next, phase: 'stopped', call: null, dialog: CLOSED_DIALOG, scheduled: null };
  // an older backend names the open attempt without describing it: follow it as "dialing" (Skip stays possible; SHOW_DISPO moves it on)
  const attempt: AttemptView | null =
    view.current_attempt ??
    (view.current_attempt === undefined && view.current_attempt_id ? { attempt_id: view.current_attempt_id, status: 'dialing', row_id: '', number_index: 0, phone: '' } : null);
  const open = attempt && attempt.status !== 'dispositioned' && attempt.status !== 'failed' && !next.finished.includes(attempt.attempt_id) ? attempt : null;
  const call = next.call;
  if (open) {
    if (call && call.attemptId === open.attempt_id) {
      const merged = callFromAttempt(open, now);
      next = updateCall(next, { status: merged.status, connectedAtMs: merged.connectedAtMs, endedAtMs: merged.endedAtMs, phone: merged.phone }, now);
      const lead = normalizeLead(open.lead);
      return next.call && !next.call.lead && lead ? { ...next, call: { ...next.call, lead, name: next.call.name ?? (lead.name || null) } } : next;
    }
    return enterCall(next, callFromAttempt(open, now), now);
  }
  if (call && call.attemptId !== null) {
    // the server has no open attempt: this one got its disposition elsewhere (or failed)
    next = { ...next, ...finish(next, call.attemptId), call: null, dialog: CLOSED_DIALOG };
  }
  if (next.call === null) {
    // a server-scheduled dial long past its time with nothing placed: the promised DIAL_RESULT is lost, offer Dial next
    const overdue = next.phase === 'scheduled' && next.scheduled?.by === 'server' && now > next.scheduled.atMs + 5000;
    // a dial's error stays until the agent acts; one from before a session was known (a failed load, a failed start) goes
    const keepError = next.phase === 'error' && state.readyState !== null;
    const keep = view.state === 'PLAY' && !overdue && (next.phase === 'scheduled' || next.phase === 'nothing' || keepError);
    if (!keep) next = { ...next, phase: restingPhase(next), scheduled: null };
  }
  return next;
}

function restored(state: ConsoleState, view: SessionView | null, epoch: number, now: number): ConsoleState {
  const stale = epoch !== state.epoch && state.phase !== 'loading';
  if (stale) return state;
  if (state.sessionOp === 'start' || state.sessionOp === 'stop') return state;
  if (state.callOp !== null) {
    // a request in flight will tell: take the counters only
    return view ? { ...state, stats: normalizeStats(view.stats) ?? state.stats, readyState: view.state === 'STOPPED' ? state.readyState : view.state } : state;
  }
  if (!view) {
    if (state.phase === 'stopped') return state;
    const hadCall = state.call?.attemptId ?? null;
    return {
      ...state,
      ...(hadCall ? finish(state, hadCall) : {}),
      phase: 'idle',
      readyState: null,
      sessionId: null,
      call: null,
      dialog: CLOSED_DIALOG,
      scheduled: null,
      nothingReason: null,
      error: null,
    };
  }
  return adoptSession(state, view, now);
}

function sessionUpdated(state: ConsoleState, view: SessionView, now: number): ConsoleState {
  let next: ConsoleState = {
    ...state,
    readyState: view.state,
    sessionId: view.id ?? state.sessionId,
    stats: normalizeStats(view.stats) ?? state.stats,
    campaign: view.campaign_name ?? state.campaign,
    ...pauseFields(state, view, now, true),
  };
  if (view.state === 'STOPPED') {
    return withAnnouncement({ ...next, phase: 'stopped', call: null, dialog: CLOSED_DIALOG, scheduled: null, nothingReason: null, error: null }, 'Session stopped');
  }
  if (view.state === 'PAUSE') {
    if (!next.call) next = { ...next, phase: 'paused', scheduled: null, nothingReason: null, error: null };
    const paused = next.pausedFor && next.pausedFor.reason !== 'Unspecified' ? `Paused for ${next.pausedFor.reason}` : 'Paused';
    return withAnnouncement(next, next.call ? `${paused}: no next dial after this call` : paused);
  }
  // PLAY: with no call, the store dials next
  if (!next.call && (next.phase === 'paused' || next.phase === 'idle' || next.phase === 'stopped')) next = { ...next, phase: 'ready' };
  return withAnnouncement(next, 'Playing');
}

function sessionFailed(state: ConsoleState, op: SessionOp, error: ApiErrorLike): ConsoleState {
  if (error.status === 404 && op !== 'start') {
    return { ...state, phase: state.call ? state.phase : 'idle', readyState: null, sessionId: null, notice: 'Your session has ended: press Play to start a new one' };
  }
  if (op === 'stop' && error.status === 409) return { ...state, notice: 'Stop is possible once the current call has its disposition' };
  if (op === 'start' && state.phase !== 'loading') {
    return withAnnouncement({ ...state, phase: 'error', error: `Could not start the session: ${error.message}` }, 'Could not start the session');
  }
  return { ...state, notice: `${op === 'pause' ? 'Pause' : op === 'resume' ? 'Play' : op === 'stop' ? 'Stop' : 'Start'} failed: ${error.message}` };
}

// ---------------------------------------------------------------- dispositions

function dispositionAnswered(state: ConsoleState, answer: DispositionAnswer, now: number): ConsoleState {
  const wasCurrent = state.call?.attemptId === answer.attempt_id;
  let next: ConsoleState = { ...state, ...finish(state, answer.attempt_id), callOp: null, epoch: state.epoch + 1 };
  if (!wasCurrent && state.call !== null) return next; // an old answer: the console has moved on
  next = { ...next, call: null, dialog: CLOSED_DIALOG };
  let saved = `Disposition saved: ${dispositionLabel(answer.code)}`;
  if (answer.callback) {
    const cb = answer.callback;
    next = { ...next, callbacks: [...(next.callbacks ?? []).filter((c) => c.id !== cb.id), cb].sort((a, b) => Date.parse(a.due_at) - Date.parse(b.due_at)) };
    saved += `. Callback ${leadTimeText(leadZone({ time_zone: cb.time_zone, local_time: cb.due_local }), Date.parse(cb.due_at), now)}`;
  }
  if (answer.next) return applyDialResult(next, answer.next, now, saved);
  const err = answer.next_error;
  if (err && typeof err.retry_after_ms === 'number') {
    const atMs = now + Math.max(1000, err.retry_after_ms);
    return withAnnouncement({ ...next, phase: 'scheduled', scheduled: { atMs, by: 'client', attemptId: null } }, `${saved}. Next dial in ${Math.ceil((atMs - now) / 1000)} seconds`);
  }
  if (err) return withAnnouncement({ ...next, phase: 'error', error: `The next dial failed: ${err.message}` }, `${saved}. The next dial failed`);
  return withAnnouncement({ ...next, phase: restingPhase(next) }, saved);
}

function dispositionFailed(state: ConsoleState, kind: 'disposition' | 'skip', attemptId: string, error: ApiErrorLike): ConsoleState {
  const current = state.call?.attemptId === attemptId ? state.call : null;
  if (error.status === 409 && (error.code === 'ATTEMPT_DISPOSITIONED' || error.code === 'ATTEMPT_NOT_PLACED' || /already has a disposition|never placed/i.test(error.message))) {
    // recorded by an earlier try whose answer was lost, or elsewhere: move on (the store re-reads the session)
    const next: ConsoleState = { ...state, ...finish(state, attemptId) };
    return current ? { ...next, call: null, dialog: CLOSED_DIALOG, phase: restingPhase(next), notice: 'That call already had a disposition' } : next;
  }
  if (error.status === 404) {
    const next: ConsoleState = { ...state, ...finish(state, attemptId) };
    return current ? { ...next, call: null, dialog: CLOSED_DIALOG, phase: restingPhase(next), notice: error.message } : next;
  }
  if (kind === 'skip') {
    const ended = current?.status === 'ended';
    return { ...state, notice: `Skip failed: ${error.message}`, dialog: ended ? { ...state.dialog, open: true } : state.dialog };
  }
  return { ...state, dialog: { ...state.dialog, open: state.phase === 'wrap-up', error: `Not saved: ${error.message}` } };
}

// ---------------------------------------------------------------- socket

function onMessage(state: ConsoleState, message: AgentMessage, now: number): ConsoleState {
  switch (message.event) {
    case 'STATS':
      return onStats(state, message);
    case 'CALL_STATE':
      return onCallEvent(state, message.attempt_id, false, {
        status: message.status,
        connectedAtMs: message.status === 'connected' ? now : serverTimeMs(message.connected_at, now),
        endedAtMs: message.status === 'ended' ? now : null,
      }, now);
    case 'SHOW_DISPO':
      return onCallEvent(state, message.attempt_id, true, {
        status: 'ended',
        endedAtMs: now,
        talkTimeMs: typeof message.talk_time_ms === 'number' ? message.talk_time_ms : null,
        connected: typeof message.connected === 'boolean' ? message.connected : null,
        phone: message.phone ?? null,
        rowId: message.row_id ?? null,
        numberIndex: typeof message.number_index === 'number' ? message.number_index : null,
        dialpadCallId: message.dialpad_call_id ?? null,
      }, now);
    case 'DIAL_SCHEDULED': {
      if (state.call && state.call.attemptId !== null) return state;
      const at = Date.parse(message.scheduled_at);
      const atMs = Number.isFinite(at) ? at : now;
      return withAnnouncement(
        { ...state, phase: 'scheduled', call: null, scheduled: { atMs, by: 'server', attemptId: message.attempt_id ?? null }, nothingReason: null, error: null, epoch: state.epoch + 1 },
        `Next dial in ${Math.max(0, Math.ceil((atMs - now) / 1000))} seconds`,
      );
    }
    case 'DIAL_RESULT': {
      const result = message.result;
      if (classify(result) === 'placed') {
        const id = (result as PlacedDial).attempt_id;
        if (state.call?.attemptId === id || state.finished.includes(id)) return state; // known already
        if (state.call && state.call.attemptId !== null) return state; // busy with another call: a restore will sort it out
      } else if (state.phase !== 'scheduled') {
        return state; // a late answer to something already settled
      }
      return applyDialResult({ ...state, callOp: state.callOp?.kind === 'dial' ? null : state.callOp, epoch: state.epoch + 1 }, result, now);
    }
  }
}

function onStats(state: ConsoleState, message: Extract<AgentMessage, { event: 'STATS' }>): ConsoleState {
  if (message.session_id && state.sessionId && message.session_id !== state.sessionId) return state;
  let next: ConsoleState = { ...state, stats: message.stats ?? state.stats };
  const ready = message.state;
  if (!ready || state.sessionOp !== null || state.readyState === null) return next;
  next = { ...next, readyState: ready, pausedFor: ready === 'PAUSE' ? next.pausedFor : null };
  if (!next.call && next.callOp === null) {
    if (ready === 'STOPPED') next = { ...next, phase: 'stopped' };
    else if (ready === 'PAUSE' && (next.phase === 'ready' || next.phase === 'nothing' || next.phase === 'error')) next = { ...next, phase: 'paused' };
    else if (ready === 'PLAY' && next.phase === 'paused') next = { ...next, phase: 'ready' };
  }
  return next;
}

function onCallEvent(state: ConsoleState, attemptId: string, showDispo: boolean, e: Partial<EarlyEvent> & { status: CallStatus }, now: number): ConsoleState {
  if (!attemptId) return state;
  if (state.finished.includes(attemptId)) return state; // late news of a call already dispositioned
  if (state.call?.attemptId === attemptId) return updateCall(state, e, now);
  const waitingForAnswer = state.callOp !== null && (state.callOp.kind === 'dial' || state.callOp.kind === 'disposition' || state.callOp.kind === 'skip');
  if (showDispo && !state.call && !waitingForAnswer && state.phase !== 'loading' && e.rowId) {
    // SHOW_DISPO of a call this console did not see placed (another tab, a lost answer): ask for its disposition
    const call: CurrentCall = {
      ...placeholderCall(now),
      attemptId,
      rowId: e.rowId ?? null,
      phone: e.phone ?? null,
      numberIndex: e.numberIndex ?? null,
      dialpadCallId: e.dialpadCallId ?? null,
    };
    return enterCall({ ...state, epoch: state.epoch + 1 }, advance(call, e, now), now);
  }
  // not known yet (it can beat the dial's HTTP answer): keep it for when it is
  const prev = state.early[attemptId];
  const merged: EarlyEvent = {
    status: prev && RANK[prev.status] > RANK[e.status] ? prev.status : e.status,
    atMs: now,
    connectedAtMs: prev?.connectedAtMs ?? e.connectedAtMs ?? null,
    endedAtMs: prev?.endedAtMs ?? e.endedAtMs ?? null,
    talkTimeMs: e.talkTimeMs ?? prev?.talkTimeMs ?? null,
    connected: e.connected ?? prev?.connected ?? null,
    phone: e.phone ?? prev?.phone ?? null,
    rowId: e.rowId ?? prev?.rowId ?? null,
    numberIndex: e.numberIndex ?? prev?.numberIndex ?? null,
    dialpadCallId: e.dialpadCallId ?? prev?.dialpadCallId ?? null,
  };
  const entries = Object.entries({ ...state.early, [attemptId]: merged })
    .sort((a, b) => a[1].atMs - b[1].atMs)
    .slice(-MAX_EARLY);
  return { ...state, early: Object.fromEntries(entries) };
}

// ---------------------------------------------------------------- pauses and callbacks

/** The pause in progress, the time paused by reason and the app's reasons, from a session answer (what it leaves out is kept). */
function pauseFields(state: ConsoleState, view: SessionView, now: number, sameSession: boolean): Pick<ConsoleState, 'pausedFor' | 'pauseTime' | 'pauseReasons'> {
  const reasons = Array.isArray(view.pause_reasons) ? view.pause_reasons.filter((r): r is string => typeof r === 'string' && r !== '') : [];
  let pause: PauseNow | null = null;
  if (view.state === 'PAUSE') {
    const given = view.pause;
    if (given && typeof given.reason === 'string') pause = { reason: given.reason, sinceMs: serverTimeMs(given.since, now) ?? now };
    else if (given === undefined && sameSession) pause = state.pausedFor;
  }
  const byReason: Record<string, number> = {};
  const raw = view.pause_time_ms;
  if (raw && typeof raw === 'object') for (const [k, ms] of Object.entries(raw)) if (typeof ms === 'number' && Number.isFinite(ms)) byReason[k] = ms;
  const pauseTime = raw && typeof raw === 'object' ? { byReason, atMs: now } : sameSession ? state.pauseTime : { byReason: {}, atMs: now };
  return { pausedFor: pause, pauseTime, pauseReasons: reasons.length > 0 ? reasons : state.pauseReasons };
}

/** The list without the callback a dial honours (it is no longer pending). */
function withoutCallback(state: ConsoleState, callbackId: string | null | undefined): ConsoleState {
  if (!callbackId || !state.callbacks?.some((c) => c.id === callbackId)) return state;
  return { ...state, callbacks: state.callbacks.filter((c) => c.id !== callbackId) };
}

/** Time paused by reason now: the last answer's, with the open pause run on since (for the stats panel). */
export function pauseTimeNow(state: Pick<ConsoleState, 'pausedFor' | 'pauseTime'>, nowMs: number): Record<string, number> {
  const byReason = { ...state.pauseTime.byReason };
  const open = state.pausedFor;
  if (open) {
    const counted = byReason[open.reason];
    // an answer from before this pause began counts none of it
    byReason[open.reason] = counted !== undefined && state.pauseTime.atMs >= open.sinceMs ? counted + Math.max(0, nowMs - state.pauseTime.atMs) : (counted ?? 0) + Math.max(0, nowMs - open.sinceMs);
  }
  return byReason;
}
