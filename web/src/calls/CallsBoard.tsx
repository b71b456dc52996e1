import { useStore } from 'zustand';
import type { StoreApi } from 'zustand/vanilla';
import { ExpiredView } from '../shared/ExpiredView';
import { phone } from '../shared/format';
import { Elapsed } from '../shared/Timers';
import { type BoardCall, isEnded } from './board';
import type { BoardStore } from './connect';

const STATUS_TEXT: Record<BoardCall['status'], string> = {
  initiated: 'Calling',
  ringing: 'Ringing',
  connected: 'Connected',
  ended: 'Ended',
  missed: 'Missed',
  voicemail: 'Voicemail',
};

/** The live calls board: every active call of the app, and a screen pop for each incoming one. */
export function CallsBoard({ store }: { store: StoreApi<BoardStore> }) {
  const s = useStore(store);
  if (s.phase === 'expired') {
    return <ExpiredView text="This calls board link has expired or was revoked — ask your administrator for a new link" hint="Board links carry the app's API key; a rotated or revoked key ends them." />;
  }
  const calls = s.order.map((id) => s.calls[id]).filter((c): c is BoardCall => c !== undefined);
  const active = calls.filter((c) => !isEnded(c.status)).length;
  return (
    <div className="app board">
      <header className="topbar">
        <div className="brand">
          Turbo CTI <span className="muted">· Live calls</span>
        </div>
        <div className="who">
          <span className="pill">{active === 1 ? '1 active call' : `${active} active calls`}</span>
          <span className={`socket socket-${s.socket}`}>
            <span className="dot" aria-hidden="true" />
            {s.socket === 'open' ? 'Live' : s.socket === 'connecting' ? 'Connecting…' : 'Reconnecting…'}
          </span>
        </div>
      </header>
      <main className="board-main">
        <h1 className="sr-only">Live calls</h1>
        {calls.length === 0 ? (
          <p className="card muted empty-board">{s.phase === 'loading' ? 'Loading the active calls…' : 'No call in progress.'}</p>
        ) : (
          <table className="calls-table">
            <caption className="sr-only">Active calls</caption>
            <thead>
              <tr>
                <th scope="col">State</th>
                <th scope="col">Direction</th>
                <th scope="col">External number</th>
                <th scope="col">Dialpad user</th>
                <th scope="col">CRM user</th>
                <th scope="col">Time</th>
              </tr>
            </thead>
            <tbody>
              {calls.map((c) => (
                <CallRow key={c.callId} call={c} />
              ))}
            </tbody>
          </table>
        )}
      </main>
      <div className="toasts" role="status" aria-live="polite" aria-label="Incoming calls">
        {s.toasts.map((t) => (
          <div key={t.id} className="toast" data-testid="toast" data-call-id={t.callId}>
            <div className="toast-title">Incoming call</div>
            <div className="toast-number">{phone(t.number)}</div>
            {t.name && <div className="toast-name">{t.name}</div>}
            <button type="button" className="btn btn-quiet toast-close" aria-label="Dismiss" onClick={() => store.getState().dismiss(t.id)}>
              ×
            </button>
          </div>
        ))}
      </div>
    </div>
  );
}

function CallRow({ call: c }: { call: BoardCall }) {
  const ended = isEnded(c.status);
  const since = c.status === 'connected' || (ended && c.connectedAtMs !== null) ? (c.connectedAtMs ?? c.startedAtMs) : c.startedAtMs;
  return (
    <tr data-testid="call-row" data-call-id={c.callId} data-status={c.status} className={ended ? 'ended' : undefined}>
      <td>
        <span className={`badge badge-${c.status}`}>{STATUS_TEXT[c.status]}</span>
      </td>
      <td>{c.direction === 'inbound' ? 'Inbound' : c.direction === 'outbound' ? 'Outbound' : '—'}</td>
      <td>
        <span className="num">{phone(c.externalNumber)}</span>
        {c.contactName && <span className="muted"> · {c.contactName}</span>}
      </td>
      <td>{c.dialpadUserId ?? '—'}</td>
      <td>{c.crmUser ?? '—'}</td>
      <td className="num">
        <Elapsed sinceMs={since} untilMs={ended ? (c.endedAtMs ?? since) : null} />
      </td>
    </tr>
  );
}
