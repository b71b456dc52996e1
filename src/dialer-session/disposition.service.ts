import { Injectable, Logger } from '@nestjs/common';
import type { AppId } from '../common/app-id.js';
import type { AgentPrincipal } from '../auth/request-context.js';
import { DomainError, httpStatusOf } from '../common/errors/domain-error.js';
import { DialpadClient } from '../integrations/dialpad/dialpad.client.js';
import { SheetsGateway } from '../integrations/sheets/sheets.gateway.js';
import { type AgentRow, applyDisposition, type DispositionCode, NUMBER_ERASED, parseDispositionCode } from '../policy/index.js';
import { AttemptRow, AttemptsRepository } from './attempts.repository.js';
import { DialScheduler } from './dial-scheduler.service.js';
import { type DialOptions, DialPlacement } from './dial-placement.service.js';
import { DialerConfigService, tabRef } from './dialer-config.service.js';
import { DncService } from '../dnc/dnc.service.js';
import { CallbacksService } from './callbacks.service.js';
import { DialerMetrics } from './dialer-metrics.js';
import type { ChainedDialErrorDto, DispositionResultDto } from './dto/dialer.dto.js';
import { isLeadGone } from './lead-gone.js';
import { ReservationStore } from './reservation.store.js';
import { SessionLock } from './session-lock.js';
import { SessionStatsStore } from './session-stats.store.js';
import { SessionViews } from './session-views.service.js';
import { DialerSession, SessionStore } from './session.store.js';

/**
 * The outcome of an attempt: its exact cells written to the sheet (by RowID),
 * the attempt closed, the lead released and — in PLAY — the next dial chained
 * under the same lock. Skip is the disposition SKIP given before the call
 * connects, with the call hung up first.
 */
@Injectable()
export class DispositionService {
  private readonly logger = new Logger('Dialer');

  constructor(
    private readonly sessions: SessionStore,
    private readonly lock: SessionLock,
    private readonly views: SessionViews,
    private readonly placement: DialPlacement,
    private readonly stats: SessionStatsStore,
    private readonly reservations: ReservationStore,
    private readonly attempts: AttemptsRepository,
    private readonly configs: DialerConfigService,
    private readonly sheets: SheetsGateway,
    private readonly dialpad: DialpadClient,
    private readonly metrics: DialerMetrics,
    private readonly dnc: DncService,
    private readonly callbacks: CallbacksService,
    private readonly scheduler: DialScheduler,
  ) {}

  async disposition(
    agent: AgentPrincipal,
    input: { attemptId: string; code: string; notes?: string; callbackAt?: string; callbackOnlyMe?: boolean },
    options: DialOptions = {},
  ): Promise<DispositionResultDto> {
    const code = parseDispositionCode(/^\d$/.test(input.code) ? Number(input.code) : input.code);
    if (!code) throw new DomainError('INVALID_INPUT', 'code must be 1-7 or CORRECT, WRONG, VM_SAME_NAME, VM_OR_NA_UNKNOWN, NO_ANSWER, SKIP, DNC');
    const session = await this.sessions.requireCurrent(agent);
    const callback = input.callbackAt ? { at: input.callbackAt, onlyMe: input.callbackOnlyMe ?? false } : undefined;
    return this.lock.run(session, async (fresh) => this.record(fresh, await this.openAttempt(fresh, input.attemptId), code, input.notes, options, callback));
  }

  /**
   * POST /skip: the agent drops the lead before the call connects. The call is
   * hung up if it was placed, the number is written SKIPPED (MANUAL_SKIP), and in
   * PLAY the next dial follows.
   */
  async skip(agent: AgentPrincipal, attemptId: string, options: DialOptions = {}): Promise<DispositionResultDto> {
    const session = await this.sessions.requireCurrent(agent);
    return this.lock.run(session, async (fresh) => {
      const attempt = await this.openAttempt(fresh, attemptId);
      if (attempt.connected_at) throw new DomainError('CALL_NOT_ACTIVE', `The call of attempt ${attempt.id} is connected: hang up, then give its disposition`);
      if (attempt.dialpad_call_id && !attempt.ended_at) {
        try {
          await this.dialpad.hangup(fresh.app_id, attempt.dialpad_call_id);
        } catch (err) {
          // the call may have ended on its own meanwhile: the skip still stands, its end is recorded without a dialog
          this.logger.warn({ attempt_id: attempt.id }, `hangup before skip failed: ${(err as Error).message}`);
        }
      }
      return this.record(fresh, attempt, 'SKIP', undefined, options);
    });
  }

  private async openAttempt(session: DialerSession, attemptId: string): Promise<AttemptRow> {
    const attempt = await this.attempts.find(session.app_id, attemptId);
    if (!attempt || attempt.session_id !== session.id) throw new DomainError('ATTEMPT_NOT_FOUND', `Attempt ${attemptId} not found in this session`);
    if (attempt.status === 'dispositioned') throw new DomainError('ATTEMPT_DISPOSITIONED', `Attempt ${attempt.id} already has a disposition (${attempt.disposition})`);
    if (attempt.status === 'failed') throw new DomainError('ATTEMPT_NOT_PLACED', `Attempt ${attempt.id} was never placed`);
    return attempt;
  }

  private async record(
    session: DialerSession,
    attempt: AttemptRow,
    code: DispositionCode,
    notes: string | undefined,
    options: DialOptions,
    callback?: { at: string; onlyMe: boolean },
  ): Promise<DispositionResultDto> {
    const appId = session.app_id;
    // a time that cannot be a callback refuses the disposition before anything is written
    if (callback) this.callbacks.validate(callback.at, attempt.phone);
    const { status: sheet, row } = await this.writeOutcome(appId, attempt, code, notes);
    const scheduled = callback
      ? await this.callbacks.schedule(attempt, row, { at: callback.at, onlyMe: callback.onlyMe, notes: notes ?? null, campaignName: session.campaign_name })
      : undefined;
    if (!(await this.attempts.disposition(appId, attempt.id, code, notes ?? null))) {
      throw new DomainError('ATTEMPT_DISPOSITIONED', `Attempt ${attempt.id} already has a disposition`);
    }
    await this.reservations.release(appId, attempt.spreadsheet_id, attempt.tab_id, attempt.row_id, attempt.id);
    if (session.current_attempt_id === attempt.id) session.current_attempt_id = null;
    await this.sessions.save(session);
    // the called person asked never to be called again: the number joins the app's list (every campaign, every agent)
    if (code === 'DNC') await this.dnc.addFromDisposition(appId, attempt.phone, session.agent_email);
    await this.stats.incr(appId, session.id, `dispo:${code}`);
    this.metrics.dispositions.inc({ code });
    this.logger.log({ attempt_id: attempt.id, code, sheet }, 'disposition recorded');
    const result: DispositionResultDto = { attempt_id: attempt.id, code, sheet, next: null, ...(scheduled ? { callback: scheduled } : {}) };
    if (session.state === 'PLAY') {
      // the disposition is recorded whatever happens to the next dial: a failed dial must not fail it (its retry would be refused)
      try {
        result.next = await this.placement.dialLocked(session, options);
      } catch (err) {
        // Dialpad's call rate limit holds it: dialed when a slot frees, not dropped
        const wait = DialScheduler.waitOf(err);
        if (wait !== null) result.next = await this.scheduler.schedule(session, wait, options);
        else {
          result.next_error = chainedDialError(err);
          this.logger.warn({ attempt_id: attempt.id, status: result.next_error.statusCode }, `chained dial failed: ${result.next_error.message}`);
        }
      }
    }
    if (!result.next || result.next.attempt_id === null) await this.views.pushStats(await this.views.view(session));
    return result;
  }

  /** Writes the disposition's cells; a row deleted, or a number erased, since the dial leaves nothing to write but the outcome stands. */
  private async writeOutcome(
    appId: AppId,
    attempt: AttemptRow,
    code: DispositionCode,
    notes: string | undefined,
  ): Promise<{ status: DispositionResultDto['sheet']; row: AgentRow | null }> {
    const seen: { row: AgentRow | null } = { row: null };
    const { policy } = await this.configs.effective(appId);
    const now = new Date();
    try {
      const write = await this.sheets.writeLead(
        appId,
        { spreadsheetId: attempt.spreadsheet_id, tab: tabRef(attempt.tab_id) },
        {
          rowId: attempt.row_id,
          changes: (row) => {
            seen.row = row;
            return applyDisposition({ row, numberIndex: attempt.number_index, code, notes, now, policy }).changes;
          },
        },
      );
      return { status: write.status, row: seen.row };
    } catch (err) {
      if (isLeadGone(err)) {
        this.logger.warn({ attempt_id: attempt.id, row_id: attempt.row_id }, 'lead is no longer in the sheet: disposition recorded without a sheet write');
        return { status: 'lead_gone', row: null };
      }
      if (err instanceof DomainError && err.details?.reason === NUMBER_ERASED) {
        this.logger.warn({ attempt_id: attempt.id, row_id: attempt.row_id }, 'the dialed number was erased from the sheet: disposition recorded without a sheet write');
        return { status: 'number_gone', row: seen.row };
      }
      throw err;
    }
  }
}

function chainedDialError(err: unknown): ChainedDialErrorDto {
  if (!(err instanceof DomainError)) return { statusCode: 500, code: 'INTERNAL', message: 'The next dial failed: POST /dial to try again' };
  const retryAfterMs = err.details?.retry_after_ms;
  return {
    statusCode: httpStatusOf(err.code),
    code: err.code,
    message: err.message,
    ...(typeof retryAfterMs === 'number' ? { retry_after_ms: retryAfterMs } : {}),
  };
}
