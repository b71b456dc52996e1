import { useEffect, useRef } from 'react';
import { useNow } from '../shared/useNow';
import {
  type LeadZone,
  leadTimeText,
  localInputValue,
  QUICK_CHOICES,
  quickInstant,
  resolveCallback,
  wallText,
} from './callback-time';
import type { CallbackDraft } from './machine';

export const callbackChoiceId = (id: string) => `callback-when-${id}`;
const CUSTOM_ID = callbackChoiceId('custom');

/**
 * When to call the lead back, on the LEAD's clock: quick choices (arrows move
 * between them), another date and time, and "only me". The choice is read out
 * plainly ("Thu 3:00 PM lead time (America/Chicago)"), with the agent's own time
 * when it differs. Focus moves to the chosen time when the picker opens.
 */
export function CallbackPicker({ zone, draft, onChange }: { zone: LeadZone; draft: CallbackDraft; onChange: (draft: CallbackDraft) => void }) {
  const now = useNow(true, 30_000);
  const ref = useRef<HTMLFieldSetElement>(null);

  useEffect(() => {
    // on opening (C or the checkbox); when the whole dialog opens, the dialog's own focus runs after this and wins
    ref.current?.querySelector<HTMLInputElement>('input[name="callback-when"]:checked')?.focus();
  }, []);

  const resolved = resolveCallback(zone, draft.choice, now);
  const agentText = resolved.ok && zone.kind !== 'agent' ? wallText({ kind: 'agent' }, resolved.atMs, now) : null;
  const leadWall = resolved.ok ? wallText(zone, resolved.atMs, now) : null;
  const custom = draft.choice.kind === 'custom' ? draft.choice.local : null;
  const startOfCustom = () => {
    const base = draft.choice.kind === 'quick' ? quickInstant(zone, draft.choice.id, now) : now;
    return localInputValue(zone, base);
  };

  return (
    <fieldset ref={ref} className="callback" id="callback-picker" aria-describedby="callback-summary">
      <legend>Call back at — the lead&apos;s time</legend>
      <div className="callback-choices">
        {QUICK_CHOICES.map((q) => {
          const checked = draft.choice.kind === 'quick' && draft.choice.id === q.id;
          const at = wallText(zone, quickInstant(zone, q.id, now), now);
          return (
            <label key={q.id} className={checked ? 'chip checked' : 'chip'} htmlFor={callbackChoiceId(q.id)}>
              <input
                id={callbackChoiceId(q.id)}
                type="radio"
                name="callback-when"
                value={q.id}
                checked={checked}
                onChange={() => onChange({ ...draft, choice: { kind: 'quick', id: q.id } })}
              />
              <span>{q.label}</span>
              <span className="chip-time">{at}</span>
            </label>
          );
        })}
        <label className={custom !== null ? 'chip checked' : 'chip'} htmlFor={CUSTOM_ID}>
          <input
            id={CUSTOM_ID}
            type="radio"
            name="callback-when"
            value="custom"
            checked={custom !== null}
            onChange={() => onChange({ ...draft, choice: { kind: 'custom', local: startOfCustom() } })}
          />
          <span>Other date and time</span>
        </label>
      </div>
      {custom !== null && (
        <div className="callback-custom">
          <label className="field-label" htmlFor="callback-local">
            Date and time on the lead&apos;s clock
          </label>
          <input
            id="callback-local"
            className="text-input"
            type="datetime-local"
            value={custom}
            min={localInputValue(zone, now)}
            onChange={(e) => onChange({ ...draft, choice: { kind: 'custom', local: e.target.value } })}
          />
        </div>
      )}
      <p id="callback-summary" className={resolved.ok ? 'callback-summary' : 'callback-summary invalid'} aria-live="polite" data-testid="callback-summary">
        {resolved.ok ? (
          <>
            <strong>{leadTimeText(zone, resolved.atMs, now)}</strong>
            {agentText && agentText !== leadWall && <span className="muted callback-agent">{agentText} your time</span>}
          </>
        ) : (
          resolved.error
        )}
      </p>
      <label className="check" htmlFor="callback-only-me">
        <input id="callback-only-me" type="checkbox" checked={draft.onlyMe} aria-keyshortcuts="M" onChange={(e) => onChange({ ...draft, onlyMe: e.target.checked })} />
        <span>
          Only me <span className="muted">(else anyone on the campaign may call back)</span>
        </span>
        <kbd aria-hidden="true">M</kbd>
      </label>
    </fieldset>
  );
}
