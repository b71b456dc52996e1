import { hms } from '../shared/format';
import { Elapsed } from '../shared/Timers';
import { useNow } from '../shared/useNow';
import { DISPOSITIONS } from './dispositions';
import { type PauseNow, pauseTimeNow } from './machine';
import type { SessionStats } from './types';

interface PauseProps {
  pausedFor: PauseNow | null;
  pauseTime: { byReason: Record<string, number>; atMs: number };
}

/** The shift's live counters (from STATS messages and session answers), the pause in progress and the time paused by reason. */
export function StatsPanel({ stats, pausedFor = null, pauseTime = { byReason: {}, atMs: 0 } }: { stats: SessionStats } & Partial<PauseProps>) {
  return (
    <section className="card stats" aria-labelledby="stats-title">
      <h2 id="stats-title">This shift</h2>
      <dl className="kpis">
        <div>
          <dt>Dials</dt>
          <dd data-testid="stat-dials">{stats.dials}</dd>
        </div>
        <div>
          <dt>Connects</dt>
          <dd data-testid="stat-connects">{stats.connects}</dd>
        </div>
        <div>
          <dt>Dials / hour</dt>
          <dd data-testid="stat-dials-per-hour">{stats.dials_per_hour.toFixed(1)}</dd>
        </div>
        <div>
          <dt>Talk time</dt>
          <dd data-testid="stat-talk-time">{hms(stats.talk_time_ms)}</dd>
        </div>
      </dl>
      <table className="dispo-table">
        <caption>Dispositions</caption>
        <tbody>
          {DISPOSITIONS.map((d) => (
            <tr key={d.code}>
              <th scope="row">
                <kbd aria-hidden="true">{d.hotkey}</kbd> {d.label}
              </th>
              <td>{stats.dispositions[d.code] ?? 0}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <PauseTimes pausedFor={pausedFor} pauseTime={pauseTime} />
    </section>
  );
}

function PauseTimes({ pausedFor, pauseTime }: PauseProps) {
  const now = useNow(pausedFor !== null, 1000);
  const byReason = pauseTimeNow({ pausedFor, pauseTime }, now);
  const rows = Object.entries(byReason).sort((a, b) => b[1] - a[1]);
  if (!pausedFor && rows.length === 0) return null;
  return (
    <div className="pause-stats">
      {pausedFor && (
        <p className="paused-now" data-testid="pause-now">
          <span>
            Paused: <strong>{pausedFor.reason}</strong>
          </span>
          <Elapsed className="timer" sinceMs={pausedFor.sinceMs} />
        </p>
      )}
      {rows.length > 0 && (
        <table className="dispo-table" data-testid="pause-times">
          <caption>Pause time</caption>
          <tbody>
            {rows.map(([reason, ms]) => (
              <tr key={reason} className={pausedFor?.reason === reason ? 'current' : undefined}>
                <th scope="row">{reason}</th>
                <td>{hms(ms)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
