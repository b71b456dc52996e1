import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import type { AppId } from '../../common/app-id.js';
import { DrainLoop } from '../../common/drain-loop.js';
import { DomainError } from '../../common/errors/domain-error.js';
import { AppConfig } from '../../infra/config/app-config.js';
import { RedisLock } from '../../infra/redis/redis-lock.js';
import { type FlushOutcome, LeadWriter } from './lead-writer.js';
import { isTransient } from './sheets-errors.js';
import { SheetsMetrics } from './sheets-metrics.js';
import { type NewOutboxEntry, type OutboxEntry, SheetsOutboxRepository } from './sheets-outbox.repository.js';
import { SheetsQuota } from './sheets-quota.js';

/** Spreadsheets flushed in parallel by one pass. */
const SPREADSHEETS_PER_PASS = 20;
/** Writes carried by one flush (one request) at most. */
const WRITES_PER_FLUSH = 1000;
const KEEP_DONE_DAYS = 7;
/** attempts after which a write the sheet refuses (not quota or outage) is given up (kept as dead) */
const GIVE_UP_AFTER = 100;

/**
 * The Sheets write queue's flusher. Every lead write is queued durably first
 * (sheets_outbox); this applies a spreadsheet's queue — every pending change
 * of every agent, in order — in one request, at most once per
 * SHEETS_FLUSH_INTERVAL_MS, with one flusher per spreadsheet across all nodes
 * (a Redis lease held for the flush and kept until the interval ends). Wakes
 * when this node queues a write, when the interval of a spreadsheet with
 * writes waiting ends, and every SHEETS_OUTBOX_POLL_INTERVAL_MS (other
 * nodes' writes, a restart). A flush Google cannot take (429, 5xx, network,
 * circuit open) leaves the whole queue in place and waits longer: truncated
 * exponential backoff with jitter up to SHEETS_RETRY_MAX_DELAY_MS, forever,
 * order kept. A write whose lead is gone is kept as dead with its reason; one
 * the sheet refuses (a lost column, a RowID twice) is held aside for a person.
 */
@Injectable()
export class SheetsOutboxWorker implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('SheetsOutbox');
  private poll: NodeJS.Timeout | null = null;
  private next: { timer: NodeJS.Timeout; at: number } | null = null;
  private readonly loop: DrainLoop;
  private readonly leaseMs: number;
  private passes = 0;
  /** this node's flushes take their budget slots one after another, oldest queue first (dueSpreadsheets' order) */
  private slotTurn: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly config: AppConfig,
    private readonly outbox: SheetsOutboxRepository,
    private readonly writer: LeadWriter,
    private readonly metrics: SheetsMetrics,
    private readonly locks: RedisLock,
    private readonly quota: SheetsQuota,
  ) {
    this.loop = new DrainLoop(
      () => this.pass(),
      (err) => this.logger.error(`outbox pass failed: ${(err as Error).message}`),
    );
    // a flush may wait a whole quota window for its requests: its lease outlives that
    this.leaseMs = 2 * config.SHEETS_QUOTA_WINDOW_MS + 2 * config.SHEETS_REQUEST_TIMEOUT_MS;
  }

  onApplicationBootstrap(): void {
    if (!this.config.SHEETS_OUTBOX_ENABLED) return;
    this.poll = setInterval(() => this.wake(), this.config.SHEETS_OUTBOX_POLL_INTERVAL_MS);
    this.poll.unref();
    this.wake();
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (this.poll) clearInterval(this.poll);
    if (this.next) clearTimeout(this.next.timer);
    this.next = null;
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

  /** A pass `ms` from now (the earliest asked for wins). */
  private wakeIn(ms: number): void {
    const at = Date.now() + Math.max(0, ms);
    if (this.next && this.next.at <= at) return;
    if (this.next) clearTimeout(this.next.timer);
    const timer = setTimeout(() => {
      this.next = null;
      this.wake();
    }, Math.max(0, ms));
    timer.unref();
    this.next = { timer, at };
  }

  private async pass(): Promise<boolean> {
    const due = await this.outbox.dueSpreadsheets(SPREADSHEETS_PER_PASS);
    await Promise.all(due.map((id) => this.flushSpreadsheet(id)));
    if (due.length === 0 || ++this.passes % 20 === 0) await this.observe();
    if (this.passes % 1000 === 0) await this.outbox.purgeDone(KEEP_DONE_DAYS);
    return false;
  }

  /** One flush of a spreadsheet's queue, unless another flush of it (any node) is running or was less than an interval ago. */
  private async flushSpreadsheet(spreadsheetId: string): Promise<void> {
    const interval = this.config.SHEETS_FLUSH_INTERVAL_MS;
    const lease = await this.locks.tryAcquire(`sheets-flush:{${spreadsheetId}}`, this.leaseMs);
    if (!lease) {
      // flushed a moment ago, or being flushed: look again when that interval ends
      this.wakeIn(Math.max(interval, 50));
      return;
    }
    const started = Date.now();
    let claimed = 0;
    try {
      // the budget's slots first (the write's, and the read's when the flush reads first, together), then the
      // queue: what was queued while the flush waited for Google's quota goes in this request, not the next
      await this.inTurn(() => Promise.all([this.quota.take('write'), this.writer.readsFirst ? this.quota.take('read') : null]));
      const entries = await this.outbox.claimSpreadsheet(spreadsheetId, WRITES_PER_FLUSH, this.leaseMs);
      claimed = entries.length;
      if (entries.length > 0) await this.apply(spreadsheetId, entries);
      else this.metrics.flushes.inc({ result: 'empty' });
    } finally {
      // kept until the interval ends: at most one flush of a spreadsheet per interval, whichever node
      const rest = interval - (Date.now() - started);
      await lease.keepFor(rest).catch((err: unknown) => this.logger.warn(`could not keep the flush lease of ${spreadsheetId}: ${(err as Error).message}`));
      if (claimed > 0) this.wakeIn(Math.max(rest, 0));
    }
  }

  /**
   * Runs `fn` after every earlier caller's: waiting for the budget in the order the spreadsheets came
   * (oldest queue first), not whichever waiter polls Redis first — otherwise one spreadsheet can miss
   * several slots in a row while the others are flushed, and its sheet lags by that much.
   */
  private inTurn<T>(fn: () => Promise<T>): Promise<T> {
    const mine = this.slotTurn.then(fn, fn);
    this.slotTurn = mine.catch(() => undefined);
    return mine;
  }

  private async apply(spreadsheetId: string, entries: OutboxEntry[]): Promise<void> {
    const ids = entries.map((e) => e.id);
    const oldest = entries[0]!;
    try {
      const outcome = await this.writer.flush(spreadsheetId, entries, { slotsTaken: true });
      await this.outbox.markDoneMany(outcome.written);
      this.metrics.writes.inc({ result: 'replayed' }, outcome.written.length);
      this.metrics.flushes.inc({ result: 'written' });
      this.metrics.flushSize.observe(outcome.written.length);
      if (outcome.misplaced.length > 0) await this.rewrite(spreadsheetId, entries, outcome);
      for (const { id, error } of outcome.gone) {
        await this.outbox.markDead(id, error.message);
        this.metrics.writes.inc({ result: 'dead' });
        this.logger.error(`queued write ${id} cannot be applied: ${error.message}`);
      }
      for (const { id, error } of outcome.refused) {
        const entry = entries.find((e) => e.id === id)!;
        if (entry.attempts >= GIVE_UP_AFTER) {
          await this.outbox.markDead(id, error.message);
          this.metrics.writes.inc({ result: 'dead' });
          this.logger.error(`queued write ${id} (lead ${entry.rowId}) given up after ${entry.attempts} attempts: ${error.message}`);
        } else {
          await this.outbox.markHeld([id], this.config.SHEETS_RETRY_MAX_DELAY_MS, error.message);
          this.logger.warn(`queued write ${id} (lead ${entry.rowId}) refused by the sheet, held for a person to fix: ${error.message}`);
        }
      }
    } catch (err) {
      // one request, applied atomically or not at all: the whole queue stays, in order
      const message = (err as Error).message ?? String(err);
      const transient = isTransient(err);
      if (!transient && oldest.attempts >= GIVE_UP_AFTER) {
        for (const id of ids) await this.outbox.markDead(id, message);
        this.metrics.writes.inc({ result: 'dead' }, ids.length);
        const kind = err instanceof DomainError ? err.code : 'error';
        this.logger.error(`${ids.length} queued write(s) to ${spreadsheetId} given up (${kind}): ${message}`);
        return;
      }
      const max = this.config.SHEETS_RETRY_MAX_DELAY_MS;
      const delay = transient ? outboxDelayMs(oldest.attempts, this.config.SHEETS_RETRY_BASE_DELAY_MS, max) : max;
      await this.outbox.markRetryMany(ids, delay, message);
      this.metrics.flushes.inc({ result: 'retry' });
      this.logger.warn(`flush of ${ids.length} write(s) to ${spreadsheetId} failed, attempt ${oldest.attempts}; retry in ${delay} ms: ${message}`);
      this.wakeIn(delay);
    }
  }

  /**
   * Writes that landed on another lead's row (the rows moved since their positions were read) go again
   * at once, found where their lead is now; the cells they changed on that other lead are put back to
   * what it had, queued after them — except cells a write still waiting in the queue sets anyway.
   */
  private async rewrite(spreadsheetId: string, entries: OutboxEntry[], outcome: FlushOutcome): Promise<void> {
    const ids = outcome.misplaced.map((m) => m.id);
    await this.outbox.markRetryMany(ids, 0, outcome.misplaced[0]!.error.message);
    this.metrics.writes.inc({ result: 'misplaced' }, ids.length);
    const pending = await this.outbox.pendingColumns(spreadsheetId, [...new Set(outcome.restores.map((r) => r.rowId))]);
    // queued for the tenant whose write hit the row (a spreadsheet may serve several), one statement per tenant
    const byApp = new Map<AppId, NewOutboxEntry[]>();
    for (const { cause, changes, ...lead } of outcome.restores) {
      const values = changes.values.filter((c) => !pending.get(`${lead.tab}\u0000${lead.rowId}`)?.has(c.column));
      if (values.length === 0) continue;
      const appId = entries.find((e) => e.id === cause)!.appId;
      const restore = { spreadsheetId, ...lead, changes: { values, formats: [] }, reason: 'restore: a write meant for another lead landed on this row', delayMs: 0 };
      byApp.set(appId, [...(byApp.get(appId) ?? []), restore]);
    }
    for (const [appId, restores] of byApp) await this.outbox.enqueue(appId, restores);
    this.metrics.writes.inc({ result: 'restored' }, [...byApp.values()].flat().length);
    this.wake();
  }

  /** Queue depth and age per spreadsheet on /metrics. */
  private async observe(): Promise<void> {
    const stats = await this.outbox.queueStats();
    this.metrics.queueDepth.reset();
    this.metrics.queueAge.reset();
    for (const s of stats) {
      this.metrics.queueDepth.set({ spreadsheet: s.spreadsheetId }, s.depth);
      this.metrics.queueAge.set({ spreadsheet: s.spreadsheetId }, s.oldestAgeMs / 1000);
    }
    this.metrics.outboxDepth.set(stats.reduce((n, s) => n + s.depth, 0));
  }
}

/** Truncated exponential backoff with jitter: base·2^(n-1), capped, then 50–100 % of it. */
export function outboxDelayMs(attempts: number, baseMs: number, maxMs: number): number {
  const capped = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempts - 1));
  return Math.round(capped * (0.5 + Math.random() * 0.5));
}
