import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { DrainLoop } from '../../common/drain-loop.js';
import { DomainError } from '../../common/errors/domain-error.js';
import { AppConfig } from '../../infra/config/app-config.js';
import { LEAD_GONE, LeadWriter } from './lead-writer.js';
import { isTransient } from './sheets-errors.js';
import { SheetsMetrics } from './sheets-metrics.js';
import { type OutboxEntry, SheetsOutboxRepository } from './sheets-outbox.repository.js';

const BATCH = 20;
const LEASE_MS = 120_000;
const KEEP_DONE_DAYS = 7;
/** attempts after which a write refused for a reason other than quota or outage is given up (kept as dead) */
const GIVE_UP_AFTER = 100;

/**
 * Applies queued Sheets writes (never dropped). Polls every
 * SHEETS_OUTBOX_POLL_INTERVAL_MS and wakes at once when this node queues one;
 * safe on many nodes (leases, oldest-first per spreadsheet). A write that fails
 * again for a passing reason (429, 5xx, network, circuit open) waits longer:
 * truncated exponential backoff with jitter up to SHEETS_RETRY_MAX_DELAY_MS,
 * forever. One whose lead is gone is kept as dead with its reason; one the
 * sheet refuses (a lost column, a RowID twice) waits for a person to fix it.
 */
@Injectable()
export class SheetsOutboxWorker implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('SheetsOutbox');
  private timer: NodeJS.Timeout | null = null;
  private readonly loop: DrainLoop;
  private polls = 0;

  constructor(
    private readonly config: AppConfig,
    private readonly outbox: SheetsOutboxRepository,
    private readonly writer: LeadWriter,
    private readonly metrics: SheetsMetrics,
  ) {
    this.loop = new DrainLoop(
      () => this.pass(),
      (err) => this.logger.error(`outbox pass failed: ${(err as Error).message}`),
    );
  }

  onApplicationBootstrap(): void {
    if (!this.config.SHEETS_OUTBOX_ENABLED) return;
    this.timer = setInterval(() => this.wake(), this.config.SHEETS_OUTBOX_POLL_INTERVAL_MS);
    this.timer.unref();
    this.wake();
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.loop.stop();
  }

  /** Runs a pass now (or right after the one in progress). */
  wake(): void {
    if (this.config.SHEETS_OUTBOX_ENABLED) this.loop.wake();
  }

  /** Resolves when no pass is running (tests, shutdown). */
  idle(): Promise<void> {
    return this.loop.idle();
  }

  /** One batch; true when there may be more due right away (a full batch, or a write whose successor may be due). */
  private async pass(): Promise<boolean> {
    const claimed = await this.outbox.claimDue(BATCH, LEASE_MS);
    // different spreadsheets in parallel; one spreadsheet's writes stay in order (one head each)
    const applied = await Promise.all(claimed.map((entry) => this.apply(entry)));
    if (claimed.length === BATCH || applied.some(Boolean)) return true;
    this.metrics.outboxDepth.set(await this.outbox.depth());
    if (++this.polls % 1000 === 0) await this.outbox.purgeDone(KEEP_DONE_DAYS);
    return false;
  }

  /** Applies one queued write; true when it was written (its successor may be due now). */
  private async apply(entry: OutboxEntry): Promise<boolean> {
    try {
      await this.writer.write({ spreadsheetId: entry.spreadsheetId, tab: entry.tab }, [
        { rowId: entry.rowId, rowIndex: entry.rowIndexHint ?? undefined, changes: entry.changes },
      ]);
      await this.outbox.markDone(entry.id);
      this.metrics.writes.inc({ result: 'replayed' });
      return true;
    } catch (err) {
      const message = (err as Error).message ?? String(err);
      const leadGone = err instanceof DomainError && err.details?.reason === LEAD_GONE;
      if (leadGone || (!isTransient(err) && entry.attempts >= GIVE_UP_AFTER)) {
        await this.outbox.markDead(entry.id, message);
        this.metrics.writes.inc({ result: 'dead' });
        const kind = err instanceof DomainError ? err.code : 'error';
        this.logger.error(`queued write ${entry.id} (lead ${entry.rowId}) cannot be applied (${kind}): ${message}`);
        return false;
      }
      // a passing failure backs off; a sheet problem a person can fix (a lost column, a RowID twice,
      // the sheet unshared) is tried again at the longest delay until GIVE_UP_AFTER attempts
      const max = this.config.SHEETS_RETRY_MAX_DELAY_MS;
      const delay = isTransient(err) ? outboxDelayMs(entry.attempts, this.config.SHEETS_RETRY_BASE_DELAY_MS, max) : max;
      await this.outbox.markRetry(entry.id, delay, message);
      this.logger.warn(`queued write ${entry.id} (lead ${entry.rowId}) failed, attempt ${entry.attempts}; retry in ${delay} ms: ${message}`);
      return false;
    }
  }
}

/** Truncated exponential backoff with jitter: base·2^(n-1), capped, then 50–100 % of it. */
export function outboxDelayMs(attempts: number, baseMs: number, maxMs: number): number {
  const capped = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempts - 1));
  return Math.round(capped * (0.5 + Math.random() * 0.5));
}
