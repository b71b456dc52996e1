import { randomUUID } from 'node:crypto';
import type { AppId } from '../common/app-id.js';
import { Injectable, Logger } from '@nestjs/common';
import type { AgentPrincipal } from '../auth/request-context.js';
import { DomainError } from '../common/errors/domain-error.js';
import { DialpadClient } from '../integrations/dialpad/dialpad.client.js';
import type { SheetRef } from '../integrations/sheets/sheet-reader.js';
import { SheetsGateway } from '../integrations/sheets/sheets.gateway.js';
import { maskPhoneNumbers } from '../infra/logging/mask.js';
import { type CampaignPolicy, type LeadPick, markInProgress, pickNext, type PickInput, type PickSummary, type ScheduledCallback, statusColumn } from '../policy/index.js';
import type { AgentRow } from '../policy/index.js';
import { AttemptsRepository } from './attempts.repository.js';
import { DialerConfigService, tabRef } from './dialer-config.service.js';
import { DncList } from '../dnc/dnc-list.service.js';
import { CallbacksRepository } from './callbacks.repository.js';
import { DialerMetrics } from './dialer-metrics.js';
import type { DialResultDto } from './dto/dialer.dto.js';
import { leadView } from './lead-view.js';
import { isLeadGone } from './lead-gone.js';
import { ReservationStore } from './reservation.store.js';
import { SessionLifecycle } from './session-lifecycle.service.js';
import { SessionLock } from './session-lock.js';
import { SessionStatsStore } from './session-stats.store.js';
import { SessionViews } from './session-views.service.js';
import { DialerSession, SessionStore } from './session.store.js';

/** The pick's inputs besides the rows: the do-not-call set and the attempt history of the caps. */
type PickContext = Pick<PickInput, 'dnc' | 'callbacks' | 'recentDials' | 'recentLeadDials'>;

export interface DialOptions {
  /** answer with the lead card (`?include=lead`: the console's; integrations that need only ids skip it) */
  includeLead?: boolean;
}

/** Picks this many times when another agent reserves the picked lead first. */
const MAX_PICKS = 5;

/**
 * Placing the next call: pick (the pure policy), reserve the row for this
 * agent, mark the number IN_PROGRESS, call Dialpad — and undo each step when a
 * later one fails, so a failed dial leaves the sheet and the tab as they were.
 */
@Injectable()
export class DialPlacement {
  private readonly logger = new Logger('Dialer');

  constructor(
    private readonly sessions: SessionStore,
    private readonly lock: SessionLock,
    private readonly lifecycle: SessionLifecycle,
    private readonly views: SessionViews,
    private readonly stats: SessionStatsStore,
    private readonly reservations: ReservationStore,
    private readonly attempts: AttemptsRepository,
    private readonly configs: DialerConfigService,
    private readonly sheets: SheetsGateway,
    private readonly dialpad: DialpadClient,
    private readonly metrics: DialerMetrics,
    private readonly dnc: DncList,
    private readonly callbacks: CallbacksRepository,
  ) {}

  /** POST /dial: places the next call of the agent's session. */
  async dial(agent: AgentPrincipal, options: DialOptions = {}): Promise<DialResultDto> {
    const session = await this.sessions.requireCurrent(agent);
    return this.lock.run(session, (fresh) => this.dialLocked(fresh, options));
  }

  /** The dial itself; the caller holds the session's lock (a disposition chains its next dial here). */
  async dialLocked(session: DialerSession, options: DialOptions = {}): Promise<DialResultDto> {
    if (session.state !== 'PLAY') throw new DomainError('SESSION_NOT_PLAYING', `The session is ${session.state}, not PLAY`);
    await this.lifecycle.requireNoOpenAttempt(session, 'dialing');
    const { policy } = await this.configs.effective(session.app_id);
    const ref: SheetRef = { spreadsheetId: session.spreadsheet_id, tab: tabRef(session.tab_id) };
    // what the pick needs, asked for at once: the tab, the reservations, the history, the do-not-call list, the callbacks
    const [read, reserved, history, listed, due] = await Promise.all([
      this.sheets.readAgentSheet(ref),
      this.reservations.reserved(session.app_id, session.spreadsheet_id, session.tab_id),
      this.historyFor(session, policy),
      this.dnc.numbers(session.app_id),
      this.dueCallbacks(session),
    ]);
    let sheet = read;
    let dnc = listed;
    let callbacks = due;
    if (await this.releaseAbandoned(session, ref, sheet.rows, reserved)) sheet = await this.sheets.readAgentSheet(ref);
    let lastSummary: PickSummary | null = null;
    for (let i = 0; i < MAX_PICKS; i++) {
      const now = new Date();
      const result = pickNext({ readyState: 'PLAY', rows: sheet.rows, policy, now, reserved: { rowIds: reserved }, dnc, callbacks, ...history, explain: false });
      lastSummary = result.summary;
      if (!result.pick) break;
      const attemptId = randomUUID();
      if (!(await this.reservations.reserve(session.app_id, session.spreadsheet_id, session.tab_id, result.pick.rowId, attemptId))) {
        reserved.add(result.pick.rowId);
        continue;
      }
      // the list as it is now, not as this node last loaded it: a number added a second ago is never dialed
      if (await this.dnc.isListed(session.app_id, result.pick.phone)) {
        await this.reservations.release(session.app_id, session.spreadsheet_id, session.tab_id, result.pick.rowId, attemptId);
        this.logger.log({ attempt_id: attemptId, row_id: result.pick.rowId }, 'picked number is on the do-not-call list now: picking again');
        dnc = new Set([...dnc, result.pick.phone]);
        continue;
      }
      // a due callback is dialed once: by this dial, unless another agent's took it a moment ago
      const callbackId = result.pick.callbackId;
      if (callbackId !== undefined && !(await this.callbacks.markDialed(session.app_id, callbackId, attemptId))) {
        await this.reservations.release(session.app_id, session.spreadsheet_id, session.tab_id, result.pick.rowId, attemptId);
        callbacks = callbacks.filter((c) => c.id !== callbackId);
        continue;
      }
      const placed = await this.place(session, ref, result.pick, attemptId, policy, now, options, { dnc, callbacks, ...history }).catch(async (err: unknown) => {
        if (callbackId !== undefined) await this.callbacks.reopen(session.app_id, callbackId);
        throw err;
      });
      if (placed) return placed;
      if (callbackId !== undefined) await this.callbacks.reopen(session.app_id, callbackId);
      // the row changed since it was read (another node's queued write): look again, pick again
      sheet = await this.sheets.readAgentSheet(ref);
    }
    return nothingToDial(lastSummary);
  }

  /** The callbacks of the tab this agent may dial, due now (theirs, and the campaign's shared ones). */
  private async dueCallbacks(session: DialerSession): Promise<ScheduledCallback[]> {
    const rows = await this.callbacks.pendingFor(session.app_id, { spreadsheetId: session.spreadsheet_id, tabId: session.tab_id }, session.agent_email, new Date());
    return rows.map((c) => ({ id: c.id, rowId: c.row_id, numberIndex: c.number_index, dueAtMs: c.due_at.getTime() }));
  }

  /** The tab's recent dials from the attempt history, read only when the campaign caps them. */
  private async historyFor(
    session: DialerSession,
    policy: CampaignPolicy,
  ): Promise<{ recentDials?: Map<string, number[]>; recentLeadDials?: Map<string, number[]> }> {
    const { maxAttemptsPerNumberPer24h, maxAttemptsPerNumberPer7d, maxAttemptsPerLeadPer24h, maxAttemptsPerLeadPer7d } = policy;
    if ([maxAttemptsPerNumberPer24h, maxAttemptsPerNumberPer7d, maxAttemptsPerLeadPer24h, maxAttemptsPerLeadPer7d].every((c) => c === null)) return {};
    const weekly = maxAttemptsPerNumberPer7d !== null || maxAttemptsPerLeadPer7d !== null;
    const since = new Date(Date.now() - (weekly ? 7 : 1) * 24 * 3600_000);
    const { byNumber, byLead } = await this.attempts.recentDials(session.app_id, session.spreadsheet_id, session.tab_id, since);
    return { recentDials: byNumber, recentLeadDials: byLead };
  }

  /**
   * A number stays IN_PROGRESS while its dial waits for a disposition, and its
   * row stays reserved. When the reservation has expired (the agent never came
   * back: RESERVATION_TTL_MS) the dial is abandoned: the number gets its status
   * from before the dial again and the attempt is closed as failed, so the lead
   * is not out of rotation forever. Returns whether anything changed.
   */
  private async releaseAbandoned(session: DialerSession, ref: SheetRef, rows: readonly AgentRow[], reserved: Set<string>): Promise<boolean> {
    const stuck = rows.filter((r) => !reserved.has(r.rowId) && r.statuses.some((s) => s.trim().toUpperCase() === 'IN_PROGRESS'));
    if (stuck.length === 0) return false;
    const open = (await this.attempts.openForRows(session.app_id, session.spreadsheet_id, session.tab_id, stuck.map((r) => r.rowId))).filter(
      (a) => a.session_id !== session.id, // this agent's own open dial is refused earlier
    );
    if (open.length === 0) return false;
    // The reservations as they are now, read after the open attempts: a dial reserves its row before it
    // opens its attempt, and a disposition closes the attempt before it releases the row, so an attempt
    // still open here whose row is not reserved now really was abandoned. (The snapshot the pick was
    // given may be older than the sheet read: another agent's dial of a second ago is not abandoned.)
    for (const rowId of await this.reservations.reserved(session.app_id, session.spreadsheet_id, session.tab_id)) reserved.add(rowId);
    let changed = false;
    for (const attempt of open) {
      if (reserved.has(attempt.row_id)) continue;
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
    pick: LeadPick,
    attemptId: string,
    policy: CampaignPolicy,
    now: Date,
    options: DialOptions,
    // what the pick was decided with besides the row: the check of the row as it is now must see it too
    context: PickContext,
  ): Promise<DialResultDto | null> {
    const appId = session.app_id;
    // what the sheet writer saw (set inside its callback)
    const seen: { previousStatus: string | null; marked: AgentRow | null; stale: boolean } = { previousStatus: null, marked: null, stale: false };
    const release = () => this.reservations.release(appId, session.spreadsheet_id, session.tab_id, pick.rowId, attemptId);
    try {
      // the writer hands over the row as it is in the sheet right now: mark it only if it still gives this pick
      await this.sheets
        .writeLead(appId, ref, {
          rowId: pick.rowId,
          changes: (row) => {
            seen.previousStatus = row.statuses[pick.numberIndex - 1] ?? '';
            if (!stillPicks(row, pick, policy, now, context)) {
              seen.stale = true;
              return { values: [], formats: [] };
            }
            const update = markInProgress(row, pick.numberIndex);
            seen.marked = update.row;
            return update.changes;
          },
        })
        .catch((err: unknown) => {
          if (!isLeadGone(err)) throw err;
          seen.stale = true; // deleted since it was read
        });
      if (seen.stale) {
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
        previous_status: seen.previousStatus,
        campaign_name: session.campaign_name,
      });
    } catch (err) {
      await release();
      throw err;
    }
    let callId: string;
    try {
      ({ call_id: callId } = await this.dialpad.initiateCall(appId, { user_id: session.dialpad_user_id, phone_number: pick.phone, custom_data: attemptId }));
    } catch (err) {
      await this.undoFailedDial(appId, ref, pick, attemptId, seen.previousStatus ?? 'NEW', err as Error);
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
    this.metrics.callsInitiated.inc({ campaign: session.campaign_name });
    this.logger.log({ attempt_id: attemptId, row_id: pick.rowId, phone: maskPhoneNumbers(pick.phone) }, 'call placed');
    await this.views.pushStats(await this.views.view(fresh));
    const placed: DialResultDto = { attempt_id: attemptId, row_id: pick.rowId, name: pick.name, number_index: pick.numberIndex, phone: pick.phone, dialpad_call_id: callId };
    if (pick.callbackId !== undefined) placed.callback_id = pick.callbackId;
    if (options.includeLead && seen.marked) placed.lead = leadView(seen.marked, pick.phone, now);
    return placed;
  }

  /** The call was not placed: the attempt is closed, the number goes back to what it was (the lead is released by the caller). */
  private async undoFailedDial(appId: AppId, ref: SheetRef, pick: LeadPick, attemptId: string, restore: string, cause: Error): Promise<void> {
    try {
      await this.attempts.failed(appId, attemptId, cause.message);
    } catch (err) {
      this.logger.error({ attempt_id: attemptId }, `could not close the failed attempt: ${(err as Error).message}`);
    }
    try {
      await this.sheets.writeLead(appId, ref, { rowId: pick.rowId, changes: { values: [{ column: statusColumn(pick.numberIndex), value: restore }], formats: [] } });
    } catch (err) {
      this.logger.error({ attempt_id: attemptId }, `could not restore the number's status: ${(err as Error).message}`);
    }
  }
}

/** Whether the row, as it is now, still gives the same number to dial (its status, the rules, the number itself). */
function stillPicks(row: AgentRow, pick: LeadPick, policy: CampaignPolicy, now: Date, context: PickContext): boolean {
  const again = pickNext({ readyState: 'PLAY', rows: [row], policy, now, ...context, explain: false }).pick;
  return again !== null && again.numberIndex === pick.numberIndex && again.phone === pick.phone;
}

function nothingToDial(summary: PickSummary | null): DialResultDto {
  const byReason = (summary?.byReason ?? {}) as Record<string, number>;
  const parts = Object.entries(byReason)
    .sort((a, b) => b[1] - a[1])
    .map(([reason, n]) => `${n} ${reason}`);
  const done = summary?.done ? [`${summary.done} done`] : [];
  const reason = parts.length + done.length > 0 ? `no lead can be dialed now: ${[...parts, ...done].join(', ')}` : 'no lead can be dialed now: the sheet has no open numbers';
  return { attempt: null, attempt_id: null, reason, skipped: byReason };
}
