import { createStore, type StoreApi } from 'zustand/vanilla';
import type { DialerApi } from '../api';
import type { DispositionBody } from '../api';
import { leadZone, resolveCallback } from './callback-time';
import { parseAgentMessage } from './messages';
import { type ApiErrorLike, type CallbackDraft, type ConsoleEvent, type ConsoleState, initialState, transition } from './machine';
import { canDialNext, canHangUp, canSkip, canStop, toggleAction } from './selectors';
import type { DispositionCode } from './types';

/** The callback picker's first choice when it opens. */
const DEFAULT_CALLBACK: CallbackDraft = { choice: { kind: 'quick', id: 'tomorrow-9' }, onlyMe: false };

export interface ConsoleActions {
  dispatch(event: ConsoleEvent): void;
  /** GET /session/current (on load and after every socket (re)connect); calls made meanwhile are folded into one more */
  restore(): void;
  /** Play, or (playing) the pause reason menu — a plain pause when the app lists no reasons */
  togglePlay(): void;
  play(): void;
  /** pause with one of the app's reasons */
  pause(reason?: string): void;
  openPauseMenu(): void;
  closePauseMenu(): void;
  stop(): void;
  dialNext(): void;
  hangUp(): void;
  skip(): void;
  openDialog(): void;
  closeDialog(): void;
  select(code: DispositionCode): void;
  setNotes(notes: string): void;
  /** the callback to schedule with the disposition (null: none) */
  setCallback(callback: CallbackDraft | null): void;
  /** C in the dialog: add a callback (tomorrow 9 AM lead time to start with) or drop it */
  toggleCallback(): void;
  /** M in the dialog: the callback is this agent's only ("me"), or the campaign's */
  toggleOnlyMe(): void;
  /** Enter: sends the disposition (7 asks once more first; a callback is checked first) */
  confirm(): void;
  /** GET /api/callbacks */
  loadCallbacks(): void;
  /** moves a callback to a new time on the lead's clock, then re-reads the list; rejects with the server's message */
  moveCallback(id: string, dueLocal: string): Promise<void>;
  /** cancels a pending callback, then re-reads the list; rejects with the server's message */
  cancelCallback(id: string): Promise<void>;
  /** a socket message (raw JSON) */
  receive(raw: unknown): void;
  expire(): void;
  dismissNotice(): void;
  /** stops the store's timers */
  dispose(): void;
}

export type ConsoleStore = ConsoleState & ConsoleActions;

export interface ConsoleDeps {
  api: DialerApi;
  now?: () => number;
  newKey?: () => string;
  timers?: { setTimeout: (fn: () => void, ms: number) => unknown; clearTimeout: (id: unknown) => void };
  /** how long after a server-scheduled dial's time the console re-reads the session when no DIAL_RESULT came */
  scheduledGraceMs?: number;
}

function asError(err: unknown): ApiErrorLike {
  if (err && typeof err === 'object' && 'status' in err && typeof (err as { status: unknown }).status === 'number') {
    const e = err as { status: number; message?: unknown; code?: unknown; retryAfterMs?: unknown };
    return {
      status: e.status,
      message: typeof e.message === 'string' ? e.message : 'Request failed',
      code: typeof e.code === 'string' ? e.code : undefined,
      retryAfterMs: typeof e.retryAfterMs === 'number' ? e.retryAfterMs : undefined,
    };
  }
  return { status: 0, message: err instanceof Error ? err.message : 'Request failed' };
}

/**
 * The console's one store: the machine's state plus the commands that send
 * requests. Every command calls fetch synchronously — the request leaves before
 * any state change or render — and then records it as "requested".
 */
export function createConsoleStore(deps: ConsoleDeps): StoreApi<ConsoleStore> {
  const { api } = deps;
  const now = deps.now ?? Date.now;
  const newKey = deps.newKey ?? (() => crypto.randomUUID());
  const timers = deps.timers ?? {
    setTimeout: (fn: () => void, ms: number) => globalThis.setTimeout(fn, ms),
    clearTimeout: (id: unknown) => globalThis.clearTimeout(id as ReturnType<typeof setTimeout>),
  };
  const grace = deps.scheduledGraceMs ?? 15_000;

  let restoring = false;
  let restoreAgain = false;
  let scheduleTimer: unknown = null;
  let resyncTimer: unknown = null;
  let disposed = false;
  /** the same disposition sent again (after a lost answer) reuses its key: the backend replays instead of refusing */
  let lastDisposition: { sig: string; key: string } | null = null;

  const store = createStore<ConsoleStore>()((set, get) => {
    const dispatch = (event: ConsoleEvent) => {
      const before = get();
      const after = transition(before, event);
      if (after !== before) set(after as Partial<ConsoleStore>);
    };
    const fail = (err: unknown): ApiErrorLike => asError(err);

    const resyncSoon = () => {
      if (resyncTimer !== null || disposed) return;
      resyncTimer = timers.setTimeout(() => {
        resyncTimer = null;
        get().restore();
      }, 400);
    };

    /** After Play: resume if the (recovered) session is paused, then dial when nothing is open. */
    const continuePlay = () => {
      const s = get();
      if (s.phase === 'expired') return;
      if (s.readyState === 'PAUSE' && s.sessionOp === null) {
        get().play();
        return;
      }
      if (s.phase === 'ready' && canDialNext(s)) get().dialNext();
    };

    return {
      ...initialState(),
      dispatch,

      restore() {
        if (disposed || get().phase === 'expired') return;
        if (restoring) {
          restoreAgain = true;
          return;
        }
        restoring = true;
        restoreAgain = false;
        const epoch = get().epoch;
        api.current().then(
          (view) => {
            dispatch({ type: 'RESTORED', view, epoch, now: now() });
            if (view) get().loadCallbacks();
          },
          (err: unknown) => dispatch({ type: 'RESTORE_FAILED', error: fail(err) }),
        ).finally(() => {
          restoring = false;
          if (restoreAgain) get().restore();
        });
      },

      togglePlay() {
        const s = get();
        const action = toggleAction(s);
        if (action === 'play') s.play();
        else if (action === 'pause') {
          if (s.pauseReasons.length === 0) s.pause();
          else if (s.pauseMenu) s.closePauseMenu();
          else s.openPauseMenu();
        }
      },

      openPauseMenu: () => dispatch({ type: 'PAUSE_MENU', open: true }),
      closePauseMenu: () => dispatch({ type: 'PAUSE_MENU', open: false }),

      play() {
        const s = get();
        if (s.phase === 'expired' || s.phase === 'loading' || s.sessionOp !== null || s.readyState === 'PLAY') return;
        if (s.readyState === null || s.readyState === 'STOPPED') {
          const request = api.start(newKey());
          dispatch({ type: 'SESSION_REQUESTED', op: 'start' });
          request.then(
            (answer) => {
              dispatch({ type: 'STARTED', view: answer.session, now: now() });
              continuePlay();
              get().loadCallbacks();
            },
            (err: unknown) => dispatch({ type: 'SESSION_FAILED', op: 'start', error: fail(err) }),
          );
          return;
        }
        const request = api.resume(newKey());
        dispatch({ type: 'SESSION_REQUESTED', op: 'resume' });
        request.then(
          (view) => {
            dispatch({ type: 'SESSION_UPDATED', view, now: now() });
            continuePlay();
          },
          (err: unknown) => dispatch({ type: 'SESSION_FAILED', op: 'resume', error: fail(err) }),
        );
      },

      pause(reason) {
        const s = get();
        if (s.readyState !== 'PLAY' || s.sessionOp !== null || s.phase === 'expired') return;
        const request = api.pause(newKey(), reason);
        dispatch({ type: 'SESSION_REQUESTED', op: 'pause' });
        request.then(
          (view) => dispatch({ type: 'SESSION_UPDATED', view, now: now() }),
          (err: unknown) => dispatch({ type: 'SESSION_FAILED', op: 'pause', error: fail(err) }),
        );
      },

      stop() {
        if (!canStop(get())) return;
        const request = api.stop(newKey());
        dispatch({ type: 'SESSION_REQUESTED', op: 'stop' });
        request.then(
          (view) => dispatch({ type: 'SESSION_UPDATED', view, now: now() }),
          (err: unknown) => {
            const error = fail(err);
            dispatch({ type: 'SESSION_FAILED', op: 'stop', error });
            if (error.status === 409) resyncSoon();
          },
        );
      },

      dialNext() {
        if (!canDialNext(get())) return;
        const request = api.dial(newKey());
        dispatch({ type: 'DIAL_REQUESTED', now: now() });
        request.then(
          (result) => {
            dispatch({ type: 'DIAL_ANSWERED', result, now: now() });
            if ('callback_id' in result && result.callback_id) get().loadCallbacks();
          },
          (err: unknown) => {
            const error = fail(err);
            dispatch({ type: 'DIAL_FAILED', error, now: now() });
            if (error.status === 409) resyncSoon();
          },
        );
      },

      hangUp() {
        const s = get();
        if (!canHangUp(s) || !s.call?.attemptId) return;
        const attemptId = s.call.attemptId;
        const request = api.hangup(attemptId, newKey());
        dispatch({ type: 'HANGUP_REQUESTED', attemptId });
        request.then(
          () => dispatch({ type: 'HANGUP_ANSWERED', attemptId }),
          (err: unknown) => {
            const error = fail(err);
            dispatch({ type: 'HANGUP_FAILED', error });
            if (error.status === 409 || error.status === 404) resyncSoon();
          },
        );
      },

      skip() {
        const s = get();
        if (!canSkip(s) || !s.call?.attemptId) return;
        const attemptId = s.call.attemptId;
        const request = api.skip(attemptId, newKey());
        dispatch({ type: 'SKIP_REQUESTED', attemptId });
        request.then(
          (answer) => dispatch({ type: 'DISPOSITION_ANSWERED', answer, now: now() }),
          (err: unknown) => {
            const error = fail(err);
            dispatch({ type: 'DISPOSITION_FAILED', kind: 'skip', attemptId, error });
            if (error.status === 409 || error.status === 404) resyncSoon();
          },
        );
      },

      openDialog: () => dispatch({ type: 'DIALOG_OPEN' }),
      closeDialog: () => dispatch({ type: 'DIALOG_CLOSE' }),
      select: (code) => dispatch({ type: 'DIALOG_SELECT', code }),
      setNotes: (notes) => dispatch({ type: 'DIALOG_NOTES', notes }),
      setCallback: (callback) => dispatch({ type: 'DIALOG_CALLBACK', callback }),
      toggleCallback() {
        const { dialog } = get();
        if (dialog.code === 'DNC') return; // a number that may never be called again gets no callback
        dispatch({ type: 'DIALOG_CALLBACK', callback: dialog.callback ? null : DEFAULT_CALLBACK });
      },
      toggleOnlyMe() {
        const cb = get().dialog.callback;
        if (cb && get().dialog.code !== 'DNC') dispatch({ type: 'DIALOG_CALLBACK', callback: { ...cb, onlyMe: !cb.onlyMe } });
      },

      loadCallbacks() {
        if (disposed || get().phase === 'expired') return;
        api.callbacks().then(
          (items) => dispatch({ type: 'CALLBACKS_LOADED', items }),
          () => undefined, // the list stays as it was (a 401 expires the console through the API)
        );
      },
      async moveCallback(id, dueLocal) {
        await api.moveCallback(id, dueLocal);
        get().loadCallbacks();
      },
      async cancelCallback(id) {
        await api.cancelCallback(id);
        get().loadCallbacks();
      },
      dismissNotice: () => dispatch({ type: 'DISMISS_NOTICE' }),

      confirm() {
        const s = get();
        const attemptId = s.call?.attemptId;
        if (s.phase !== 'wrap-up' || !attemptId || s.callOp !== null) return;
        const code = s.dialog.code;
        if (!code) {
          dispatch({ type: 'DIALOG_INVALID', message: 'Pick an outcome first: press 1–7' });
          return;
        }
        if (code === 'DNC' && !s.dialog.dncConfirm) {
          // irreversible: the number joins the app's do-not-call list; Enter once more sends it, Esc goes back
          dispatch({ type: 'DIALOG_DNC_CONFIRM' });
          return;
        }
        const notes = s.dialog.notes.trim();
        const body: DispositionBody = notes ? { attempt_id: attemptId, code, notes } : { attempt_id: attemptId, code };
        if (s.dialog.callback && code !== 'DNC') {
          const when = resolveCallback(leadZone(s.call?.lead), s.dialog.callback.choice, now());
          if (!when.ok) {
            dispatch({ type: 'DIALOG_INVALID', message: when.error });
            return;
          }
          body.callback_at = when.iso;
          if (s.dialog.callback.onlyMe) body.callback_only_me = true;
        }
        const sig = JSON.stringify(body);
        const key = lastDisposition?.sig === sig ? lastDisposition.key : newKey();
        lastDisposition = { sig, key };
        const request = api.disposition(body, key);
        dispatch({ type: 'DISPOSITION_REQUESTED', attemptId, code });
        request.then(
          (answer) => {
            lastDisposition = null;
            dispatch({ type: 'DISPOSITION_ANSWERED', answer, now: now() });
          },
          (err: unknown) => {
            const error = fail(err);
            // a refused body (4xx other than a lost-answer conflict) will not be replayed: the next try gets a new key
            if (error.status >= 400 && error.status < 500 && error.status !== 409) lastDisposition = null;
            dispatch({ type: 'DISPOSITION_FAILED', kind: 'disposition', attemptId, error });
            if (error.status === 409 || error.status === 404) resyncSoon();
          },
        );
      },

      receive(raw) {
        const message = parseAgentMessage(raw);
        if (!message) return;
        const before = get();
        dispatch({ type: 'MESSAGE', message, now: now() });
        const after = get();
        // a call event this console could not place (kept aside) while nothing is in flight: re-read the session
        if ((message.event === 'CALL_STATE' || message.event === 'SHOW_DISPO') && after.early[message.attempt_id] && after.callOp === null && before.phase !== 'loading') {
          resyncSoon();
        }
      },

      expire: () => dispatch({ type: 'UNAUTHORIZED' }),

      dispose() {
        disposed = true;
        if (scheduleTimer !== null) timers.clearTimeout(scheduleTimer);
        if (resyncTimer !== null) timers.clearTimeout(resyncTimer);
        scheduleTimer = resyncTimer = null;
      },
    };
  });

  // a scheduled dial: the console dials itself when the wait was its own (429); when the backend
  // scheduled it, a DIAL_RESULT should come: if none has come a while after the time, re-read the session
  let watched: ConsoleState['scheduled'] = null;
  store.subscribe((state) => {
    if (state.scheduled === watched) return;
    watched = state.scheduled;
    if (scheduleTimer !== null) timers.clearTimeout(scheduleTimer);
    scheduleTimer = null;
    const scheduled = state.scheduled;
    if (!scheduled || disposed) return;
    const wait = Math.max(0, scheduled.atMs - now());
    scheduleTimer = timers.setTimeout(
      () => {
        scheduleTimer = null;
        const s = store.getState();
        if (s.scheduled !== scheduled) return;
        if (scheduled.by === 'client') s.dialNext();
        else s.restore();
      },
      // setTimeout holds 32-bit delays
      Math.min(2_000_000_000, scheduled.by === 'client' ? wait : wait + grace),
    );
  });

  return store;
}
