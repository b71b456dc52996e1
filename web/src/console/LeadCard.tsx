import { leadLocalTime, phone, sheetPhone, statusLabel } from '../shared/format';
import { useNow } from '../shared/useNow';
import type { CurrentCall } from './machine';
import { numberPosition } from './selectors';
import type { LeadView } from './types';

function LocalTime({ lead }: { lead: LeadView }) {
  const now = useNow(true, 15_000);
  const text = leadLocalTime(lead, now);
  return <>{text ?? 'Unknown'}</>;
}

/** The dialed number's line in the list, as the call goes. */
const CURRENT_LABEL: Record<CurrentCall['status'], string> = { dialing: 'Calling now', ringing: 'Calling now', connected: 'On the call', ended: 'Just called' };

/** The lead being dialed: who, which of its numbers, the others, notes, attempts, local time. */
export function LeadCard({ call }: { call: CurrentCall }) {
  const lead = call.lead;
  const position = numberPosition(call);
  const numbers = lead?.numbers ? [...lead.numbers].sort((a, b) => a.index - b.index) : [];
  const title = call.name ?? lead?.name ?? (call.rowId ? `Lead ${call.rowId}` : 'Placing the call…');
  const nanp = call.phone?.startsWith('+1') ?? false;
  return (
    <section className="card lead" aria-labelledby="lead-name">
      <div className="lead-head">
        <h2 id="lead-name" className="lead-name">
          {title}
        </h2>
        <span className="lead-tags">
          {call.callbackId && <span className="pill pill-callback">Scheduled callback</span>}
          {call.rowId && <span className="muted">Row {call.rowId}</span>}
        </span>
      </div>
      <div className="lead-number">
        <span className="lead-phone" data-testid="dialed-number">
          {phone(call.phone)}
        </span>
        {position && (
          <span className="pill">{position.total > 0 ? `Number ${position.position} of ${position.total}` : `Number ${position.position}`}</span>
        )}
      </div>
      <dl className="facts">
        <div>
          <dt>Attempts</dt>
          <dd>{typeof lead?.attempts === 'number' ? lead.attempts : '—'}</dd>
        </div>
        <div>
          <dt>Lead&apos;s local time</dt>
          <dd>{lead ? <LocalTime lead={lead} /> : '—'}</dd>
        </div>
      </dl>
      {numbers.length > 1 && (
        <div className="numbers">
          <h3>Numbers</h3>
          <ul>
            {numbers.map((n) => {
              const current = n.index === call.numberIndex;
              return (
                <li key={n.index} className={current ? 'current' : undefined} aria-current={current ? 'true' : undefined}>
                  <span className="num-phone">{current && call.phone ? phone(call.phone) : sheetPhone(n.phone, nanp)}</span>
                  <span className={`status status-${n.status.toLowerCase()}`}>{current ? CURRENT_LABEL[call.status] : statusLabel(n.status)}</span>
                </li>
              );
            })}
          </ul>
        </div>
      )}
      <div className="notes">
        <h3>Notes</h3>
        <p className={lead?.notes ? 'notes-text' : 'notes-text muted'}>{lead?.notes || 'No notes'}</p>
      </div>
    </section>
  );
}
