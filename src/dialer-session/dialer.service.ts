import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import type { AgentPrincipal } from '../auth/request-context.js';
import { DomainError, httpStatusOf } from '../common/errors/domain-error.js';
import { DialpadClient } from '../integrations/dialpad/dialpad.client.js';
import type { SheetRef } from '../integrations/sheets/sheet-reader.js';
import { LEAD_GONE } from '../integrations/sheets/lead-writer.js';
import { SheetsGateway } from '../integrations/sheets/sheets.gateway.js';
import { RedisLock } from '../infra/redis/redis-lock.js';
import { maskPhoneNumbers } from '../infra/logging/mask.js';
import { applyDisposition, type CampaignPolicy, markInProgress, parseDispositionCode, pickNext, statusColumn, warmLeads } from '../policy/index.js';
import type { AgentRow } from '../policy/policy.types.js';
import { AgentChannel } from '../realtime/agent-channel.service.js';
import { AttemptRow, AttemptsRepository } from './attempts.repository.js';
import { DialerConfigService, tabRef } from './dialer-config.service.js';
import { DialerMetrics } from './dialer-metrics.js';
import { ReservationStore } from './reservation.store.js';
import { SessionStats, SessionStatsStore } from './session-stats.store.js';
import { DialerSession, ReadyState, SessionStore } from './session.store.js';
import { DIGITS_ID_PATTERN } from '../common/ids.js';

export interface SessionView extends DialerSession {
  stats: SessionStats;
}

export type DialResult =
  | { attempt: null; attempt_id: null; reason: string; skipped: Record<string, number> }
  | { attempt_id: string; row_id: string; name: string; number_index: number; phone: string; dialpad_call_id: string };

export interface DispositionResult {
  attempt_id: string;
  code: string;
  /**
   * `written` now, `queued` in the durable outbox while Google Sheets is unavailable,
   * or `lead_gone` when the lead's row was deleted from the sheet (nothing left to write)
   */
  sheet: 'written' | 'queued' | 'lead_gone';
  /** the next dial, chained when the session is PLAY (null when paused, or when it failed: see `next_error`) */
  next: DialResult | null;
  /** why the chained dial failed (e.g. 429 with retry_after_ms); the disposition itself is recorded */
  next_error?: ChainedDialError;
}

export interface ChainedDialError {
  statusCode: number;
  code: string;
  message: string;
  retry_after_ms?: number;
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
    if (!DIGITS_ID_PATTERN.test(route.dialpadUserId)) throw new DomainError('INVALID_INPUT', `the router's DialpadUserID for ${agent.email} is not a Dialpad user id`);
    // validates the agent tab's header (a missing column is named in the 400)
    const sheet = await this.sheets.readAgentSheet({ spreadsheetId: route.spreadsheetId, tab: tabRef(route.tabId) }, { refresh: true });
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
      // a stopped session can no longer disposition: its number would stay IN_PROGRESS in the sheet for good
      if (state === 'STOPPED') await this.requireNoOpenAttempt(fresh, 'stopping');
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
    return this.underLock(session, (fresh) => this.dialLocked(fresh));
  }

  async disposition(agent: AgentPrincipal, input: { attemptId: string; code: string; notes?: string }): Promise<DispositionResult> {
    const code = parseDispositionCode(/^\d$/.test(input.code) ? Number(input.code) : input.code);
    if (!code) throw new DomainError('INVALID_INPUT', 'code must be 1-6 or CORRECT, WRONG, VM_SAME_NAME, VM_OR_NA_UNKNOWN, NO_ANSWER, SKIP');
    const session = await this.requireSession(agent);
    return this.underLock(session, async (fresh) => {
      const attempt = await this.attempts.find(agent.appId, input.attemptId);
      if (!attempt || attempt.session_id !== session.id) throw new DomainError('NOT_FOUND', `Attempt ${input.attemptId} not found in this session`);
      if (attempt.status === 'dispositioned') throw new DomainError('CONFLICT', `Attempt ${attempt.id} already has a disposition (${attempt.disposition})`);
      if (attempt.status === 'failed') throw new DomainError('CONFLICT', `Attempt ${attempt.id} was never placed`);
      const { policy } = await this.configs.effective(agent.appId);
      const now = new Date();
      let sheet: DispositionResult['sheet'];
      try {
        const write = await this.sheets.writeLead(agent.appId, sheetRef(attempt), {
          rowId: attempt.row_id,
          changes: (row) => applyDisposition({ row, numberIndex: attempt.number_index, code, notes: input.notes, now, policy }).changes,
        });
        sheet = write.status;
      } catch (err) {
        // someone deleted the row: the outcome is still recorded, or the agent could never move on
        if (!isLeadGone(err)) throw err;
        this.logger.warn({ attempt_id: attempt.id, row_id: attempt.row_id }, 'lead is no longer in the sheet: disposition recorded without a sheet write');
        sheet = 'lead_gone';
      }
      if (!(await this.attempts.disposition(agent.appId, attempt.id, code, input.notes ?? null))) {
        throw new DomainError('CONFLICT', `Attempt ${attempt.id} already has a disposition`);
      }
      await this.reservations.release(agent.appId, attempt.spreadsheet_id, attempt.tab_id, attempt.row_id, attempt.id);
      if (fresh.current_attempt_id === attempt.id) fresh.current_attempt_id = null;
      await this.sessions.save(fresh);
      await this.stats.incr(agent.appId, session.id, `dispo:${code}`);
      this.metrics.dispositions.inc({ code });
      this.logger.log({ attempt_id: attempt.id, code, sheet }, 'disposition recorded');
      const result: DispositionResult = { attempt_id: attempt.id, code, sheet, next: null };
      if (fresh.state === 'PLAY') {
        // the disposition is recorded whatever happens to the next dial: a failed dial must not fail it (its retry would be refused)
        try {
          result.next = await this.dialLocked(fresh);
        } catch (err) {
          result.next_error = chainedDialError(err);
          this.logger.warn({ attempt_id: attempt.id, status: result.next_error.statusCode }, `chained dial failed: ${result.next_error.message}`);
        }
      }
      if (!result.next || result.next.attempt_id === null) await this.pushStats(await this.view(fresh));
      return result;
    });
  }

  /** Call progress from the processor (webhooks matched by custom_data): SHOW_DISPO when the call ends. */
  async onCallProgress(
    appId: string,
    attemptId: string,
    status: 'ringing' | 'connected' | 'ended',
    at: { connectedAt: Date | null; endedAt: Date | null; durationMs: number | null },
  ): Promise<void> {
    // the transition is atomic: the same end delivered twice (webhook and forwarder, or two legs) asks once
    const progress = await this.attempts.callProgress(appId, attemptId, status, at);
    if (!progress) return;
    const after = progress.row;
    if (!progress.wasConnected && after.connected_at) {
      await this.stats.incr(appId, after.session_id, 'connects');
    }
    if (!progress.wasEnded && after.ended_at) {
      const talk = after.connected_at ? Math.max(0, after.ended_at.getTime() - after.connected_at.getTime()) : 0;
      if (talk > 0) await this.stats.incr(appId, after.session_id, 'talk_time_ms', talk);
      if (after.status === 'dispositioned' || after.status === 'failed') {
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
      const session = await this.sessions.get(appId, after.session_id);
      if (session) await this.pushStats(await this.view(session));
    }
  }

  private async dialLocked(session: DialerSession): Promise<DialResult> {
    if (session.state !== 'PLAY') throw new DomainError('CONFLICT', `The session is ${session.state}, not PLAY`);
    await this.requireNoOpenAttempt(session, 'dialing');
    const { policy } = await this.configs.effective(session.app_id);
    const ref: SheetRef = { spreadsheetId: session.spreadsheet_id, tab: tabRef(session.tab_id) };
    let sheet = await this.sheets.readAgentSheet(ref);
    const reserved = await this.reservations.reserved(session.app_id, session.spreadsheet_id, session.tab_id);
    if (await this.releaseAbandoned(session, ref, sheet.rows, reserved)) sheet = await this.sheets.readAgentSheet(ref);
    let lastSummary: ReturnType<typeof pickNext>['summary'] | null = null;
    for (let i = 0; i < MAX_PICKS; i++) {
      const now = new Date();
      const result = pickNext({ readyState: 'PLAY', rows: sheet.rows, policy, now, reserved: { rowIds: reserved }, explain: false });
      lastSummary = result.summary;
      if (!result.pick) break;
      const attemptId = randomUUID();
      if (!(await this.reservations.reserve(session.app_id, session.spreadsheet_id, session.tab_id, result.pick.rowId, attemptId))) {
        reserved.add(result.pick.rowId);
        continue;
      }
      const placed = await this.place(session, ref, result.pick, attemptId, policy, now);
      if (placed) return placed;
      // the row changed in the sheet since it was read (a person, another node): read the tab again, pick again
      sheet = await this.sheets.readAgentSheet(ref, { refresh: true });
    }
    return nothingToDial(lastSummary);
  }

  /**
   * A number stays IN_PROGRESS while its dial waits for a disposition, and its
   * row stays reserved. When the reservation has expired (the agent never came
   * back: RESERVATION_TTL_MS) the dial is abandoned: the number gets its status
   * from before the dial again and the attempt is closed as failed, so the lead
   * is not out of rotation forever. Returns whether anything changed.
   */
  private async releaseAbandoned(session: DialerSession, ref: SheetRef, rows: readonly AgentRow[], reserved: ReadonlySet<string>): Promise<boolean> {
    const stuck = rows.filter((r) => !reserved.has(r.rowId) && r.statuses.some((s) => s.trim().toUpperCase() === 'IN_PROGRESS'));
    const open = await this.attempts.openForRows(session.app_id, session.spreadsheet_id, session.tab_id, stuck.map((r) => r.rowId));
    let changed = false;
    for (const attempt of open) {
      if (attempt.session_id === session.id) continue; // this agent's own open dial is refused earlier
      const column = statusColumn(attempt.number_index);
      await this.sheets.writeLead(session.app_id, ref, {
        rowId: attempt.row_id,
        changes: (row) =>
          row.statuses[attempt.number_index - 1]?.trim().toUpperCase() === 'IN_PROGRESS'
            ? { values: [{ column, value: attempt.previous_status || 'NEW' }], formats: [] }
            : { values: [], formats: [] },
      });
      await this.attempts.failed(session.app_id, attempt.id, 'abandoned: no disposition before the lead reservation expired');
      this.logger.warn({ attempt_id: attempt.id, row_id: attempt.row_id }, 'abandoned dial released: number back in rotation');
      changed = true;
    }
    return changed;
  }

  /** Places the picked call; null (nothing done, lead released) when the row as it is in the sheet now no longer gives that pick. */
  private async place(
    session: DialerSession,
    ref: SheetRef,
    pick: NonNullable<ReturnType<typeof pickNext>['pick']>,
    attemptId: string,
    policy: CampaignPolicy,
    now: Date,
  ): Promise<DialResult | null> {
    const appId = session.app_id;
    let previousStatus: string | null = null;
    let stale = false;
    const release = () => this.reservations.release(appId, session.spreadsheet_id, session.tab_id, pick.rowId, attemptId);
    try {
      // the writer hands over the row as it is in the sheet right now: mark it only if it still gives this pick
      await this.sheets
        .writeLead(appId, ref, {
          rowId: pick.rowId,
          changes: (row) => {
            previousStatus = row.statuses[pick.numberIndex - 1] ?? '';
            if (!stillPicks(row, pick, policy, now)) {
              stale = true;
              return { values: [], formats: [] };
            }
            return markInProgress(row, pick.numberIndex).changes;
          },
        })
        .catch((err: unknown) => {
          if (!isLeadGone(err)) throw err;
          stale = true; // deleted since it was read
        });
      if (stale) {
        this.logger.log({ attempt_id: attemptId, row_id: pick.rowId }, 'lead changed in the sheet since it was read: picking again');
        await release();
        return null;
      }
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
        previous_status: previousStatus,
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

  /** Runs `fn` holding the session's lock, with the session as it is now (read after the lock is taken: what was read before may be stale). */
  private async underLock<T>(session: DialerSession, fn: (fresh: DialerSession) => Promise<T>): Promise<T> {
    const held = await this.lock.tryAcquire(`session:${session.id}`, 5000);
    if (!held) throw new DomainError('CONFLICT', 'Another dial or disposition of this session is in progress');
    try {
      const fresh = await this.sessions.get(session.app_id, session.id);
      if (!fresh || fresh.state === 'STOPPED') throw new DomainError('NOT_FOUND', 'No live dialer session: POST /session/start');
      return await fn(fresh);
    } finally {
      await held.release().catch(() => undefined);
    }
  }

  /** 409 while the session's current attempt waits for its disposition. */
  private async requireNoOpenAttempt(session: DialerSession, doing: string): Promise<void> {
    if (!session.current_attempt_id) return;
    const open = await this.attempts.find(session.app_id, session.current_attempt_id);
    if (open && open.status !== 'dispositioned' && open.status !== 'failed') {
      throw new DomainError('CONFLICT', `Attempt ${open.id} is waiting for its disposition: send it before ${doing}`);
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

function sheetRef(attempt: AttemptRow): SheetRef {
  return { spreadsheetId: attempt.spreadsheet_id, tab: tabRef(attempt.tab_id) };
}

/** Whether the row, as it is now, still gives the same number to dial (its status, the rules, the number itself). */
function stillPicks(row: AgentRow, pick: NonNullable<ReturnType<typeof pickNext>['pick']>, policy: CampaignPolicy, now: Date): boolean {
  const again = pickNext({ readyState: 'PLAY', rows: [row], policy, now, explain: false }).pick;
  return again !== null && again.numberIndex === pick.numberIndex && again.phone === pick.phone;
}

function isLeadGone(err: unknown): boolean {
  return err instanceof DomainError && err.details?.reason === LEAD_GONE;
}

function chainedDialError(err: unknown): ChainedDialError {
  if (!(err instanceof DomainError)) return { statusCode: 500, code: 'INTERNAL', message: 'The next dial failed: POST /dial to try again' };
  const retryAfterMs = err.details?.retry_after_ms;
  return {
    statusCode: httpStatusOf(err.code),
    code: err.code,
    message: err.message,
    ...(typeof retryAfterMs === 'number' ? { retry_after_ms: retryAfterMs } : {}),
  };
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
