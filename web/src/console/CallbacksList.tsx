import { type KeyboardEvent, useEffect, useRef, useState } from 'react';
import { phone } from '../shared/format';
import { useNow } from '../shared/useNow';
import { callbackStanding, leadTimeText, leadZone, localInputValue } from './callback-time';
import type { CallbackView } from './types';

const SHOWN = 6;
const BADGE = { due: 'Due now', missed: 'Missed', upcoming: null } as const;

export interface CallbacksListProps {
  items: CallbackView[] | null;
  /** PATCH: a new time on the lead's clock (`2026-03-10T15:00`); rejects with the server's message */
  onMove?: (id: string, dueLocal: string) => Promise<void>;
  /** DELETE; rejects with the server's message */
  onCancel?: (id: string) => Promise<void>;
}

/**
 * The agent's pending callbacks (theirs and the campaign's shared ones), soonest first; due and missed ones flagged.
 * Each can be moved (a new time on the lead's clock) or cancelled (asked once more), by keyboard: Tab to its
 * buttons, Enter; Esc backs out.
 */
export function CallbacksList({ items, onMove, onCancel }: CallbacksListProps) {
  const now = useNow(items !== null && items.length > 0, 15_000);
  return (
    <section className="card callbacks" aria-labelledby="callbacks-title">
      <h2 id="callbacks-title" tabIndex={-1}>
        Callbacks{items && items.length > 0 ? <span className="count"> · {items.length}</span> : null}
      </h2>
      {items === null ? (
        <p className="muted">Loading…</p>
      ) : items.length === 0 ? (
        <p className="muted">None scheduled. In the disposition dialog, press C to schedule one.</p>
      ) : (
        <ul className="callback-list">
          {items.slice(0, SHOWN).map((c) => (
            <CallbackItem key={c.id} callback={c} now={now} onMove={onMove} onCancel={onCancel} />
          ))}
        </ul>
      )}
      {items && items.length > SHOWN && <p className="muted">and {items.length - SHOWN} more</p>}
    </section>
  );
}

/** A cancelled item is gone with its buttons: the keyboard lands on the list's heading, not on the page. */
const focusList = () => document.getElementById('callbacks-title')?.focus();

type Editing = { kind: 'none' } | { kind: 'move'; local: string } | { kind: 'cancel' };

function CallbackItem({
  callback: c,
  now,
  onMove,
  onCancel,
}: {
  callback: CallbackView;
  now: number;
  onMove?: CallbacksListProps['onMove'];
  onCancel?: CallbacksListProps['onCancel'];
}) {
  const [editing, setEditing] = useState<Editing>({ kind: 'none' });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const firstField = useRef<HTMLInputElement & HTMLButtonElement>(null);
  const moveButton = useRef<HTMLButtonElement>(null);
  const due = Date.parse(c.due_at);
  const zone = leadZone({ time_zone: c.time_zone, local_time: c.due_local });
  const standing = callbackStanding(due, now, c.missed);
  const badge = BADGE[standing];
  const name = c.lead_name || `Lead ${c.row_id}`;

  const item = useRef<HTMLLIElement>(null);
  const backOut = useRef(false);
  useEffect(() => {
    if (editing.kind !== 'none') {
      firstField.current?.focus({ preventScroll: true });
      // the whole item on screen, its Save and Keep too (the list sits low on a 720 px screen)
      item.current?.scrollIntoView?.({ block: 'nearest' });
    } else if (backOut.current) moveButton.current?.focus(); // Keep or Esc: back where the agent was
    backOut.current = false;
  }, [editing.kind]);

  const close = () => {
    backOut.current = true;
    setEditing({ kind: 'none' });
    setError(null);
  };
  const run = (op: () => Promise<void>, done: () => void) => {
    setBusy(true);
    setError(null);
    op().then(
      () => {
        setBusy(false);
        done();
      },
      (err: unknown) => {
        setBusy(false);
        setError(err instanceof Error ? err.message : 'Could not change the callback');
      },
    );
  };
  const cancelled = () => {
    setEditing({ kind: 'none' });
    focusList();
  };
  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key === 'Escape') {
      e.preventDefault();
      e.stopPropagation();
      close();
    }
  };

  return (
    <li ref={item} className={`callback-item ${standing}`} data-testid="callback-item">
      <div className="callback-line">
        <span className="callback-name">{name}</span>
        {badge && <span className={`badge badge-${standing}`}>{badge}</span>}
      </div>
      <div className="callback-when">{leadTimeText(zone, due, now)}</div>
      <div className="muted callback-meta">
        {phone(c.phone)}
        {c.only_me ? ' · only me' : ' · campaign'}
      </div>
      {editing.kind === 'none' && (onMove || onCancel) && (
        <div className="callback-actions">
          {onMove && (
            <button
              ref={moveButton}
              type="button"
              className="btn btn-quiet btn-small"
              aria-label={`Move the callback to ${name}`}
              onClick={() => setEditing({ kind: 'move', local: localInputValue(zone, due) })}
            >
              Move
            </button>
          )}
          {onCancel && (
            <button type="button" className="btn btn-quiet btn-small" aria-label={`Cancel the callback to ${name}`} onClick={() => setEditing({ kind: 'cancel' })}>
              Cancel
            </button>
          )}
        </div>
      )}
      {editing.kind === 'move' && onMove && (
        <form
          className="callback-edit"
          onKeyDown={onKeyDown}
          onSubmit={(e) => {
            e.preventDefault();
            // the list is read again: the item shows its new time, the focus back on its Move
            if (!busy) run(() => onMove(c.id, editing.local), close);
          }}
        >
          <label className="field-label" htmlFor={`callback-move-${c.id}`}>
            New time on the lead&apos;s clock
          </label>
          <input
            ref={firstField}
            id={`callback-move-${c.id}`}
            type="datetime-local"
            required
            value={editing.local}
            onChange={(e) => setEditing({ kind: 'move', local: e.target.value })}
          />
          <div className="callback-actions">
            <button type="submit" className="btn btn-small" disabled={busy || editing.local === ''}>
              {busy ? 'Saving…' : 'Save'}
            </button>
            <button type="button" className="btn btn-quiet btn-small" onClick={close}>
              Keep
            </button>
          </div>
        </form>
      )}
      {editing.kind === 'cancel' && onCancel && (
        <div className="callback-edit" role="group" aria-label={`Cancel the callback to ${name}?`} onKeyDown={onKeyDown}>
          <p className="callback-confirm">Cancel this callback? Nobody will be asked to call {name} back.</p>
          <div className="callback-actions">
            <button ref={firstField} type="button" className="btn btn-danger btn-small" disabled={busy} onClick={() => run(() => onCancel(c.id), cancelled)}>
              {busy ? 'Cancelling…' : 'Yes, cancel it'}
            </button>
            <button type="button" className="btn btn-quiet btn-small" onClick={close}>
              Keep
            </button>
          </div>
        </div>
      )}
      {error && (
        <p className="callback-error" role="alert">
          {error}
        </p>
      )}
    </li>
  );
}
