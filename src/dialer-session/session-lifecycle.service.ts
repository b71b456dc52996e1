import { Injectable, Logger } from '@nestjs/common';
import type { AgentPrincipal } from '../auth/request-context.js';
import { DomainError } from '../common/errors/domain-error.js';
import { DIGITS_ID_PATTERN } from '../common/ids.js';
import { SheetsGateway } from '../integrations/sheets/sheets.gateway.js';
import { type CampaignPolicy, warmLeads } from '../policy/index.js';
import type { AgentRow } from '../policy/index.js';
import { AttemptsRepository } from './attempts.repository.js';
import { DEFAULT_PAUSE_REASONS, DialerConfigService, tabRef } from './dialer-config.service.js';
import type { SessionViewDto, StartSessionResultDto } from './dto/dialer.dto.js';
import { PausesRepository } from './pauses.repository.js';
import { SessionLock } from './session-lock.js';
import { SessionViews } from './session-views.service.js';
import { DialerSession, ReadyState, SessionStore } from './session.store.js';

/** A session's life: start (or recover) from the router sheet, PLAY / PAUSE / STOPPED, and what the agent sees of it. */
@Injectable()
export class SessionLifecycle {
  private readonly logger = new Logger('Dialer');

  constructor(
    private readonly sessions: SessionStore,
    private readonly lock: SessionLock,
    private readonly views: SessionViews,
    private readonly attempts: AttemptsRepository,
    private readonly configs: DialerConfigService,
    private readonly sheets: SheetsGateway,
    private readonly pauses: PausesRepository,
  ) {}

  /** Starts the agent's session, or returns its live one (crash-safe recovery). */
  async start(agent: AgentPrincipal): Promise<StartSessionResultDto> {
    const existing = await this.sessions.current(agent.appId, agent.email);
    if (existing) return { session: await this.viewForAgent(existing), recovered: true };
    const config = await this.configs.effective(agent.appId);
    const route = await this.sheets.findRoute(config.routerSpreadsheetId, config.routerTab, agent.email);
    if (!route) throw new DomainError('AGENT_NOT_ROUTED', `${agent.email} is not in the router sheet`);
    if (!route.active) throw new DomainError('AGENT_NOT_ROUTED', `${agent.email} is not Active in the router sheet`);
    if (!DIGITS_ID_PATTERN.test(route.dialpadUserId)) {
      throw new DomainError('INVALID_INPUT', `the router's DialpadUserID for ${agent.email} is not a Dialpad user id`);
    }
    // validates the agent tab's header (a missing column is named in the 400)
    const sheet = await this.sheets.readAgentSheet({ spreadsheetId: route.spreadsheetId, tab: tabRef(route.tabId) });
    warmInBackground(sheet.rows, config.policy.defaultRegion);
    const { session, created } = await this.sessions.create({
      app_id: agent.appId,
      agent_email: agent.email.toLowerCase(),
      dialpad_user_id: route.dialpadUserId,
      spreadsheet_id: route.spreadsheetId,
      tab_id: route.tabId,
      campaign_name: route.campaignName,
    });
    if (created) this.logger.log({ session_id: session.id, agent: agent.email }, 'dialer session started');
    return { session: { ...(await this.views.viewWithAttempt(session)), pause_reasons: [...config.pauseReasons] }, recovered: !created };
  }

  async current(agent: AgentPrincipal): Promise<SessionViewDto> {
    return this.viewForAgent(await this.sessions.requireCurrent(agent));
  }

  /** The view with its open attempt and the app's pause reasons: what the console needs to (re)build its screen. */
  private async viewForAgent(session: DialerSession): Promise<SessionViewDto> {
    const [view, reasons] = await Promise.all([this.views.viewWithAttempt(session), this.pauseReasonList(session.app_id)]);
    return { ...view, pause_reasons: reasons };
  }

  /** The app's pause reasons; the defaults when its dialer config was removed under a live session (pausing then says why it fails). */
  private async pauseReasonList(appId: AgentPrincipal['appId']): Promise<string[]> {
    try {
      return [...(await this.configs.effective(appId)).pauseReasons];
    } catch (err) {
      if (err instanceof DomainError && err.code === 'CONFLICT') return [...DEFAULT_PAUSE_REASONS];
      throw err;
    }
  }

  /**
   * PLAY / PAUSE / STOPPED. Pausing stops the chaining of the next dial, with a reason from the
   * app's list, recorded with its start and end; stopping ends the session.
   */
  async setState(agent: AgentPrincipal, state: ReadyState, pauseReason?: string): Promise<SessionViewDto> {
    const session = await this.sessions.requireCurrent(agent);
    const reason = state === 'PAUSE' ? await this.pauseReason(agent.appId, pauseReason) : null;
    const saved = await this.lock.run(session, async (fresh) => {
      // a stopped session can no longer disposition: its number would stay IN_PROGRESS in the sheet for good
      if (state === 'STOPPED') await this.requireNoOpenAttempt(fresh, 'stopping');
      fresh.state = state;
      const pause = { sessionId: fresh.id, agentEmail: fresh.agent_email, campaignName: fresh.campaign_name };
      if (reason !== null) await this.pauses.start(fresh.app_id, pause, reason);
      else await this.pauses.end(fresh.app_id, fresh.id);
      return this.sessions.save(fresh);
    });
    const view = await this.views.viewWithPauses(saved);
    await this.views.pushStats(view);
    return view;
  }

  /** The reason as the app lists it (any case); INVALID_INPUT naming the list otherwise. */
  private async pauseReason(appId: AgentPrincipal['appId'], given: string | undefined): Promise<string> {
    if (given === undefined) return 'Unspecified';
    const { pauseReasons } = await this.configs.effective(appId);
    const match = pauseReasons.find((r) => r.toLowerCase() === given.trim().toLowerCase());
    if (!match) throw new DomainError('INVALID_INPUT', `reason must be one of: ${pauseReasons.join(', ')}`);
    return match;
  }

  /** ATTEMPT_OPEN (409) while the session's current attempt waits for its disposition. */
  async requireNoOpenAttempt(session: DialerSession, doing: string): Promise<void> {
    if (!session.current_attempt_id) return;
    const open = await this.attempts.find(session.app_id, session.current_attempt_id);
    if (open && open.status !== 'dispositioned' && open.status !== 'failed') {
      throw new DomainError('ATTEMPT_OPEN', `Attempt ${open.id} is waiting for its disposition: send it before ${doing}`);
    }
  }
}

/**
 * Parses the sheet's numbers a few hundred rows per event-loop turn, so the
 * first dial does not spend a blocking half second on a large sheet (the parses
 * are memoised by the policy engine).
 */
function warmInBackground(rows: readonly AgentRow[], region: CampaignPolicy['defaultRegion']): void {
  let from = 0;
  const step = () => {
    from = warmLeads(rows, region, from, 300);
    if (from < rows.length) setImmediate(step);
  };
  setImmediate(step);
}
