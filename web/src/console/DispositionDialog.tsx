import { type KeyboardEvent, type RefObject, useEffect, useRef } from 'react';
import { useStore } from 'zustand';
import type { StoreApi } from 'zustand/vanilla';
import { clock, phone } from '../shared/format';
import { leadZone } from './callback-time';
import { CallbackPicker } from './CallbackPicker';
import { DISPOSITIONS } from './dispositions';
import type { ConsoleStore } from './store';

export const optionId = (code: string) => `dispo-${code}`;

const FOCUSABLE = 'input:not([disabled]), textarea:not([disabled]), button:not([disabled]), [tabindex]:not([tabindex="-1"])';

/**
 * The seven-option disposition dialog (modal), with the callback picker (C) and
 * a second Enter before Do not call (7). Focus moves in when it opens (the
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
    // the outcomes are one tab stop: Shift+Tab from any of them leaves the group backwards (the callback times are further on)
    const atStart = active === first || (active instanceof HTMLInputElement && active.type === 'radio' && active.name === 'disposition');
    if (e.shiftKey && atStart) {
      e.preventDefault();
      last.focus();
    } else if (!e.shiftKey && active === last) {
      e.preventDefault();
      (ref.current.querySelector<HTMLElement>('input[name="disposition"]:checked') ?? first).focus();
    }
  };

  const { select, setNotes, closeDialog, setCallback } = store.getState();
  const dnc = dialog.code === 'DNC';
  // with the callback picker the dialog is two columns wide: the outcomes, then when and the notes
  const picking = dialog.callback !== null && !dnc;
  const talk = call?.connected ? (call.talkTimeMs ?? (call.connectedAtMs !== null && call.endedAtMs !== null ? call.endedAtMs - call.connectedAtMs : null)) : null;

  return (
    <div className="backdrop">
      <div ref={ref} className={picking ? 'dialog dialog-wide' : 'dialog'} role="dialog" aria-modal="true" aria-labelledby="dispo-title" aria-describedby="dispo-summary" onKeyDown={trapTab}>
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
          <div className={picking ? 'dialog-columns' : undefined}>
            <div>
              <div className="options" role="radiogroup" aria-label="Outcome" aria-required="true">
                {DISPOSITIONS.map((d) => {
                  const checked = dialog.code === d.code;
                  return (
                    <label key={d.code} className={`option${checked ? ' checked' : ''}${d.code === 'DNC' ? ' option-dnc' : ''}`} htmlFor={optionId(d.code)}>
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
              {dnc && !dialog.dncConfirm && (
                <p className="hint" id="dnc-hint">
                  Do not call is final: Enter asks once more.
                </p>
              )}
              {dialog.dncConfirm && (
                <div className="dnc-confirm" role="alert" data-testid="dnc-confirm">
                  <strong>Never call {phone(call?.phone)} again?</strong>
                  <span>The number goes on this app&apos;s do-not-call list: no agent dials it again, and only an admin can take it off.</span>
                  <span className="hint">
                    <kbd>Enter</kbd> yes, do not call · <kbd>Esc</kbd> back
                  </span>
                </div>
              )}
              {!dnc && (
                <label className="check callback-toggle" htmlFor="callback-toggle">
                  <input
                    id="callback-toggle"
                    type="checkbox"
                    checked={dialog.callback !== null}
                    aria-keyshortcuts="C"
                    aria-controls="callback-picker"
                    onChange={() => store.getState().toggleCallback()}
                  />
                  Schedule a callback <kbd aria-hidden="true">C</kbd>
                </label>
              )}
            </div>
            <div>
              {picking && dialog.callback && <CallbackPicker zone={leadZone(call?.lead)} draft={dialog.callback} onChange={setCallback} />}
              <label className="field-label" htmlFor="dispo-notes">
                Notes
              </label>
              <textarea
                id="dispo-notes"
                className="notes-input"
                rows={2}
                maxLength={2000}
                value={dialog.notes}
                onChange={(e) => setNotes(e.target.value)}
                aria-describedby="dispo-notes-hint"
              />
              <p id="dispo-notes-hint" className="hint">
                Enter confirms · Shift+Enter for a new line
              </p>
            </div>
          </div>
          {dialog.error && (
            <p className="dialog-error" role="alert" data-testid="dialog-error">
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
