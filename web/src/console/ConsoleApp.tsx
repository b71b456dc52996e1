import { type ReactNode, useEffect, useRef } from 'react';
import { useStore } from 'zustand';
import type { StoreApi } from 'zustand/vanilla';
import { ExpiredView } from '../shared/ExpiredView';
import { clock } from '../shared/format';
import { Countdown, Elapsed } from '../shared/Timers';
import { CallbacksList } from './CallbacksList';
import { DispositionDialog, optionId } from './DispositionDialog';
import { focusKind, hotkeyFor } from './hotkeys';
import { LeadCard } from './LeadCard';
import type { ConsoleState } from './machine';
import { PAUSE_MENU_ID, PauseMenu } from './PauseMenu';
import { canDialNext, canHangUp, canSkip, canStop, needsDisposition, toggleAction } from './selectors';
import { StatsPanel } from './StatsPanel';
import type { ConsoleStore } from './store';

const EXPIRED_TEXT = 'Your sign-in link has expired — ask your supervisor for a new console link';

/** The agent console: the shift's controls (with the pause reason menu), the current call, the disposition dialog, live stats, callbacks. */
export function ConsoleApp({ store }: { store: StoreApi<ConsoleStore> }) {
  const s = useStore(store);
  const lastFocus = useRef<HTMLElement | null>(null);
  useHotkeys(store);

  // the element to give the focus back to when the dialog closes: the last one focused outside it
  useEffect(() => {
    const onFocus = (e: FocusEvent) => {
      const el = e.target;
      if (el instanceof HTMLElement && !el.closest('[role="dialog"]')) lastFocus.current = el;
    };
    document.addEventListener('focusin', onFocus);
    return () => document.removeEventListener('focusin', onFocus);
  }, []);

  if (s.phase === 'expired') return <ExpiredView text={EXPIRED_TEXT} />;

  const dialogOpen = s.phase === 'wrap-up' && s.dialog.open;
  return (
    <div className="app console" data-phase={s.phase}>
      <header className="topbar" inert={dialogOpen}>
        <div className="brand">
          Turbo CTI <span className="muted">· Agent console</span>
        </div>
        <div className="who">
          {s.campaign && <span className="pill">{s.campaign}</span>}
          {s.agentEmail && <span className="muted">{s.agentEmail}</span>}
          <SocketBadge status={s.socket} />
        </div>
      </header>
      <main className="layout" inert={dialogOpen}>
        <div className="primary">
          <StatePanel state={s} />
          <div className="controls-wrap">
            <Controls state={s} store={store} />
            <PauseMenu store={store} />
          </div>
          {needsDisposition(s) && !s.dialog.open && (
            <div className="banner warn">
              <strong>Disposition needed</strong>
              <span>This call needs an outcome before the next dial.</span>
              <button type="button" className="btn" aria-label="Open disposition" aria-keyshortcuts="D" onClick={() => store.getState().openDialog()}>
                Open disposition <kbd aria-hidden="true">D</kbd>
              </button>
            </div>
          )}
          {s.notice && (
            <div className="banner info">
              <span>{s.notice}</span>
              <button type="button" className="btn btn-quiet" onClick={() => store.getState().dismissNotice()}>
                Dismiss
              </button>
            </div>
          )}
          {s.call ? <LeadCard call={s.call} /> : <EmptyLead state={s} />}
        </div>
        <aside className="secondary">
          <StatsPanel stats={s.stats} pausedFor={s.pausedFor} pauseTime={s.pauseTime} />
          <CallbacksList items={s.callbacks} onMove={(id, local) => s.moveCallback(id, local)} onCancel={(id) => s.cancelCallback(id)} />
          <HotkeyLegend />
        </aside>
      </main>
      <div className="sr-only" role="status" aria-live="polite" aria-atomic="true">
        {s.announcement.text}
        {s.announcement.n % 2 === 1 ? '\u00a0' : ''}
      </div>
      <DispositionDialog store={store} returnFocus={lastFocus} />
    </div>
  );
}

function useHotkeys(store: StoreApi<ConsoleStore>): void {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const s = store.getState();
      if (s.phase === 'expired' || e.defaultPrevented) return;
      const target = e.target instanceof Element ? e.target : document.activeElement;
      const action = hotkeyFor(e, {
        dialogOpen: s.phase === 'wrap-up' && s.dialog.open,
        focus: focusKind(target),
        pauseMenu: s.pauseMenu ? s.pauseReasons.length : 0,
      });
      if (!action) return;
      e.preventDefault();
      switch (action.kind) {
        case 'select':
          s.select(action.code);
          document.getElementById(optionId(action.code))?.focus();
          break;
        case 'confirm':
          s.confirm();
          break;
        case 'close-dialog':
          s.closeDialog();
          break;
        case 'open-dialog':
          s.openDialog();
          break;
        case 'toggle':
          s.togglePlay();
          break;
        case 'hang-up':
          s.hangUp();
          break;
        case 'skip':
          s.skip();
          break;
        case 'dial-next':
          s.dialNext();
          break;
        case 'toggle-callback': {
          const adding = s.dialog.callback === null;
          s.toggleCallback();
          // adding: the picker takes the focus as it mounts; dropping: back to the checkbox (the picker is gone)
          if (!adding) document.getElementById('callback-toggle')?.focus();
          break;
        }
        case 'toggle-only-me':
          s.toggleOnlyMe();
          break;
        case 'pause-with': {
          const reason = s.pauseReasons[action.index];
          if (reason) s.pause(reason);
          break;
        }
        case 'close-pause-menu':
          s.closePauseMenu();
          break;
      }
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [store]);
}

function SocketBadge({ status }: { status: ConsoleState['socket'] }) {
  const text = status === 'open' ? 'Live' : status === 'connecting' ? 'Connecting…' : 'Reconnecting…';
  return (
    <span className={`socket socket-${status}`} title="Real-time connection">
      <span className="dot" aria-hidden="true" />
      {text}
    </span>
  );
}

const TITLES: Record<ConsoleState['phase'], string> = {
  loading: 'Loading…',
  idle: 'Ready to start',
  ready: 'Ready',
  // visible titles differ from the live region's exact words, so each text is found once on the page
  dialing: 'Dialing…',
  ringing: 'Ringing…',
  connected: 'Connected',
  'wrap-up': 'Call finished',
  paused: 'Paused',
  stopped: 'Shift stopped',
  scheduled: 'Next dial soon',
  nothing: 'Nothing to dial',
  expired: 'Signed out',
  error: 'Something went wrong',
};

/** The session's ready state above the title: a stopped shift is over, not "not started". */
const EYEBROWS: Record<NonNullable<ConsoleState['readyState']> | 'NONE', string> = { PLAY: 'Playing', PAUSE: 'Paused', STOPPED: 'Stopped', NONE: 'Not started' };

function StatePanel({ state: s }: { state: ConsoleState }) {
  const call = s.call;
  let detail: ReactNode = null;
  let title: ReactNode = TITLES[s.phase];
  if (s.sessionOp === 'start') title = 'Starting…';
  switch (s.phase) {
    case 'idle':
      detail = s.sessionOp ? 'Opening your session…' : 'Press Play to start your shift.';
      break;
    case 'ready':
      detail = 'Press N to dial the next lead.';
      break;
    case 'dialing':
      detail = call?.name ? `Calling ${call.name}…` : 'Placing the call…';
      break;
    case 'ringing':
      detail = call?.name ? `${call.name}'s phone is ringing.` : 'The phone is ringing.';
      break;
    case 'connected':
      title = <Elapsed prefix="Connected " className="timer" sinceMs={call?.connectedAtMs ?? Date.now()} />;
      detail = 'Talking.';
      break;
    case 'wrap-up':
      detail = call?.connected ? 'Pick the outcome of the call.' : 'The call was not answered. Pick the outcome.';
      break;
    case 'paused':
      detail = `${s.pausedFor && s.pausedFor.reason !== 'Unspecified' ? `Reason: ${s.pausedFor.reason}. ` : ''}No call is placed while paused. Press Play to go on.`;
      break;
    case 'stopped':
      detail = 'Your session is closed. Press Play to start a new one.';
      break;
    case 'scheduled':
      if (s.scheduled) {
        title = (
          <>
            Next dial in <Countdown atMs={s.scheduled.atMs} /> s
          </>
        );
      }
      detail = s.scheduled?.by === 'client' ? 'Dialpad asked us to wait before the next call.' : 'The next call is scheduled.';
      break;
    case 'nothing':
      detail = s.nothingReason;
      break;
    case 'error':
      detail = s.error;
      break;
    default:
      break;
  }
  if (s.readyState === 'PAUSE' && call) detail = `${detail ?? ''} Paused: no next dial after this call.`.trim();
  return (
    <section className="state" aria-labelledby="state-title">
      <p className="eyebrow">{EYEBROWS[s.readyState ?? 'NONE']}</p>
      <h1 id="state-title" className="state-title" tabIndex={-1}>
        <span className="state-dot" aria-hidden="true" />
        {title}
      </h1>
      {detail && (
        <p className="state-detail" data-testid="state-detail">
          {detail}
        </p>
      )}
      {call && s.phase === 'wrap-up' && call.connected && (
        <p className="muted">Talk time {clock(call.talkTimeMs ?? 0)}</p>
      )}
    </section>
  );
}

function Controls({ state: s, store }: { state: ConsoleState; store: StoreApi<ConsoleStore> }) {
  const api = store.getState();
  const toggle = toggleAction(s);
  const label = toggle === 'pause' ? 'Pause' : 'Play';
  const sessionBusy = s.sessionOp !== null;
  const hasSession = s.readyState === 'PLAY' || s.readyState === 'PAUSE';
  // the session ended under the agent's hands (Stop is gone): the focus goes to Play, not to the page
  const hadSession = useRef(hasSession);
  useEffect(() => {
    const lost = document.activeElement === null || document.activeElement === document.body;
    if (hadSession.current && !hasSession && lost) document.getElementById('main-toggle')?.focus();
    hadSession.current = hasSession;
  }, [hasSession]);
  return (
    <div className="controls" role="group" aria-label="Shift controls">
      {toggle !== null && (
        <button
          id="main-toggle"
          type="button"
          className={`btn btn-big ${toggle === 'pause' ? 'btn-pause' : 'btn-play'}`}
          aria-label={label}
          aria-keyshortcuts="Space"
          aria-haspopup={toggle === 'pause' && s.pauseReasons.length > 0 ? 'menu' : undefined}
          aria-expanded={toggle === 'pause' && s.pauseReasons.length > 0 ? s.pauseMenu : undefined}
          aria-controls={s.pauseMenu ? PAUSE_MENU_ID : undefined}
          data-space-toggle=""
          disabled={sessionBusy}
          onClick={() => api.togglePlay()}
          // Space is the global toggle (keydown); the button's own Space click would toggle twice
          onKeyUp={(e) => {
            if (e.key === ' ') e.preventDefault();
          }}
        >
          <span className="icon" aria-hidden="true">
            {toggle === 'pause' ? '❚❚' : '▶'}
          </span>
          {label} <kbd aria-hidden="true">Space</kbd>
        </button>
      )}
      {(s.phase === 'dialing' || s.phase === 'ringing') && (
        <button type="button" className="btn btn-big" aria-label="Skip" aria-keyshortcuts="S" disabled={!canSkip(s)} onClick={() => api.skip()}>
          Skip <kbd aria-hidden="true">S</kbd>
        </button>
      )}
      {s.phase === 'connected' && (
        <button type="button" className="btn btn-big btn-danger" aria-label="Hang up" aria-keyshortcuts="H" disabled={!canHangUp(s)} onClick={() => api.hangUp()}>
          Hang up <kbd aria-hidden="true">H</kbd>
        </button>
      )}
      {canDialNext(s) && (
        <button type="button" className="btn btn-big" aria-label="Dial next" aria-keyshortcuts="N" onClick={() => api.dialNext()}>
          Dial next <kbd aria-hidden="true">N</kbd>
        </button>
      )}
      {hasSession && (
        <button
          type="button"
          className="btn btn-big btn-quiet"
          aria-label="Stop"
          disabled={!canStop(s)}
          title={canStop(s) ? 'End the session' : 'Stop is possible once the current call has its disposition'}
          onClick={() => api.stop()}
        >
          <span className="icon" aria-hidden="true">
            ■
          </span>
          Stop
        </button>
      )}
    </div>
  );
}

function EmptyLead({ state: s }: { state: ConsoleState }) {
  if (s.phase === 'loading') return null;
  const text =
    s.phase === 'nothing'
      ? 'No lead can be dialed right now. Leads come back when their retry delay or calling window allows.'
      : s.phase === 'stopped'
        ? 'Shift over. The counters on the right are this session’s.'
        : 'The next lead shows here when it is dialed.';
  return (
    <section className="card lead empty" aria-label="Current lead">
      <p className="muted">{text}</p>
    </section>
  );
}

function HotkeyLegend() {
  return (
    <section className="card legend" aria-labelledby="keys-title">
      <h2 id="keys-title">Keyboard</h2>
      <ul>
        <li>
          <kbd>Space</kbd> Play / Pause, then <kbd>1</kbd>–<kbd>9</kbd> the reason
        </li>
        <li>
          <kbd>1</kbd>–<kbd>7</kbd> pick an outcome, <kbd>Enter</kbd> confirm (<kbd>7</kbd> Do not call: <kbd>Enter</kbd> twice)
        </li>
        <li>
          <kbd>C</kbd> schedule a callback, <kbd>M</kbd> only me
        </li>
        <li>
          <kbd>Esc</kbd> close the dialog, <kbd>D</kbd> reopen it
        </li>
        <li>
          <kbd>H</kbd> hang up, <kbd>S</kbd> skip, <kbd>N</kbd> dial next
        </li>
      </ul>
    </section>
  );
}
