import { type KeyboardEvent, type RefObject, useEffect, useRef } from 'react';
import { useStore } from 'zustand';
import type { StoreApi } from 'zustand/vanilla';
import { clock, phone } from '../shared/format';
import { DISPOSITIONS } from './dispositions';
import type { ConsoleStore } from './store';

export const optionId = (code: string) => `dispo-${code}`;

const FOCUSABLE = 'input:not([disabled]), textarea:not([disabled]), button:not([disabled]), [tabindex]:not([tabindex="-1"])';

/**
 * The six-option disposition dialog (modal). Focus moves in when it opens (the
 * selected option, else the first) and back to where it was when it closes.
 */
export function DispositionDialog({ store, returnFocus }: { store: StoreApi<ConsoleStore>; returnFocus: RefObject<HTMLElement | null> }) {
  const open = useStore(store, (s) => s.phase === 'wrap-up' && s.dialog.open && s.call !== null);
  if (!open) return null;
  return <DialogBody store={store} returnFocus={returnFocus} />;
}

function DialogBody({ store, returnFocus }: { store: StoreApi<ConsoleStore>; returnFocus: RefObject<HTMLElement | null> }) {
  const dialog = useStore(store, (s) => s.dialog);
  const call = useStore(store, (s) => s.call);
  const saving = useStore(store, (s) => s.callOp?.kind === 'disposition');
  const ref = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const root = ref.current;
    const selected = dialog.code ? root?.querySelector<HTMLInputElement>(`#${optionId(dialog.code)}`) : null;
    (selected ?? root?.querySelector<HTMLInputElement>('input[type="radio"]'))?.focus();
    const back = returnFocus;
    return () => {
      // runs after the commit that removed the dialog (and the background's inert)
      const restore = () => {
        const previous = back.current;
        if (previous && previous.isConnected && !previous.closest('[inert]') && !(previous as HTMLButtonElement).disabled) previous.focus();
        else (document.getElementById('main-toggle') ?? document.getElementById('state-title'))?.focus();
      };
      restore();
      if (!document.activeElement || document.activeElement === document.body) setTimeout(restore, 0);
    };
    // focus moves once per opening, not at every selection
  }, []);

  const trapTab = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.key !== 'Tab' || !ref.current) return;
    const items = [...ref.current.querySelectorAll<HTMLElement>(FOCUSABLE)];
    const first = items[0];
    const last = items[items.length - 1];
    if (!first || !last) return;
    const active = document.activeElement;
    // the radios are one tab stop: Shift+Tab from any of them leaves the group backwards
    const atStart = active === first || (active instanceof HTMLInputElement && active.type === 'radio');
    if (e.shiftKey && atStart) {
      e.preventDefault();
      last.focus();
    } else if (!e.shiftKey && active === last) {
      e.preventDefault();
      (ref.current.querySelector<HTMLElement>('input[type="radio"]:checked') ?? first).focus();
    }
  };

  const { select, setNotes, closeDialog } = store.getState();
  const talk = call?.connected ? (call.talkTimeMs ?? (call.connectedAtMs !== null && call.endedAtMs !== null ? call.endedAtMs - call.connectedAtMs : null)) : null;

  return (
    <div className="backdrop">
      <div ref={ref} className="dialog" role="dialog" aria-modal="true" aria-labelledby="dispo-title" aria-describedby="dispo-summary" onKeyDown={trapTab}>
        <h2 id="dispo-title">Disposition</h2>
        <p id="dispo-summary" className="muted">
          {call?.name ?? (call?.rowId ? `Lead ${call.rowId}` : 'This call')} · {phone(call?.phone)} ·{' '}
          {call?.connected ? `talked ${clock(talk ?? 0)}` : 'not connected'}
        </p>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            store.getState().confirm();
          }}
        >
          <div className="options" role="radiogroup" aria-label="Outcome" aria-required="true">
            {DISPOSITIONS.map((d) => {
              const checked = dialog.code === d.code;
              return (
                <label key={d.code} className={checked ? 'option checked' : 'option'} htmlFor={optionId(d.code)}>
                  <input
                    id={optionId(d.code)}
                    type="radio"
                    name="disposition"
                    value={d.code}
                    checked={checked}
                    aria-label={`${d.label} (${d.hotkey})`}
                    onChange={() => select(d.code)}
                  />
                  <span className="option-label">{d.label}</span>
                  <kbd aria-hidden="true">{d.hotkey}</kbd>
                </label>
              );
            })}
          </div>
          <label className="field-label" htmlFor="dispo-notes">
            Notes
          </label>
          <textarea
            id="dispo-notes"
            className="notes-input"
            rows={3}
            maxLength={2000}
            value={dialog.notes}
            onChange={(e) => setNotes(e.target.value)}
            aria-describedby="dispo-notes-hint"
          />
          <p id="dispo-notes-hint" className="hint">
            Enter confirms · Shift+Enter for a new line
          </p>
          {dialog.error && (
            <p className="dialog-error" role="alert">
              {dialog.error}
            </p>
          )}
          <div className="dialog-actions">
            <button type="submit" className="btn btn-primary" aria-label="Confirm" aria-keyshortcuts="Enter" aria-disabled={saving || undefined} onClick={(e) => saving && e.preventDefault()}>
              {saving ? 'Saving…' : 'Confirm'} <kbd aria-hidden="true">Enter</kbd>
            </button>
            <button type="button" className="btn" aria-label="Close" aria-keyshortcuts="Escape" onClick={() => closeDialog()}>
              Close <kbd aria-hidden="true">Esc</kbd>
            </button>
          </div>
        </form>
      </div>
    </div>
  );
}
