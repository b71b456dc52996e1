import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import type { AgentPrincipal } from '../auth/request-context.js';
import { DomainError } from '../common/errors/domain-error.js';
import { DialpadClient } from '../integrations/dialpad/dialpad.client.js';
import type { SheetRef } from '../integrations/sheets/sheet-reader.js';
import { SheetsGateway } from '../integrations/sheets/sheets.gateway.js';
import { RedisLock } from '../infra/redis/redis-lock.js';
import { maskPhoneNumbers } from '../infra/logging/mask.js';
import { applyDisposition, markInProgress, parseDispositionCode, pickNext, statusColumn } from '../policy/index.js';
import { AgentChannel } from '../realtime/agent-channel.service.js';
import { AttemptRow, AttemptsRepository } from './attempts.repository.js';
import { DialerConfigService, tabRef } from './dialer-config.service.js';
import { DialerMetrics } from './dialer-metrics.js';
import { ReservationStore } from './reservation.store.js';
import { SessionStats, SessionStatsStore } from './session-stats.store.js';
import { DialerSession, ReadyState, SessionStore } from './session.store.js';

export interface SessionView extends DialerSession {
  stats: SessionStats;
}

export type DialResult =
  | { attempt: null; attempt_id: null; reason: string; skipped: Record<string, number> }
  | { attempt_id: string; row_id: string; name: string; number_index: number; phone: string; dialpad_call_id: string };

export interface DispositionResult {
  attempt_id: string;
  code: string;
  /** `written` now, or `queued` in the durable outbox while Google Sheets is unavailable */
  sheet: 'written' | 'queued';
  /** the next dial, chained when the session is PLAY (null when paused) */
  next: DialResult | null;
}

/** Picks this many times when another agent reserves the picked lead first. */
const MAX_PICKS = 5;

/**
 * The agent's loop (SPEC §9): start → dial → (call ends: SHOW_DISPO) →
 * disposition → next dial. Every dial and disposition of a session runs under
 * its Redis lock; leads are reserved per tab so two agents never get the same one.
 */
@Injectable()
export class DialerService {
  private readonly logger = new Logger('Dialer');

  constructor(
    private readonly sessions: SessionStore,
    private readonly stats: SessionStatsStore,
    private readonly reservations: ReservationStore,
    private readonly attempts: AttemptsRepository,
    private readonly configs: DialerConfigService,
    private readonly sheets: SheetsGateway,
    private readonly dialpad: DialpadClient,
    private readonly lock: RedisLock,
    private readonly agents: AgentChannel,
    private readonly metrics: DialerMetrics,
  ) {}

  /** Starts the agent's session, or returns its live one (crash-safe recovery). */
  async start(agent: AgentPrincipal): Promise<{ session: SessionView; recovered: boolean }> {
    const existing = await this.sessions.current(agent.appId, agent.email);
    if (existing) return { session: await this.view(existing), recovered: true };
    const config = await this.configs.effective(agent.appId);
    const route = await this.sheets.findRoute(config.routerSpreadsheetId, config.routerTab, agent.email, { refresh: true });
    if (!route) throw new DomainError('FORBIDDEN', `${agent.email} is not in the router sheet`);
    if (!route.active) throw new DomainError('FORBIDDEN', `${agent.email} is not Active in the router sheet`);
    if (!/^\d{1,32}$/.test(route.dialpadUserId)) throw new DomainError('INVALID_INPUT', `the router's DialpadUserID for ${agent.email} is not a Dialpad user id`);
    // validates the agent tab's header (a missing column is named in the 400)
    await this.sheets.readAgentSheet({ spreadsheetId: route.spreadsheetId, tab: tabRef(route.tabId) }, { refresh: true });
    const { session, created } = await this.sessions.create({
      app_id: agent.appId,
      agent_email: agent.email.toLowerCase(),
      dialpad_user_id: route.dialpadUserId,
      spreadsheet_id: route.spreadsheetId,
      tab_id: route.tabId,
      campaign_name: route.campaignName,
    });
    if (created) this.logger.log({ session_id: session.id, agent: agent.email }, 'dialer session started');
    return { session: await this.view(session), recovered: !created };
  }

  async current(agent: AgentPrincipal): Promise<SessionView> {
    return this.view(await this.requireSession(agent));
  }

  /** PLAY / PAUSE / STOPPED. Pausing stops the chaining of the next dial; stopping ends the session. */
  async setState(agent: AgentPrincipal, state: ReadyState): Promise<SessionView> {
    const session = await this.requireSession(agent);
    const result = await this.lock.withLock(`session:${session.id}`, async () => {
      const fresh = (await this.sessions.get(agent.appId, session.id)) ?? session;
      fresh.state = state;
      return this.sessions.save(fresh);
    });
    if (!result.ok) throw new DomainError('CONFLICT', 'A dial or disposition of this session is in progress: try again');
    const view = await this.view(result.value);
    await this.pushStats(view);
    return view;
  }

  /** Places the next call of the session. */
  async dial(agent: AgentPrincipal): Promise<DialResult> {
    const session = await this.requireSession(agent);
    return this.underLock(session, () => this.dialLocked(session));
  }

  async disposition(agent: AgentPrincipal, input: { attemptId: string; code: string; notes?: string }): Promise<DispositionResult> {
    const code = parseDispositionCode(/^\d$/.test(input.code) ? Number(input.code) : input.code);
    if (!code) throw new DomainError('INVALID_INPUT', 'code must be 1-6 or CORRECT, WRONG, VM_SAME_NAME, VM_OR_NA_UNKNOWN, NO_ANSWER, SKIP');
    const session = await this.requireSession(agent);
    return this.underLock(session, async () => {
      const attempt = await this.attempts.find(agent.appId, input.attemptId);
      if (!attempt || attempt.session_id !== session.id) throw new DomainError('NOT_FOUND', `Attempt ${input.attemptId} not found in this session`);
      if (attempt.status === 'dispositioned') throw new DomainError('CONFLICT', `Attempt ${attempt.id} already has a disposition (${attempt.disposition})`);
      if (attempt.status === 'failed') throw new DomainError('CONFLICT', `Attempt ${attempt.id} was never placed`);
      const { policy } = await this.configs.effective(agent.appId);
      const now = new Date();
      const write = await this.sheets.writeLead(agent.appId, sheetRef(attempt), {
        rowId: attempt.row_id,
        changes: (row) => applyDisposition({ row, numberIndex: attempt.number_index, code, notes: input.notes, now, policy }).changes,
      });
      if (!(await this.attempts.disposition(agent.appId, attempt.id, code, input.notes ?? null))) {
        throw new DomainError('CONFLICT', `Attempt ${attempt.id} already has a disposition`);
      }
      await this.reservations.release(agent.appId, attempt.spreadsheet_id, attempt.tab_id, attempt.row_id, attempt.id);
      const fresh = (await this.sessions.get(agent.appId, session.id)) ?? session;
      if (fresh.current_attempt_id === attempt.id) fresh.current_attempt_id = null;
      await this.sessions.save(fresh);
      await this.stats.incr(agent.appId, session.id, `dispo:${code}`);
      this.metrics.dispositions.inc({ code });
      this.logger.log({ attempt_id: attempt.id, code, sheet: write.status }, 'disposition recorded');
      const next = fresh.state === 'PLAY' ? await this.dialLocked(fresh) : null;
      if (!next) await this.pushStats(await this.view(fresh));
      return { attempt_id: attempt.id, code, sheet: write.status, next };
    });
  }

  /** Call progress from the processor (webhooks matched by custom_data): SHOW_DISPO when the call ends. */
  async onCallProgress(
    appId: string,
    attemptId: string,
    status: 'ringing' | 'connected' | 'ended',
    at: { connectedAt: Date | null; endedAt: Date | null; durationMs: number | null },
  ): Promise<void> {
    const before = await this.attempts.find(appId, attemptId);
    if (!before) return;
    const after = await this.attempts.callProgress(appId, attemptId, status, at);
    if (!after) return;
    if (!before.connected_at && after.connected_at) {
      await this.stats.incr(appId, after.session_id, 'connects');
    }
    if (!before.ended_at && after.ended_at) {
      const talk = after.connected_at ? Math.max(0, after.ended_at.getTime() - after.connected_at.getTime()) : 0;
      if (talk > 0) await this.stats.incr(appId, after.session_id, 'talk_time_ms', talk);
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
      const session = await this.sessions.get(appId, after.session_id);
      if (session) await this.pushStats(await this.view(session));
    }
  }

  private async dialLocked(session: DialerSession): Promise<DialResult> {
    if (session.state !== 'PLAY') throw new DomainError('CONFLICT', `The session is ${session.state}, not PLAY`);
    if (session.current_attempt_id) {
      const open = await this.attempts.find(session.app_id, session.current_attempt_id);
      if (open && open.status !== 'dispositioned' && open.status !== 'failed') {
        throw new DomainError('CONFLICT', `Attempt ${open.id} is waiting for its disposition`);
      }
    }
    const { policy } = await this.configs.effective(session.app_id);
    const ref: SheetRef = { spreadsheetId: session.spreadsheet_id, tab: tabRef(session.tab_id) };
    const sheet = await this.sheets.readAgentSheet(ref);
    const reserved = await this.reservations.reserved(session.app_id, session.spreadsheet_id, session.tab_id);
    const attemptId = randomUUID();
    let picked: ReturnType<typeof pickNext>['pick'] = null;
    let lastSummary: ReturnType<typeof pickNext>['summary'] | null = null;
    for (let i = 0; i < MAX_PICKS && !picked; i++) {
      const result = pickNext({ readyState: 'PLAY', rows: sheet.rows, policy, now: new Date(), reserved: { rowIds: reserved }, explain: false });
      lastSummary = result.summary;
      if (!result.pick) break;
      if (await this.reservations.reserve(session.app_id, session.spreadsheet_id, session.tab_id, result.pick.rowId, attemptId)) picked = result.pick;
      else reserved.add(result.pick.rowId);
    }
    if (!picked) return nothingToDial(lastSummary);
    return this.place(session, ref, picked, attemptId);
  }

  private async place(
    session: DialerSession,
    ref: SheetRef,
    pick: NonNullable<ReturnType<typeof pickNext>['pick']>,
    attemptId: string,
  ): Promise<DialResult> {
    const appId = session.app_id;
    let previousStatus: string | null = null;
    const release = () => this.reservations.release(appId, session.spreadsheet_id, session.tab_id, pick.rowId, attemptId);
    try {
      await this.sheets.writeLead(appId, ref, {
        rowId: pick.rowId,
        changes: (row) => {
          previousStatus = row.statuses[pick.numberIndex - 1] ?? '';
          return markInProgress(row, pick.numberIndex).changes;
        },
      });
      await this.attempts.create({
        id: attemptId,
        app_id: appId,
        session_id: session.id,
        agent_email: session.agent_email,
        spreadsheet_id: session.spreadsheet_id,
        tab_id: session.tab_id,
        row_id: pick.rowId,
        number_index: pick.numberIndex,
        phone: pick.phone,
      });
    } catch (err) {
      await release();
      throw err;
    }
    let callId: string;
    try {
      ({ call_id: callId } = await this.dialpad.initiateCall(appId, {
        user_id: session.dialpad_user_id,
        phone_number: pick.phone,
        custom_data: attemptId,
      }));
    } catch (err) {
      // the call was not placed: the number goes back to what it was, the lead is free again
      await this.attempts.failed(appId, attemptId, (err as Error).message).catch(() => undefined);
      const restore = previousStatus ?? 'NEW';
      await this.sheets
        .writeLead(appId, ref, { rowId: pick.rowId, changes: { values: [{ column: statusColumn(pick.numberIndex), value: restore }], formats: [] } })
        .catch((e: unknown) => this.logger.error({ attempt_id: attemptId }, `could not restore the number's status: ${(e as Error).message}`));
      await release();
      this.metrics.dials.inc({ result: 'failed' });
      throw err;
    }
    await this.attempts.placed(appId, attemptId, callId);
    const fresh = (await this.sessions.get(appId, session.id)) ?? session;
    fresh.current_attempt_id = attemptId;
    await this.sessions.save(fresh);
    await this.stats.incr(appId, session.id, 'dials');
    this.metrics.dials.inc({ result: 'placed' });
    this.logger.log({ attempt_id: attemptId, row_id: pick.rowId, phone: maskPhoneNumbers(pick.phone) }, 'call placed');
    await this.pushStats(await this.view(fresh));
    return { attempt_id: attemptId, row_id: pick.rowId, name: pick.name, number_index: pick.numberIndex, phone: pick.phone, dialpad_call_id: callId };
  }

  private async underLock<T>(session: DialerSession, fn: () => Promise<T>): Promise<T> {
    const held = await this.lock.tryAcquire(`session:${session.id}`, 5000);
    if (!held) throw new DomainError('CONFLICT', 'Another dial or disposition of this session is in progress');
    try {
      return await fn();
    } finally {
      await held.release().catch(() => undefined);
    }
  }

  private async requireSession(agent: AgentPrincipal): Promise<DialerSession> {
    const session = await this.sessions.current(agent.appId, agent.email);
    if (!session) throw new DomainError('NOT_FOUND', 'No live dialer session: POST /session/start');
    return session;
  }

  private async view(session: DialerSession): Promise<SessionView> {
    return { ...session, stats: await this.stats.read(session.app_id, session.id, session.started_at) };
  }

  private async pushStats(view: SessionView): Promise<void> {
    await this.agents
      .send(view.app_id, view.agent_email, { event: 'STATS', session_id: view.id, state: view.state, stats: view.stats })
      .catch(() => undefined);
  }
}

function sheetRef(attempt: AttemptRow): SheetRef {
  return { spreadsheetId: attempt.spreadsheet_id, tab: tabRef(attempt.tab_id) };
}

function nothingToDial(summary: ReturnType<typeof pickNext>['summary'] | null): DialResult {
  const byReason = (summary?.byReason ?? {}) as Record<string, number>;
  const parts = Object.entries(byReason)
    .sort((a, b) => b[1] - a[1])
    .map(([reason, n]) => `${n} ${reason}`);
  const done = summary?.done ? [`${summary.done} done`] : [];
  const reason = parts.length + done.length > 0 ? `no lead can be dialed now: ${[...parts, ...done].join(', ')}` : 'no lead can be dialed now: the sheet has no open numbers';
  return { attempt: null, attempt_id: null, reason, skipped: byReason };
}
