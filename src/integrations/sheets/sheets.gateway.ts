import { Injectable, Logger } from '@nestjs/common';
import type { AppId } from '../../common/app-id.js';
import { DomainError } from '../../common/errors/domain-error.js';
import type { AgentRow, RowChanges } from '../../policy/policy.types.js';
import { applyChanges, onlyChanged } from '../../policy/row-changes.js';
import { AppConfig } from '../../infra/config/app-config.js';
import { type LeadWrite, LeadWriter, type WriteOutcome, type WrittenLead } from './lead-writer.js';
import type { RouterEntry } from './sheet-layout.js';
import { type SheetRef, SheetReader } from './sheet-reader.js';
import type { AgentSheet } from './sheets-cache.js';
import { isTransient } from './sheets-errors.js';
import { SheetsMetrics } from './sheets-metrics.js';
import { SheetsOutboxRepository } from './sheets-outbox.repository.js';
import { outboxDelayMs, SheetsOutboxWorker } from './sheets-outbox.worker.js';

/** A lead written (or queued): where, the exact changes, and the row as it reads afterwards (null if never read). */
export type LeadResult = Omit<WrittenLead, 'row'> & { row: AgentRow | null };

export interface LeadWriteResult {
  /** written now, or queued in the outbox (applied by the worker, in order, never dropped) */
  status: 'written' | 'queued';
  leads: LeadResult[];
  /** outbox ids when queued */
  outboxIds: string[];
  /** Sheets calls made for this write (0 when it went straight to the outbox) */
  requests: WriteOutcome['requests'];
}

/**
 * The dialer's Google Sheets (docs/architecture.md, "Sheets"), behind a class we own.
 *
 * Reads: router and agent tabs by header name (any order, extra columns kept),
 * one values.batchGet per read, cached per spreadsheet until `refresh` or
 * SHEETS_CACHE_TTL_SECONDS. Writes: by RowID, verified at the row's current
 * position (never the wrong row), one values.batchUpdate (RAW, changed cells
 * only) plus at most one spreadsheets.batchUpdate (colours). A write Google
 * cannot take now (quota, outage, open circuit) is queued durably and applied
 * later, in order; the cache already shows it so the next decision sees it.
 */
@Injectable()
export class SheetsGateway {
  private readonly logger = new Logger('Sheets');

  constructor(
    private readonly config: AppConfig,
    private readonly reader: SheetReader,
    private readonly writer: LeadWriter,
    private readonly outbox: SheetsOutboxRepository,
    private readonly worker: SheetsOutboxWorker,
    private readonly metrics: SheetsMetrics,
  ) {}

  /** The router tab's rows. */
  readRouter(spreadsheetId: string, tab: string | number = 'Router', options: { refresh?: boolean } = {}): Promise<RouterEntry[]> {
    return this.reader.readRouter(spreadsheetId, tab, options);
  }

  /** The router row of an agent (e-mail, case-insensitive), active or not; null when absent. */
  async findRoute(spreadsheetId: string, tab: string | number, agentEmail: string, options: { refresh?: boolean } = {}): Promise<RouterEntry | null> {
    const email = agentEmail.trim().toLowerCase();
    const entries = await this.readRouter(spreadsheetId, tab, options);
    const mine = entries.filter((e) => e.agentEmail.toLowerCase() === email);
    return mine.find((e) => e.active) ?? mine[0] ?? null;
  }

  /**
   * An agent tab: validated header (a missing column is named in a 400), rows
   * top to bottom. `refresh` reads it again now; otherwise the cache answers.
   */
  readAgentSheet(ref: SheetRef, options: { refresh?: boolean } = {}): Promise<AgentSheet> {
    return this.reader.readAgentSheet(ref, options);
  }

  /** Forgets what was read of a spreadsheet (or of all): the next read goes to Google. */
  refresh(spreadsheetId?: string): void {
    this.reader.cache.refresh(spreadsheetId);
  }

  /** Writes one lead (see writeLeads). */
  writeLead(appId: AppId, ref: SheetRef, lead: LeadWrite): Promise<LeadWriteResult> {
    return this.writeLeads(appId, ref, [lead]);
  }

  /**
   * Writes leads of one tab in one batch. Answers `written`, or `queued` when
   * Google cannot take it now or earlier writes to this spreadsheet still wait
   * (a newer write never overtakes an older one). Throws NOT_FOUND when a RowID
   * is no longer in the tab, CONFLICT when it is there twice, INVALID_INPUT when
   * the header lost a column.
   */
  async writeLeads(appId: AppId, ref: SheetRef, leads: LeadWrite[]): Promise<LeadWriteResult> {
    if (leads.length === 0) return { status: 'written', leads: [], outboxIds: [], requests: { reads: 0, valueWrites: 0, formatWrites: 0 } };
    if (await this.outbox.hasPending(ref.spreadsheetId)) return this.enqueue(appId, ref, leads, null, 'queued behind earlier writes to this spreadsheet', false);
    try {
      const outcome = await this.writer.write(ref, leads);
      this.metrics.writes.inc({ result: 'written' }, leads.length);
      return { status: 'written', leads: outcome.leads, outboxIds: [], requests: outcome.requests };
    } catch (err) {
      if (!isTransient(err)) throw err;
      const computed = (err as { computed?: WrittenLead[] }).computed ?? null;
      return this.enqueue(appId, ref, leads, computed, (err as Error).message, true);
    }
  }

  /** Whether writes to this spreadsheet are still waiting in the outbox. */
  pendingWrites(spreadsheetId: string): Promise<boolean> {
    return this.outbox.hasPending(spreadsheetId);
  }

  /** Queues the writes (in order); `backoff`: Google just failed them, so the first retry waits a little. */
  private async enqueue(
    appId: AppId,
    ref: SheetRef,
    leads: LeadWrite[],
    computed: WrittenLead[] | null,
    reason: string,
    backoff: boolean,
  ): Promise<LeadWriteResult> {
    const sheet = this.cachedSheet(ref);
    const planned: LeadResult[] = leads.map((lead, k) => {
      const done = computed?.[k];
      if (done) return done;
      const row = sheet?.rows.find((r) => r.rowId === lead.rowId) ?? null;
      if (typeof lead.changes === 'function') {
        // the change depends on the row; without one we cannot say what to write later
        if (!row) throw new DomainError('UNAVAILABLE', `Google Sheets is unavailable and lead ${lead.rowId} is not cached: try again shortly (${reason})`);
        const changes = onlyChanged(row, lead.changes(row));
        return { rowId: lead.rowId, rowIndex: row.rowIndex, changes, row: applyChanges(row, changes) };
      }
      const changes = row ? onlyChanged(row, lead.changes) : lead.changes;
      return { rowId: lead.rowId, rowIndex: row?.rowIndex ?? lead.rowIndex ?? 0, changes, row: row ? applyChanges(row, changes) : null };
    });
    const delayMs = outboxDelayMs(1, this.config.SHEETS_RETRY_BASE_DELAY_MS, this.config.SHEETS_RETRY_MAX_DELAY_MS);
    const ids = await this.outbox.enqueue(
      appId,
      planned.map((p, k) => ({
        spreadsheetId: ref.spreadsheetId,
        tab: String(ref.tab),
        rowId: p.rowId,
        rowIndexHint: p.rowIndex > 0 ? p.rowIndex : (leads[k]!.rowIndex ?? null),
        changes: p.changes satisfies RowChanges,
        reason: reason.slice(0, 500),
        delayMs: backoff ? delayMs : 0,
      })),
    );
    if (sheet) this.reader.cache.patchRows(ref.spreadsheetId, sheet.sheetId, planned.flatMap((p) => (p.row ? [p.row] : [])));
    this.metrics.writes.inc({ result: 'queued' }, leads.length);
    this.logger.warn(`queued ${leads.length} write(s) to spreadsheet ${ref.spreadsheetId}: ${reason}`);
    this.worker.wake();
    return { status: 'queued', leads: planned, outboxIds: ids, requests: { reads: 0, valueWrites: 0, formatWrites: 0 } };
  }

  private cachedSheet(ref: SheetRef): AgentSheet | null {
    const tabs = this.reader.cache.tabs(ref.spreadsheetId);
    const text = String(ref.tab);
    const tab = tabs?.find((t) => String(t.sheetId) === text || t.title === text);
    return tab ? this.reader.cache.agentSheet(ref.spreadsheetId, tab.sheetId) : null;
  }
}
