import { Injectable, Logger } from '@nestjs/common';
import type { AppId } from '../common/app-id.js';
import type { AgentPrincipal } from '../auth/request-context.js';
import { DomainError } from '../common/errors/domain-error.js';
import { DialpadClient } from '../integrations/dialpad/dialpad.client.js';
import { AgentChannel } from '../realtime/agent-channel.service.js';
import { AttemptsRepository } from './attempts.repository.js';
import { DialerMetrics } from './dialer-metrics.js';
import type { HangupResultDto } from './dto/dialer.dto.js';
import { SessionStatsStore } from './session-stats.store.js';
import { SessionViews } from './session-views.service.js';
import { SessionStore } from './session.store.js';

export type CallProgress = 'ringing' | 'connected' | 'ended';

/**
 * The dialer's calls as Dialpad reports them (webhooks matched by custom_data):
 * CALL_STATE to the agent's sockets on every change, connects and talk time in
 * the stats, SHOW_DISPO once when the call ends; and the agent's Hang up.
 */
@Injectable()
export class CallProgressService {
  private readonly logger = new Logger('Dialer');

  constructor(
    private readonly sessions: SessionStore,
    private readonly views: SessionViews,
    private readonly stats: SessionStatsStore,
    private readonly attempts: AttemptsRepository,
    private readonly dialpad: DialpadClient,
    private readonly agents: AgentChannel,
    private readonly metrics: DialerMetrics,
  ) {}

  /** POST /hangup: ends the attempt's call through Dialpad; its end comes back as webhooks (then SHOW_DISPO). */
  async hangup(agent: AgentPrincipal, attemptId: string): Promise<HangupResultDto> {
    const session = await this.sessions.requireCurrent(agent);
    const attempt = await this.attempts.find(agent.appId, attemptId);
    if (!attempt || attempt.session_id !== session.id) throw new DomainError('ATTEMPT_NOT_FOUND', `Attempt ${attemptId} not found in this session`);
    if (!attempt.dialpad_call_id || attempt.ended_at || attempt.status === 'dispositioned' || attempt.status === 'failed') {
      throw new DomainError('CALL_NOT_ACTIVE', `The call of attempt ${attempt.id} is not in progress`);
    }
    await this.dialpad.hangup(agent.appId, attempt.dialpad_call_id);
    this.logger.log({ attempt_id: attempt.id }, 'call hung up by the agent');
    return { attempt_id: attempt.id, hung_up: true };
  }

  async onCallProgress(
    appId: AppId,
    attemptId: string,
    status: CallProgress,
    at: { connectedAt: Date | null; endedAt: Date | null; durationMs: number | null },
  ): Promise<void> {
    // the transition is atomic: the same end delivered twice (webhook and forwarder, or two legs) asks once
    const progress = await this.attempts.callProgress(appId, attemptId, status, at);
    if (!progress) return;
    const after = progress.row;
    const closed = after.status === 'dispositioned' || after.status === 'failed';
    if (!closed) {
      await this.agents.send(appId, after.agent_email, {
        event: 'CALL_STATE',
        attempt_id: after.id,
        status: after.status,
        connected_at: after.connected_at,
        ended_at: after.ended_at,
      });
    }
    const connectedNow = !progress.wasConnected && after.connected_at !== null;
    const endedNow = !progress.wasEnded && after.ended_at !== null;
    const session = connectedNow || endedNow ? await this.sessions.get(appId, after.session_id) : null;
    const campaign = session?.campaign_name ?? 'unknown';
    if (connectedNow) {
      await this.stats.incr(appId, after.session_id, 'connects');
      this.metrics.callsConnected.inc({ campaign });
      // the agent's counters show the connect while the call is on, not after its disposition
      if (session) await this.views.pushStats(await this.views.view(session));
    }
    if (!endedNow || !after.ended_at) return;
    this.metrics.callsCompleted.inc({ campaign, connected: String(after.connected_at !== null) });
    const talk = after.connected_at ? Math.max(0, after.ended_at.getTime() - after.connected_at.getTime()) : 0;
    if (talk > 0) await this.stats.incr(appId, after.session_id, 'talk_time_ms', talk);
    if (closed) {
      // the agent already gave the outcome (or the dial failed): a dialog now would be about a call long gone
      this.logger.log({ attempt_id: attemptId, call_status: status }, `call ended after the attempt was ${after.status}: no SHOW_DISPO`);
      return;
    }
    this.logger.log({ attempt_id: attemptId, call_status: status }, 'call ended: asking for a disposition');
    await this.agents.send(appId, after.agent_email, {
      event: 'SHOW_DISPO',
      attempt_id: after.id,
      row_id: after.row_id,
      number_index: after.number_index,
      phone: after.phone,
      dialpad_call_id: after.dialpad_call_id,
      connected: after.connected_at !== null,
      talk_time_ms: talk,
    });
    if (session) await this.views.pushStats(await this.views.view(session));
  }
}
