import { Injectable, Logger } from '@nestjs/common';
import { AgentChannel } from '../realtime/agent-channel.service.js';
import { SheetsGateway } from '../integrations/sheets/sheets.gateway.js';
import { AttemptRow, AttemptsRepository } from './attempts.repository.js';
import { tabRef } from './dialer-config.service.js';
import { PausesRepository } from './pauses.repository.js';
import type { AttemptViewDto, SessionViewDto } from './dto/dialer.dto.js';
import { leadView } from './lead-view.js';
import { SessionStatsStore } from './session-stats.store.js';
import type { DialerSession } from './session.store.js';

/** What the agent sees of a session (its stats, its open attempt), and the STATS push to the agent's sockets. */
@Injectable()
export class SessionViews {
  private readonly logger = new Logger('Dialer');

  constructor(
    private readonly stats: SessionStatsStore,
    private readonly attempts: AttemptsRepository,
    private readonly sheets: SheetsGateway,
    private readonly agents: AgentChannel,
    private readonly pauses: PausesRepository,
  ) {}

  async view(session: DialerSession): Promise<SessionViewDto> {
    return { ...session, stats: await this.stats.read(session.app_id, session.id, session.started_at) };
  }

  /** The view with the open attempt and its lead (one cached read of the tab): what a reloaded console restores. */
  async viewWithAttempt(session: DialerSession): Promise<SessionViewDto> {
    const view = await this.viewWithPauses(session);
    const attempt = session.current_attempt_id ? await this.attempts.find(session.app_id, session.current_attempt_id) : null;
    view.current_attempt = attempt && attempt.status !== 'dispositioned' && attempt.status !== 'failed' ? await this.attemptView(attempt) : null;
    return view;
  }

  /** The view with the pause in progress and the time paused by reason (answers of GET /session/current and of a state change). */
  async viewWithPauses(session: DialerSession): Promise<SessionViewDto> {
    const [view, pauses] = await Promise.all([this.view(session), this.pauses.ofSession(session.app_id, session.id)]);
    return { ...view, pause: session.state === 'PAUSE' ? pauses.open : null, pause_time_ms: pauses.byReason };
  }

  async pushStats(view: SessionViewDto): Promise<void> {
    try {
      await this.agents.send(view.app_id, view.agent_email, { event: 'STATS', session_id: view.id, state: view.state, stats: view.stats });
    } catch (err) {
      this.logger.warn({ session_id: view.id }, `could not push the session's stats: ${(err as Error).message}`);
    }
  }

  private async attemptView(a: AttemptRow): Promise<AttemptViewDto> {
    const sheet = await this.sheets.readAgentSheet({ spreadsheetId: a.spreadsheet_id, tab: tabRef(a.tab_id) });
    const row = sheet.rows.find((r) => r.rowId === a.row_id);
    return {
      attempt_id: a.id,
      status: a.status,
      row_id: a.row_id,
      number_index: a.number_index,
      phone: a.phone,
      dialpad_call_id: a.dialpad_call_id,
      dialed_at: a.dialed_at,
      connected_at: a.connected_at,
      ended_at: a.ended_at,
      lead: row ? leadView(row, a.phone, new Date()) : null,
    };
  }
}
