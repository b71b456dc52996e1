import { hms } from '../shared/format';
import { DISPOSITIONS } from './dispositions';
import type { SessionStats } from './types';

/** The shift's live counters (from STATS messages and session answers). */
export function StatsPanel({ stats }: { stats: SessionStats }) {
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
    </section>
  );
}
